// Jengu dashboard: small progressive enhancement. Every page works without it (and without htmx).
// - htmx requests carry the session's CSRF token (read from the page's logout form) as X-CSRF-Token.
// - a 401 from an htmx request (the session ended) goes to the sign-in page (htmx follows HX-Redirect itself;
//   this covers an answer without it).
// - forms with data-confirm="..." ask before submitting.
(function () {
  "use strict";
  function csrfToken() {
    var field = document.querySelector('form[action="/logout"] input[name="csrf"]');
    return field ? field.value : "";
  }
  document.addEventListener("htmx:configRequest", function (event) {
    var token = csrfToken();
    if (token) { event.detail.headers["X-CSRF-Token"] = token; }
  });
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.status === 401) {
      window.location.assign("/login?next=" + encodeURIComponent(window.location.pathname + window.location.search));
    }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form && form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); }
  });
})();
