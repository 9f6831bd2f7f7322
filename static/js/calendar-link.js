/* The new calendar link form: the campaign choice only for a campaign calendar, and "only mine"
   only for My calendar. */
(function () {
  "use strict";
  var radios = document.querySelectorAll("input[data-kind]");
  function sync() {
    var chosen = document.querySelector("input[data-kind]:checked");
    var kind = chosen ? chosen.value : "";
    document.querySelectorAll("[data-for-kind]").forEach(function (part) {
      part.hidden = part.getAttribute("data-for-kind") !== kind;
    });
  }
  radios.forEach(function (radio) { radio.addEventListener("change", sync); });
  sync();
})();
