// The warning before the session ends (templates/base.html, #session-warning).
//
// The server ends a session after SESSION_IDLE_MINUTES without a request; every request renews it. This
// script counts from the last request of this page (and of other tabs: localStorage holds the latest),
// shows the warning a few minutes before the end, and renews the session only when the user presses
// "Stay signed in": it never pings on its own, so a forgotten screen still signs itself out.
// Without script the warning stays hidden and nothing else changes.
(function () {
  "use strict";
  var box = document.getElementById("session-warning");
  if (!box) { return; }
  var seconds = parseInt(box.dataset.sessionSeconds, 10);
  var warnBefore = parseInt(box.dataset.sessionWarningSeconds, 10);
  if (!(seconds > 0)) { return; }
  var KEY = "session-renewed-at";
  var form = box.querySelector("form");
  var timer = null;
  var dismissedFor = 0;
  var returnFocus = null;

  function now() { return Date.now(); }
  function renewedAt() {
    var mine = parseInt(box.dataset.renewedAt, 10) || 0;
    var shared = 0;
    try { shared = parseInt(window.localStorage.getItem(KEY), 10) || 0; } catch (e) { shared = 0; }
    return Math.max(mine, shared);
  }
  function renewed() {
    var at = now();
    box.dataset.renewedAt = String(at);
    try { window.localStorage.setItem(KEY, String(at)); } catch (e) { /* private mode: this tab only */ }
    dismissedFor = 0;
    hide();
    schedule();
  }
  function parts(state) {
    box.querySelectorAll("[data-session-part]").forEach(function (el) {
      el.hidden = el.dataset.sessionPart !== state;
    });
  }
  function show(state, endsAt) {
    var time = box.querySelector("[data-session-ends]");
    if (time) {
      var end = new Date(endsAt);
      time.dateTime = end.toISOString();
      time.textContent = end.toLocaleTimeString("sv-SE", { hour: "2-digit", minute: "2-digit" });
    }
    parts(state);
    var wasHidden = box.hidden;
    box.hidden = false;
    box.setAttribute("aria-labelledby", state === "ended" ? "session-ended-heading" : "session-warning-heading");
    box.setAttribute("aria-describedby", state === "ended" ? "session-ended-text" : "session-warning-text");
    if (wasHidden) {
      returnFocus = document.activeElement;
      var target = box.querySelector(state === "ended" ? "[data-session-part=ended] a" : "[data-session-stay]");
      if (target) { target.focus(); }
    } else if (state === "ended") {
      var link = box.querySelector("[data-session-part=ended] a");
      if (link) { link.focus(); }
    }
  }
  function hide() {
    if (box.hidden) { return; }
    box.hidden = true;
    if (returnFocus && document.contains(returnFocus)) { returnFocus.focus(); }
    returnFocus = null;
  }
  function check() {
    var endsAt = renewedAt() + seconds * 1000;
    var left = endsAt - now();
    if (left <= 0) {
      show("ended", endsAt);
      return;
    }
    if (left <= warnBefore * 1000) {
      if (dismissedFor !== endsAt) { show("ending", endsAt); }
    } else {
      hide();
    }
    schedule();
  }
  function schedule() {
    window.clearTimeout(timer);
    var endsAt = renewedAt() + seconds * 1000;
    var next = endsAt - warnBefore * 1000 - now();
    if (next <= 0) { next = Math.min(1000, Math.max(endsAt - now(), 0)) || 1000; }
    timer = window.setTimeout(check, next);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var body = new FormData(form);
    window.fetch(form.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
      redirect: "manual"
    }).then(function (response) {
      if (response.status === 204) { renewed(); } else { show("ended", now()); }
    }, function () { form.submit(); });
  });
  box.querySelector("[data-session-dismiss]").addEventListener("click", function () {
    dismissedFor = renewedAt() + seconds * 1000;
    hide();
  });
  box.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !box.querySelector("[data-session-part=ending][hidden]")) {
      dismissedFor = renewedAt() + seconds * 1000;
      hide();
    }
  });
  // htmx requests renew the session as page loads do.
  document.body.addEventListener("htmx:afterRequest", renewed);
  window.addEventListener("storage", function (event) { if (event.key === KEY) { check(); } });
  renewed();
}());
