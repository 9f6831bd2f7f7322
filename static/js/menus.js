/* Menus in the top bar are <details> elements (they open without script); this closes an open one
   when the person clicks elsewhere or presses Escape, as menus do. Loaded on every page by base.html. */
(function () {
  "use strict";
  function closeAll(except) {
    document.querySelectorAll("details.nav-menu[open]").forEach(function (menu) {
      if (menu !== except) { menu.removeAttribute("open"); }
    });
  }
  document.addEventListener("click", function (event) {
    closeAll(event.target.closest ? event.target.closest("details.nav-menu") : null);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { closeAll(null); }
  });
})();
