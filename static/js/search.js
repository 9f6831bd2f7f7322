/* The top bar's search box: "/" focuses it from anywhere on the page, as on GitHub and in Gmail,
   unless the person is typing in a field already. Loaded on every page by base.html. */
(function () {
  "use strict";
  function typing(target) {
    if (!target || !target.closest) { return false; }
    return Boolean(target.closest("input, textarea, select, [contenteditable=''], [contenteditable='true']"));
  }
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    var box = document.getElementById("topbar-search");
    if (!box) { return; }
    event.preventDefault();  // the "/" is a shortcut, not the first character of the query
    box.focus();
    box.select();
  });
})();
