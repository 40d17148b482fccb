// Runs in the browser on /api/docs/; copied to public/docs-assets/docs.js by scripts/build-assets.mjs.
// A file rather than an inline script so the page's CSP can forbid inline scripts.
window.ui = SwaggerUIBundle({
  url: "/api/schema/",
  dom_id: "#swagger-ui",
  deepLinking: true,
  // The default validator badge would send the document to a third-party service.
  validatorUrl: null,
  tryItOutEnabled: false,
  persistAuthorization: false,
});
