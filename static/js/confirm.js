/* Ask before a destructive submit: a form, or the button that submits it, with data-confirm="Question?".
   Loaded on every page by base.html; the Content-Security-Policy runs no inline onclick/onsubmit. */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var question = (button && button.getAttribute("data-confirm")) || event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
})();
