// The API's interactive documentation: Swagger UI (vendored, no CDN) reading /api/v1/openapi.json.
// validatorUrl null: Swagger UI would otherwise send the document to an outside validator.
window.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") return;
  window.SwaggerUIBundle({ url: root.dataset.specUrl, domNode: root, validatorUrl: null,
                           deepLinking: false, persistAuthorization: false });
});
