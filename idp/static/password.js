// Strength meter (密碼強度：弱 / 中 / 強). The verdict comes from the server, which
// applies the same rules as when the form is sent; this only shows it as you type.
(function () {
  "use strict";
  var token = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  document.querySelectorAll("[data-strength]").forEach(function (input) {
    var form = input.form;
    var level = form.querySelector("[data-strength-level]");
    var bar = form.querySelector("[data-strength-bar]");
    var problems = form.querySelector("[data-strength-problems]");
    var timer = null;
    var sequence = 0;

    function show(result) {
      level.textContent = result.level_text;
      bar.setAttribute("data-level", result.level);
      problems.innerHTML = "";
      result.problems.forEach(function (text) {
        var item = document.createElement("li");
        item.textContent = text;
        problems.appendChild(item);
      });
      input.setAttribute("aria-invalid", result.ok ? "false" : "true");
    }

    function check() {
      var body = new FormData();
      body.append("password", input.value);
      form.querySelectorAll("[data-strength-context]").forEach(function (field) {
        body.append(field.name, field.value);
      });
      var mine = ++sequence;
      fetch(input.dataset.strengthUrl, {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "X-CSRFToken": token }
      })
        .then(function (response) { return response.json(); })
        .then(function (result) { if (mine === sequence) { show(result); } });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(check, 250);
    });
  });
})();
