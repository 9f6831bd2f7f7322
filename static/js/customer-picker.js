// A customer field's suggestions: as one types, ask /customers/suggest (at most 20 names) and offer them in
// the field's <datalist>. Saving resolves the name on the server (an exact match, case, punctuation and legal
// form aside, is that customer; anything else is recorded as a new one), so this only spares typing.
(function () {
  "use strict";
  document.querySelectorAll("input[data-customer-suggest]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    var url = input.getAttribute("data-customer-suggest");
    var timer = null;
    var asked = "";
    if (!list || !url) return;
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var text = input.value.trim();
        if (text.length < 2 || text === asked) return;
        asked = text;
        fetch(url + "?q=" + encodeURIComponent(text), {credentials: "same-origin", headers: {Accept: "application/json"}})
          .then(function (response) { return response.ok ? response.json() : []; })
          .then(function (customers) {
            list.replaceChildren();
            customers.forEach(function (customer) {
              var option = document.createElement("option");
              option.value = customer.name;
              if (customer.domain) option.label = customer.name + " · " + customer.domain;
              list.appendChild(option);
            });
          })
          .catch(function () { /* no suggestions: typing the name still works */ });
      }, 200);
    });
  });
})();
