// Captcha refresh (更新驗證碼) and playback (語音撥放). Without JavaScript the audio link
// opens the recording and reloading the page gives a new code.
(function () {
  "use strict";
  document.querySelectorAll("[data-captcha]").forEach(function (box) {
    var image = box.querySelector("[data-captcha-image]");
    var idField = box.querySelector("[data-captcha-id]");
    var audioLink = box.querySelector("[data-captcha-audio]");
    var refresh = box.querySelector("[data-captcha-refresh]");
    var answer = box.querySelector("input[name=captcha_answer]");
    var player = null;

    audioLink.addEventListener("click", function (event) {
      event.preventDefault();
      if (player) { player.pause(); }
      player = new Audio(audioLink.getAttribute("href"));
      player.play();
    });

    refresh.addEventListener("click", function () {
      fetch(refresh.dataset.url, { credentials: "same-origin", cache: "no-store" })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          idField.value = data.id;
          image.src = data.image;
          audioLink.setAttribute("href", data.audio);
          answer.value = "";
          answer.focus();
        });
    });
  });
})();
