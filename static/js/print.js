/* A sales sheet's "Print" button: <button data-print> opens the browser's print dialog
   (a file, because the Content-Security-Policy runs no inline handler). */
(function () {
  "use strict";
  document.querySelectorAll("button[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
