// Every multiple choice is a list of checkboxes (app/core/widgets.py) that posts without this script. The
// script adds what a long list needs: the count kept current (read out politely), arrow keys between the
// options with only one of them in the Tab order (so Tab leaves a list of 200 in one press), and, on a
// list long enough to scroll, a filter box hiding the options that do not match and the chosen ones as
// chips that remove them, so nothing chosen is out of sight.
(function () {
  "use strict";

  // "Müller" is found by "muller": the filter ignores case and accents.
  function folded(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }

  function enhance(widget) {
    var boxes = Array.prototype.slice.call(widget.querySelectorAll(".multiselect-options input[type=checkbox]"));
    var count = widget.querySelector(".multiselect-count");
    var filter = widget.querySelector(".multiselect-filter");
    var none = widget.querySelector(".multiselect-none");
    var chips = null;
    if (!boxes.length) return;

    function label(box) { return box.labels && box.labels[0] ? box.labels[0].textContent : box.value; }
    function shown() { return boxes.filter(function (box) { return !box.parentElement.hidden; }); }
    function makeCurrent(box) { boxes.forEach(function (other) { other.tabIndex = other === box ? 0 : -1; }); }

    function drawChips() {
      chips.replaceChildren();
      boxes.forEach(function (box) {
        if (!box.checked) return;
        var item = document.createElement("li");
        var button = document.createElement("button");
        var cross = document.createElement("span");
        button.type = "button";
        button.className = "chip";
        button.textContent = label(box);
        button.setAttribute("aria-label", "Remove " + label(box));
        cross.setAttribute("aria-hidden", "true");
        cross.textContent = "×";
        button.appendChild(cross);
        button.addEventListener("click", function () {
          var place = Array.prototype.indexOf.call(chips.children, item);
          box.checked = false;
          box.dispatchEvent(new Event("change", {bubbles: true}));
          // Focus stays among the chips (the next one, else the last), else goes back to the filter.
          var next = chips.children[place] || chips.children[place - 1];
          (next ? next.querySelector("button") : filter).focus();
        });
        item.appendChild(button);
        chips.appendChild(item);
      });
      chips.hidden = !chips.children.length;
    }

    function applyFilter() {
      var query = folded(filter.value);
      boxes.forEach(function (box) { box.parentElement.hidden = query !== "" && folded(label(box)).indexOf(query) === -1; });
      var visible = shown();
      none.textContent = visible.length ? "" : "No option matches “" + filter.value.trim() + "”.";
      if (visible.length && visible.indexOf(boxes.find(function (box) { return box.tabIndex === 0; })) === -1) {
        makeCurrent(visible[0]);
      }
    }

    widget.addEventListener("change", function () {
      var chosen = boxes.filter(function (box) { return box.checked; }).length;
      count.textContent = chosen === 0 ? "None selected" : chosen + " selected";
      if (chips) drawChips();
    });

    count.parentElement.hidden = false;
    makeCurrent(boxes[0]);
    widget.addEventListener("focusin", function (event) {
      if (boxes.indexOf(event.target) !== -1) makeCurrent(event.target);
    });
    widget.querySelector(".multiselect-options").addEventListener("keydown", function (event) {
      var visible = shown();
      var at = visible.indexOf(event.target);
      var to = {ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: visible.length - 1}[event.key];
      if (at === -1 || to === undefined || event.altKey || event.ctrlKey || event.metaKey) return;
      event.preventDefault();  // the keys move between the options, not the page
      if (to < 0) {
        if (filter) filter.focus();
      } else if (to < visible.length) {
        visible[to].focus();
      }
    });

    if (!filter) return;
    filter.hidden = false;
    chips = document.createElement("ul");
    chips.className = "multiselect-chips";
    chips.setAttribute("aria-label", "Chosen");
    widget.querySelector(".multiselect-summary").appendChild(chips);
    drawChips();
    filter.addEventListener("input", applyFilter);
    filter.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();  // Enter would send the whole form half-filled
      } else if (event.key === "ArrowDown" && shown().length) {
        event.preventDefault();
        shown()[0].focus();
      } else if (event.key === "Escape" && filter.value) {
        event.preventDefault();
        filter.value = "";
        applyFilter();
      }
    });
  }

  document.querySelectorAll("[data-multiselect]").forEach(enhance);
})();
