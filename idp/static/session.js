// 已閒置 N 分鐘, and a warning before the idle timeout ends the session.
(function () {
  "use strict";
  var box = document.querySelector("[data-session-timer]");
  if (!box) { return; }
  var dialog = document.querySelector("[data-idle-dialog]");
  var minutes = box.querySelector("[data-idle-minutes]");
  var idle = parseInt(box.dataset.idleSeconds, 10);
  var warn = parseInt(box.dataset.warnSeconds, 10);
  var token = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var since = Date.now();
  var previousFocus = null;

  function elapsed() { return Math.floor((Date.now() - since) / 1000); }

  function tick() {
    var seconds = elapsed();
    minutes.textContent = String(Math.floor(seconds / 60));
    if (seconds >= idle) {
      window.location.assign(box.dataset.expired);
    } else if (warn > 0 && seconds >= idle - warn && dialog.hidden) {
      previousFocus = document.activeElement;
      dialog.hidden = false;
      dialog.querySelector("[data-idle-continue]").focus();
    }
  }

  dialog.querySelector("[data-idle-continue]").addEventListener("click", function () {
    fetch(box.dataset.keepalive, {
      method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": token }
    })
      .then(function (response) { return response.json(); })
      .then(function (result) {
        if (!result.signed_in) { window.location.assign(box.dataset.expired); return; }
        since = Date.now();
        dialog.hidden = true;
        tick();
        if (previousFocus) { previousFocus.focus(); }
      });
  });

  tick();
  setInterval(tick, 1000);
})();
