/* The commitment form's live feasibility checks: as the seller changes the terms, ask the server
   (the same checks the product manager reads) and show its findings; saving nothing. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-checks-url]");
  var out = document.getElementById("live-checks-result");
  if (!form || !out || !window.fetch || !window.FormData) { return; }
  var url = form.getAttribute("data-checks-url");
  var watched = ["product_id", "region_id", "band_id", "unit_price", "discount_percent", "quantity",
                 "promised_date", "milestone_id"];
  var timer = null, asked = 0;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text) { node.textContent = text; }
    return node;
  }

  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

  function show(answer) {
    var box = el("div");
    if (!answer.checked) {
      box.appendChild(el("p", "muted small", "Choose a product, a region and a valid date to see the checks."));
    } else if (!answer.findings.length) {
      var pass = el("p", "finding finding-pass");
      pass.appendChild(el("span", "finding-label", "All checks pass"));
      pass.appendChild(el("span", "", "Sellable in that region and available by the promised date."));
      box.appendChild(pass);
    } else {
      var parts = [];
      if (answer.blockers) { parts.push(plural(answer.blockers, "blocker")); }
      if (answer.warnings) { parts.push(plural(answer.warnings, "warning")); }
      box.appendChild(el("p", "small live-checks-summary " + (answer.blockers ? "text-danger" : "text-warning"),
        parts.join(" · ") + (answer.blockers ? ": the product manager will see " + (answer.blockers === 1 ? "it" : "them")
          + "; submitting needs your justification." : ".")));
      var list = el("ul", "findings");
      answer.findings.forEach(function (f) {
        var item = el("li", "finding finding-" + f.severity);
        item.setAttribute("data-code", f.code);
        item.appendChild(el("span", "finding-label", f.severity === "blocker" ? "Blocker" : "Warning"));
        item.appendChild(el("span", "", f.message));
        list.appendChild(item);
      });
      box.appendChild(list);
    }
    out.replaceChildren(box);
    out.setAttribute("data-state", !answer.checked ? "incomplete" : (answer.blockers ? "blocked" : "clear"));
  }

  function check() {
    var mine = ++asked;
    fetch(url, {method: "POST", body: new FormData(form), credentials: "same-origin",
                headers: {"X-Requested-With": "fetch", "Accept": "application/json"}})
      .then(function (response) { if (!response.ok) { throw new Error(String(response.status)); } return response.json(); })
      .then(function (answer) { if (mine === asked) { show(answer); } })
      .catch(function () {
        if (mine === asked) {
          out.replaceChildren(el("p", "muted small", "The checks could not be run just now; saving shows them on the draft's page."));
        }
      });
  }

  function soon() {
    window.clearTimeout(timer);
    timer = window.setTimeout(check, 350);  // one request once typing pauses, not one per key
  }

  watched.forEach(function (name) {
    var field = form.elements.namedItem(name);
    if (field) {
      field.addEventListener("input", soon);
      field.addEventListener("change", soon);
    }
  });
  check();
})();
