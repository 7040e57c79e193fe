// Passkeys (WebAuthn): registration on the account pages, the second step of the login. Progressive
// enhancement: the parts are hidden in the HTML and shown only where the browser offers passkeys.
(function () {
  "use strict";
  if (!window.PublicKeyCredential || !navigator.credentials) { return; }

  function toBytes(b64url) {
    const b64 = b64url.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((b64url.length + 3) % 4);
    return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  }
  function toB64url(buffer) {
    let text = "";
    new Uint8Array(buffer).forEach((b) => { text += String.fromCharCode(b); });
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function post(url, csrf, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json"},
      body: JSON.stringify(body || {}),
    }).then((r) => r.json().then((data) => {
      if (!r.ok) { throw new Error(data.message || ""); }
      return data;
    }));
  }
  function credentialJSON(cred) {
    const r = cred.response;
    const out = {id: cred.id, rawId: toB64url(cred.rawId), type: cred.type, clientExtensionResults: {},
                 response: {clientDataJSON: toB64url(r.clientDataJSON)}};
    if (r.attestationObject) {
      out.response.attestationObject = toB64url(r.attestationObject);
      if (r.getTransports) { out.response.transports = r.getTransports(); }
    } else {
      out.response.authenticatorData = toB64url(r.authenticatorData);
      out.response.signature = toB64url(r.signature);
      if (r.userHandle) { out.response.userHandle = toB64url(r.userHandle); }
    }
    if (cred.authenticatorAttachment) { out.authenticatorAttachment = cred.authenticatorAttachment; }
    return out;
  }
  function showError(box, error) {
    const p = box.querySelector("[data-passkey-error]");
    // The browser's own errors (DOMException) are in English whatever the page's language: show
    // the page's translated text instead; our server's messages come translated already.
    if (error && error.name === "NotAllowedError") {
      p.textContent = p.dataset.cancelled;
    } else if (error && error.name === "Error" && error.message) {
      p.textContent = error.message;  // thrown by post() with the server's message
    } else {
      p.textContent = p.dataset.failed;  // DOMException, or a reply that was not our JSON
    }
    p.hidden = false;
  }

  // One ceremony for both uses: fetch the options, let `ask` decode them and call the browser, then
  // send the credential with `extra()` (read at the click, so a name typed just before counts).
  function ceremony(box, ask, finishUrl, extra) {
    const button = box.querySelector("[data-passkey-start]");
    button.addEventListener("click", () => {
      button.disabled = true;
      const csrf = box.dataset.csrf;
      post(box.dataset.optionsUrl, csrf).then((o) => {
        o.challenge = toBytes(o.challenge);
        return ask(o);
      }).then((cred) => post(finishUrl, csrf, Object.assign({credential: credentialJSON(cred)}, extra())))
        .then((data) => { window.location.assign(data.redirect); })
        .catch((e) => { button.disabled = false; showError(box, e); });
    });
    box.hidden = false;
  }

  function register(box) {
    ceremony(box, (o) => {
      o.user.id = toBytes(o.user.id);
      (o.excludeCredentials || []).forEach((c) => { c.id = toBytes(c.id); });
      return navigator.credentials.create({publicKey: o});
    }, box.dataset.registerUrl, () => ({name: box.querySelector("[data-passkey-name]").value}));
  }

  function logIn(box) {
    ceremony(box, (o) => {
      (o.allowCredentials || []).forEach((c) => { c.id = toBytes(c.id); });
      return navigator.credentials.get({publicKey: o});
    }, box.dataset.verifyUrl, () => ({next: box.dataset.next || ""}));
  }

  document.querySelectorAll("[data-passkey-register]").forEach(register);
  document.querySelectorAll("[data-passkey-login]").forEach(logIn);
  document.querySelectorAll("[data-passkey-link]").forEach((a) => { a.hidden = false; });
})();
