/* A refused step's tooltip (templates/macros/ui.html, refused_step) shows on hover and on focus
   without script; this lets Escape hide it while the pointer or focus stays (WCAG 1.4.13), until
   the pointer leaves or focus moves on. Loaded on every page by base.html. */
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    document.querySelectorAll(".step-refused:hover, .step-refused:focus-within").forEach(function (step) {
      step.classList.add("why-dismissed");
    });
  });
  function restore(event) {
    var step = event.target.closest ? event.target.closest(".step-refused.why-dismissed") : null;
    if (step && !step.contains(event.relatedTarget)) { step.classList.remove("why-dismissed"); }
  }
  document.addEventListener("focusout", restore);
  document.addEventListener("mouseout", restore);
})();
