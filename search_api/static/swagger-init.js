/* Starts Swagger UI on /docs (a static file, not an inline script, so the page runs under the CSP). */
(function () {
  "use strict";
  var el = document.getElementById("swagger-ui");
  if (!el || !window.SwaggerUIBundle) return;
  window.ui = window.SwaggerUIBundle({
    url: el.getAttribute("data-openapi-url"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    layout: "BaseLayout",
    presets: [window.SwaggerUIBundle.presets.apis],
    // no validator badge: it would send the spec to an outside service
    validatorUrl: null
  });
})();
