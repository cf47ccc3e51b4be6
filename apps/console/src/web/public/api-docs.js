/* global window */
// The API reference page (/api/docs): swagger-ui on the console's own OpenAPI document.
// Served from 'self', so the strict CSP (no inline scripts) allows it.
(function () {
  'use strict';
  window.SwaggerUIBundle({
    url: '/api/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    // Nothing leaves this origin: no third-party validator badge.
    validatorUrl: null,
    // A signed-in browser's calls from "Try it out" carry its session cookie.
    withCredentials: true,
  });
})();
