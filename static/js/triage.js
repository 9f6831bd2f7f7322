/* The triage form: show only what the chosen decision needs; without a choice (or without
   JavaScript) everything shows. */
(function () {
  "use strict";
  var form = document.querySelector(".triage-form");
  if (!form) { return; }
  function update() {
    var chosen = form.querySelector("input[name=event]:checked");
    form.querySelectorAll(".triage-part").forEach(function (part) {
      part.hidden = chosen !== null && part.getAttribute("data-for") !== chosen.value;
    });
  }
  form.addEventListener("change", update);
  update();
})();
