// 帳號申請: show only the menu roles of the duty chosen for each subsystem. Without this
// script every duty's menu roles are listed, and the server accepts only the chosen duty's.
(function () {
  "use strict";
  document.querySelectorAll("fieldset.subsystem").forEach(function (box) {
    var duty = box.querySelector("[data-duty-select]");
    if (!duty) { return; }
    function show() {
      box.querySelectorAll("fieldset.menu-roles").forEach(function (roles) {
        var mine = roles.dataset.duty === duty.value;
        roles.hidden = !mine;
        if (!mine) {
          roles.querySelectorAll("input[type=checkbox]").forEach(function (c) { c.checked = false; });
        }
      });
    }
    duty.addEventListener("change", show);
    show();
  });
}());
