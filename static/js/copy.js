/* Copy buttons: <button data-copy="ID"> copies the value of the input with that id.
   Uses the Clipboard API where the page is a secure context, else selects the text and
   falls back to execCommand, so the text is at least selected for Ctrl+C. */
(function () {
  "use strict";
  function copied(button) {
    var label = button.textContent;
    button.textContent = "Copied";
    button.classList.add("is-copied");
    window.setTimeout(function () { button.textContent = label; button.classList.remove("is-copied"); }, 2000);
  }
  function fallback(button, input) {
    input.focus();
    input.select();
    try { if (document.execCommand("copy")) { copied(button); } } catch (e) { /* the text stays selected */ }
  }
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var input = document.getElementById(button.getAttribute("data-copy"));
    if (!input) { return; }
    button.addEventListener("click", function () {
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(function () { copied(button); },
                                                        function () { fallback(button, input); });
      } else {
        fallback(button, input);
      }
    });
  });
})();
