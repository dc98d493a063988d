// Passkey forms (通行密鑰): sign in with a passkey alone, use one as the second step of a
// sign-in, add one to the account. On submit the page asks the hub for the ceremony's
// options, lets the browser's authenticator answer, puts the answer (JSON) in the form's
// "credential" field and sends the form. Messages come from the form's data attributes.
(function () {
  "use strict";

  function toBuffer(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) { base64 += "="; }
    var binary = atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) { bytes[i] = binary.charCodeAt(i); }
    return bytes.buffer;
  }

  function toText(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) { binary += String.fromCharCode(bytes[i]); }
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (item) {
      return { type: item.type, id: toBuffer(item.id), transports: item.transports };
    });
  }

  function creationOptions(options) {
    options.challenge = toBuffer(options.challenge);
    options.user.id = toBuffer(options.user.id);
    options.excludeCredentials = descriptors(options.excludeCredentials);
    return { publicKey: options };
  }

  function requestOptions(options) {
    options.challenge = toBuffer(options.challenge);
    options.allowCredentials = descriptors(options.allowCredentials);
    return { publicKey: options };
  }

  function created(credential) {
    var response = credential.response;
    return {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || null,
      clientExtensionResults: credential.getClientExtensionResults(),
      response: {
        clientDataJSON: toText(response.clientDataJSON),
        attestationObject: toText(response.attestationObject),
        transports: response.getTransports ? response.getTransports() : []
      }
    };
  }

  function asserted(credential) {
    var response = credential.response;
    return {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || null,
      clientExtensionResults: credential.getClientExtensionResults(),
      response: {
        clientDataJSON: toText(response.clientDataJSON),
        authenticatorData: toText(response.authenticatorData),
        signature: toText(response.signature),
        userHandle: response.userHandle ? toText(response.userHandle) : null
      }
    };
  }

  function setup(form) {
    var status = form.querySelector("[data-passkey-status]");
    var creating = form.dataset.passkey === "create";
    var busy = false;

    function say(message, isError) {
      status.textContent = message;
      status.className = isError ? "error" : "notice";
      status.setAttribute("role", isError ? "alert" : "status");
      status.hidden = false;
    }

    if (!window.PublicKeyCredential || !navigator.credentials) {
      say(form.dataset.msgUnsupported, true);
      form.querySelectorAll("button").forEach(function (button) { button.disabled = true; });
      return;
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (busy) { return; }
      var name = form.querySelector("[name=name]");
      if (name && !name.value.trim()) {
        say(form.dataset.msgName, true);
        name.focus();
        return;
      }
      busy = true;
      say(form.dataset.msgWorking, false);
      var body = new FormData();
      body.append("csrf_token", form.querySelector("[name=csrf_token]").value);
      fetch(form.dataset.optionsUrl, { method: "POST", body: body, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) { throw new Error("options"); }
          return response.json();
        })
        .then(function (options) {
          return creating
            ? navigator.credentials.create(creationOptions(options)).then(created)
            : navigator.credentials.get(requestOptions(options)).then(asserted);
        })
        .then(function (answer) {
          form.querySelector("[name=credential]").value = JSON.stringify(answer);
          HTMLFormElement.prototype.submit.call(form);
        })
        .catch(function (error) {
          busy = false;
          var cancelled = error && (error.name === "NotAllowedError" || error.name === "AbortError");
          say(cancelled ? form.dataset.msgCancelled : form.dataset.msgFailed, true);
        });
    });
  }

  document.querySelectorAll("[data-passkey]").forEach(setup);
})();
