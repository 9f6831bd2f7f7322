/* A table or chart wider than its box scrolls sideways inside it. A mouse or a finger can scroll it,
   a keyboard only what it can focus (WCAG 2.1.1): so while, and only while, such a box overflows, it
   is a focusable region named after its card's heading, and the arrow keys scroll it. Checked at
   load and whenever the window's width changes (a phone turned, a window narrowed). Loaded on
   every page by base.html. */
(function () {
  "use strict";
  var BOXES = ".table-wrap, .chart";

  function nameOf(box) {
    var caption = box.querySelector("caption");
    var card = box.closest("section, article, .card");
    var heading = caption || (card && card.querySelector("h1, h2, h3"));
    var title = heading ? heading.textContent.replace(/\s+/g, " ").trim() : "";
    return (title || (box.querySelector("table") ? "Table" : "Chart")) + " (scrolls sideways)";
  }

  function update(box) {
    var overflows = box.scrollWidth > box.clientWidth + 1;
    var marked = box.hasAttribute("data-scroll-region");
    if (overflows && !marked && !box.hasAttribute("tabindex")) {
      box.setAttribute("data-scroll-region", "");
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", nameOf(box));
    } else if (!overflows && marked) {
      ["data-scroll-region", "tabindex", "role", "aria-label"].forEach(function (name) { box.removeAttribute(name); });
    }
  }

  function updateAll() { document.querySelectorAll(BOXES).forEach(update); }

  updateAll();
  var pending = false;
  window.addEventListener("resize", function () {
    if (pending) { return; }
    pending = true;
    window.requestAnimationFrame(function () { pending = false; updateAll(); });
  });
})();
