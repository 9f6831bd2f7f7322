/* The commitment form: offer only the chosen product's price bands; the server refuses a mismatch anyway. */
(function () {
  "use strict";
  var product = document.getElementById("product_id"), band = document.getElementById("band_id");
  if (!product || !band) { return; }
  function filter() {
    Array.prototype.forEach.call(band.options, function (option) {
      var owner = option.getAttribute("data-product");
      option.hidden = owner !== null && owner !== product.value;
    });
    var chosen = band.options[band.selectedIndex];
    if (chosen && chosen.hidden) { band.value = ""; }
  }
  product.addEventListener("change", filter);
  filter();
})();
