// @mentions in a comment: typing "@" and a few letters asks the record's /people (at most 10 who may see
// it) and lists them under the text; arrows move, Enter or Tab picks, Escape closes, a click picks too.
// A pick writes "@Name " into the text and keeps the person's id in a hidden mention_ids field: the server
// keeps a mention only while its "@Name" is still in the text, so deleting the name drops the mention.
(function () {
  "use strict";
  var counter = 0;
  document.querySelectorAll("textarea[data-mentions]").forEach(function (area) {
    var form = area.form;
    var list = area.parentNode.querySelector(".mention-suggestions");
    var ids = form.querySelector(".mention-ids");
    var url = area.getAttribute("data-mentions");
    var people = [], active = -1, start = -1, timer = null, asked = null;
    if (!list || !ids || !url) return;
    counter += 1;
    list.id = "mention-suggestions-" + counter;
    area.setAttribute("role", "combobox");
    area.setAttribute("aria-autocomplete", "list");
    area.setAttribute("aria-controls", list.id);
    area.setAttribute("aria-expanded", "false");

    function close() {
      list.hidden = true; list.replaceChildren(); people = []; active = -1;
      area.setAttribute("aria-expanded", "false"); area.removeAttribute("aria-activedescendant");
    }
    function highlight(index) {
      active = index;
      Array.prototype.forEach.call(list.children, function (item, i) {
        item.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      if (index >= 0) area.setAttribute("aria-activedescendant", list.children[index].id);
    }
    function pick(index) {
      var person = people[index];
      if (!person) return;
      var before = area.value.slice(0, start), after = area.value.slice(area.selectionStart);
      var name = "@" + person.name + " ";
      area.value = before + name + after;
      var caret = before.length + name.length;
      area.setSelectionRange(caret, caret);
      if (!ids.querySelector('input[value="' + person.id + '"]')) {
        var input = document.createElement("input");
        input.type = "hidden"; input.name = "mention_ids"; input.value = String(person.id);
        ids.appendChild(input);
      }
      close();
      area.focus();
    }
    function show(found) {
      list.replaceChildren();
      people = found;
      if (!found.length) { close(); return; }
      found.forEach(function (person, i) {
        var item = document.createElement("li");
        item.id = list.id + "-" + i;
        item.setAttribute("role", "option");
        item.className = "mention-option";
        var name = document.createElement("strong");
        name.textContent = person.name;
        var email = document.createElement("span");
        email.className = "muted small";
        email.textContent = " " + person.email;
        item.append(name, email);
        item.addEventListener("mousedown", function (event) { event.preventDefault(); pick(i); });
        list.appendChild(item);
      });
      list.hidden = false;
      area.setAttribute("aria-expanded", "true");
      highlight(0);
    }
    function lookup() {
      var typed = area.value.slice(0, area.selectionStart);
      var match = /(^|\s)@([^@\n]{0,40})$/.exec(typed);
      if (!match || match[2].split(" ").length > 3) { close(); return; }
      start = typed.length - match[2].length - 1;
      var text = match[2];
      if (text === asked && !list.hidden) return;
      asked = text;
      fetch(url + "?q=" + encodeURIComponent(text), {credentials: "same-origin", headers: {Accept: "application/json"}})
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (found) { if (asked === text) show(found); })
        .catch(close);
    }
    area.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(lookup, 120);
    });
    area.addEventListener("keydown", function (event) {
      if (list.hidden || !people.length) return;
      if (event.key === "ArrowDown") { event.preventDefault(); highlight((active + 1) % people.length); }
      else if (event.key === "ArrowUp") { event.preventDefault(); highlight((active - 1 + people.length) % people.length); }
      else if (event.key === "Enter" || event.key === "Tab") { event.preventDefault(); pick(active); }
      else if (event.key === "Escape") { event.preventDefault(); close(); }
    });
    area.addEventListener("blur", function () { window.setTimeout(close, 150); });
  });
})();
