/**
 * Swagger UI, from this origin only: its files are Workers static assets under /docs-assets/
 * (copied from swagger-ui-dist by scripts/build-assets.mjs), and the start-up script is a file
 * too, so the Content-Security-Policy can stay `script-src 'self'` with no inline script.
 */
export const docsPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>edge-shop API docs</title>
<link rel="stylesheet" href="/docs-assets/swagger-ui.css">
<link rel="icon" type="image/png" href="/docs-assets/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs-assets/swagger-ui-bundle.js"></script>
<script src="/docs-assets/docs.js"></script>
</body>
</html>
`;
