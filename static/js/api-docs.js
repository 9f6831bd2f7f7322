// Starts Swagger UI on /api/docs. A file of its own, not an inline script, so the page's
// Content-Security-Policy can refuse every script it did not serve.
window.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.specUrl,
    domNode: root,
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    validatorUrl: null,  // never send the document to an outside validator
    displayRequestDuration: true,
  });
});
