// Text typed into a <form data-keep-draft> is kept in this browser tab (sessionStorage) while it is typed,
// put back when the page is shown again, and forgotten once the form has been saved or the user logs out.
// So a note survives a session that ended before it was sent: sign in again, and it is there.
//
// Privacy (docs/architecture.md#drafts): sessionStorage only, never localStorage: it belongs to one tab,
// goes when the tab is closed, and is cleared at logout; the key names the user, so someone who signs
// in afterwards in the same tab does not get the text back. Without script nothing is kept.
(function () {
  "use strict";
  var owner = document.body.dataset.draftOwner;
  var store;
  try { store = window.sessionStorage; } catch (e) { return; }
  if (!store) { return; }
  var PREFIX = "draft:";

  function keyOf(form) {
    return PREFIX + (owner || "-") + ":" + (form.getAttribute("action") || window.location.pathname) + ":" + (form.id || "");
  }
  function fieldsOf(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || el.disabled) { return false; }
      var type = (el.type || "").toLowerCase();
      return ["hidden", "password", "file", "submit", "button", "reset"].indexOf(type) === -1;
    });
  }
  function read(form) {
    var values = {};
    fieldsOf(form).forEach(function (el) {
      var type = (el.type || "").toLowerCase();
      if (type === "checkbox" || type === "radio") {
        if (el.checked) { (values[el.name] = values[el.name] || []).push(el.value); }
      } else if (el.tagName === "SELECT" && el.multiple) {
        values[el.name] = Array.prototype.filter.call(el.options, function (o) { return o.selected; })
          .map(function (o) { return o.value; });
      } else {
        values[el.name] = el.value;
      }
    });
    return values;
  }
  function write(form, values) {
    fieldsOf(form).forEach(function (el) {
      if (!(el.name in values)) { return; }
      var value = values[el.name];
      var type = (el.type || "").toLowerCase();
      if (type === "checkbox" || type === "radio") {
        el.checked = Array.isArray(value) && value.indexOf(el.value) !== -1;
      } else if (el.tagName === "SELECT" && el.multiple) {
        Array.prototype.forEach.call(el.options, function (o) { o.selected = value.indexOf(o.value) !== -1; });
      } else {
        el.value = value;
      }
    });
  }
  function hasText(values) {
    return Object.keys(values).some(function (name) {
      var value = values[name];
      return typeof value === "string" && value.trim() !== "";
    });
  }
  function note(form) {
    var text = document.body.dataset.draftRestored;
    if (!text) { return; }
    var p = document.createElement("p");
    p.className = "draft-note";
    p.setAttribute("role", "status");
    p.textContent = text;
    form.insertBefore(p, form.firstChild);
  }
  function savedJustNow(form) {
    // The page after a successful save says so (a success message) and shows the form without errors.
    return document.querySelector(".messages .message--success") !== null &&
      form.querySelector("[data-error-summary]") === null;
  }

  // A form sent from this tab whose next page says it was saved: its draft is done with, wherever
  // the form was (on its own page, or inline on the case page with htmx).
  if (document.querySelector(".messages .message--success") !== null &&
      document.querySelector("[data-error-summary]") === null) {
    Object.keys(store).forEach(function (k) {
      if (k.indexOf(PREFIX) === 0 && k.slice(-5) === ":sent") {
        store.removeItem(k.slice(0, -5));
        store.removeItem(k);
      }
    });
  }

  function attach(form) {
    if (form.dataset.draftKept) { return; }
    form.dataset.draftKept = "1";
    var key = keyOf(form);
    var pending = store.getItem(key + ":sent") !== null;
    store.removeItem(key + ":sent");
    var kept = store.getItem(key);
    if (kept !== null) {
      if (pending && savedJustNow(form)) {
        store.removeItem(key);
      } else if (form.querySelector("[data-error-summary]") === null) {
        try {
          var values = JSON.parse(kept);
          write(form, values);
          if (hasText(values)) { note(form); }
        } catch (e) { store.removeItem(key); }
      }
    }
    var remember = function () {
      var values = read(form);
      if (hasText(values)) { store.setItem(key, JSON.stringify(values)); } else { store.removeItem(key); }
    };
    form.addEventListener("input", remember);
    form.addEventListener("change", remember);
    form.addEventListener("reset", function () { store.removeItem(key); });
    form.addEventListener("submit", function () { store.setItem(key + ":sent", "1"); });
  }

  function attachWithin(root) {
    if (root.matches && root.matches("form[data-keep-draft]")) { attach(root); }
    if (root.querySelectorAll) { root.querySelectorAll("form[data-keep-draft]").forEach(attach); }
  }

  attachWithin(document);
  // A form htmx puts into the page (the case page's actions) keeps its draft too.
  document.addEventListener("htmx:load", function (event) { attachWithin(event.detail.elt); });

  // Logging out forgets every draft of this tab.
  document.querySelectorAll("form[data-logout]").forEach(function (form) {
    form.addEventListener("submit", function () {
      Object.keys(store).forEach(function (k) { if (k.indexOf(PREFIX) === 0) { store.removeItem(k); } });
    });
  });
}());
