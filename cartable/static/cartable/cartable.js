// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Password strength hint next to inputs marked data-strength (the server enforces the rule anyway).
  function classes(p) {
    return [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter(function (r) { return r.test(p); }).length;
  }
  // The numbers of the person's rule come from the field (cartable.accounts.passwords: 12/20 for adults,
  // 8/16 for pupils).
  function level(p, min, phrase) {
    var words = p.split(/[\s\-_.,;]+/).filter(Boolean).length;
    var passphrase = p.length >= phrase && words >= 4;
    if (passphrase || (p.length >= min + 4 && classes(p) >= 3)) return "strong";
    if (p.length >= min && classes(p) >= 3) return "fair";
    return "weak";
  }
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[data-strength]")) return;
    var out = document.getElementById(input.dataset.strength);
    if (!out) return;
    var l = level(input.value, Number(input.dataset.minLength) || 12, Number(input.dataset.passphraseLength) || 20);
    out.textContent = out.dataset["label" + l.charAt(0).toUpperCase() + l.slice(1)];
    out.className = "strength strength-" + l;
  });
  // After a failed submit the keyboard goes to the first error: the errors of the whole form, which come first, or
  // else the first field in error. The server already marks it autofocus (cartable/lib/forms.py,
  // includes/form_errors.html); this covers fields drawn by hand and forms that htmx puts into the page.
  function focusFirstError(root) {
    var target = root.querySelector(".form-errors") || root.querySelector("[aria-invalid='true']");
    if (target && !target.contains(document.activeElement)) target.focus();
  }
  document.addEventListener("DOMContentLoaded", function () {
    var active = document.activeElement;
    if (!active || active === document.body) focusFirstError(document);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    // Only after a submit: a search as you type must not take the focus away from its field.
    var config = event.detail && event.detail.requestConfig;
    if (config && config.verb !== "get" && event.target.querySelector) focusFirstError(event.target);
  });
  // Ask before destructive actions (forms marked data-confirm).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) event.preventDefault();
  });
})();
