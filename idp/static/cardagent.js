// Card forms (憑證登入, 醫事機構卡驗證, 註冊醫事人員卡): list the cards through the card
// agent on this computer, then on submit get a challenge from the hub, have the agent
// sign it with the chosen card after the PIN, and post the certificate and signature.
// The PIN is sent to the agent only (its field has no name). Nothing is said about the
// agent where no card is being used.
(function () {
  "use strict";

  function messages(form) {
    return {
      ready: form.dataset.msgReady,
      no_agent: form.dataset.msgNoAgent,
      no_card: form.dataset.msgNoCard,
      no_module: form.dataset.msgNoModule,
      wrong_pin: form.dataset.msgWrongPin,
      last_try: form.dataset.msgLastTry,
      pin_locked: form.dataset.msgPinLocked,
      failed: form.dataset.msgFailed,
      signing: form.dataset.msgSigning
    };
  }

  function setup(form) {
    var agent = form.dataset.agent;
    var text = messages(form);
    var status = form.querySelector("[data-card-status]");
    var choice = form.querySelector("[data-card-choice]");
    var pin = form.querySelector("[data-card-pin]");
    var account = form.querySelector("[data-card-account]");
    var busy = false;

    function say(message, isError) {
      status.textContent = message;
      status.className = isError ? "error" : "notice";
      status.setAttribute("role", isError ? "alert" : "status");
    }

    function showAccount() {
      if (!account) { return; }
      var kind = form.querySelector("[data-card-kind]:checked");
      account.hidden = kind && kind.value !== "institution";
    }
    form.querySelectorAll("[data-card-kind]").forEach(function (radio) {
      radio.addEventListener("change", showAccount);
    });
    showAccount();

    function listCards() {
      return fetch(agent + "/certificates", { cache: "no-store" })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          if (data.error) { throw new Error(data.error); }
          choice.innerHTML = "";
          data.certificates.forEach(function (card) {
            var option = document.createElement("option");
            option.value = card.token + "|" + card.key_id;
            option.textContent = card.token_label + " — " + card.subject;
            choice.appendChild(option);
          });
          say(data.certificates.length ? text.ready : text.no_card, !data.certificates.length);
        })
        .catch(function (error) {
          say(error.message === "no_module" ? text.no_module : text.no_agent, true);
        });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (busy || !choice.value) { return; }
      busy = true;
      say(text.signing, false);
      var picked = choice.value.split("|");
      var body = new FormData();
      body.append("purpose", form.dataset.purpose);
      body.append("csrf_token", form.querySelector("[name=csrf_token]").value);
      fetch(form.dataset.challengeUrl, { method: "POST", body: body, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) { throw new Error("failed"); }
          return response.json();
        })
        .then(function (hub) {
          return fetch(agent + "/sign", {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify({
              challenge: hub.challenge, pin: pin.value, token: picked[0], key_id: picked[1]
            })
          }).then(function (response) {
            return response.json().then(function (answer) { return [hub.challenge, answer]; });
          });
        })
        .then(function (result) {
          var answer = result[1];
          pin.value = "";
          if (answer.error) {
            var message = answer.error === "wrong_pin" && answer.tries_left === 1
              ? text.last_try : (text[answer.error] || text.failed);
            throw new Error(message);
          }
          form.querySelector("[name=challenge]").value = result[0];
          form.querySelector("[name=certificate]").value = answer.certificate;
          form.querySelector("[name=signature]").value = answer.signature;
          form.querySelector("[name=signature_format]").value = answer.signature_format;
          HTMLFormElement.prototype.submit.call(form);
        })
        .catch(function (error) {
          busy = false;
          var known = Object.values(text).indexOf(error.message) >= 0;
          say(known ? error.message : text.no_agent, true);
          pin.focus();
        });
    });

    // The agent is asked only once a card is to be used: a card form folded away in a
    // <details> (憑證登入, 醫事機構卡驗證) waits until it is opened.
    var holder = form.closest("details");
    if (holder && !holder.open) {
      holder.addEventListener("toggle", function opened() {
        if (!holder.open) { return; }
        holder.removeEventListener("toggle", opened);
        listCards();
      });
    } else {
      listCards();
    }
  }

  document.querySelectorAll("[data-card-form]").forEach(setup);
})();
