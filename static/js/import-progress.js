// The import page while an import runs: poll its status and draw the progress bar; reload when it ends.
// A file, not an inline script: the Content-Security-Policy runs none.
(function () {
  "use strict";
  var card = document.getElementById("import-progress");
  if (!card) { return; }
  var url = card.getAttribute("data-status-url");
  var text = document.getElementById("import-progress-text");
  var rect = card.querySelector(".progress-bar rect");
  var label = card.querySelector(".progress-text");
  var bar = card.querySelector(".progress");

  function draw(done, rows) {
    var pct = rows ? Math.min(100, Math.max(0, done * 100 / rows)) : 0;
    if (rect) { rect.setAttribute("width", pct.toFixed(1) + "%"); }
    if (label) { label.textContent = Math.round(pct) + "%"; }
    if (bar) { bar.setAttribute("aria-valuenow", String(Math.round(pct))); }
    if (text) { text.textContent = done + " of " + rows + " rows written"; }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (status) {
        if (!status) { window.setTimeout(poll, 3000); return; }
        draw(status.rows_done, status.rows);
        if (status.finished) { window.location.reload(); return; }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }

  window.setTimeout(poll, 500);
}());
