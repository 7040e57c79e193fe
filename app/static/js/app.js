// Progressive enhancement only: every page works without this file.
document.documentElement.classList.add("js");

// Autosave: forms marked data-autosave save their fields as a server-side draft while the user
// types. A copy stays in sessionStorage (this tab only: shared office PCs must not keep notes
// about families) so text typed after the session ended is restored on return.
(function () {
  const DELAY_MS = 1500;

  function fields(form) {
    return Array.from(form.elements).filter((el) => el.name && !["csrf_token", "draft_key", "draft_version"].includes(el.name)
      && !["submit", "button", "file"].includes(el.type));
  }

  function snapshot(form) {
    const data = {};
    fields(form).forEach((el) => {
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) return;
      data[el.name] = el.value;
    });
    return data;
  }

  function restore(form, data) {
    fields(form).forEach((el) => {
      if (!(el.name in data)) return;
      if (el.type === "checkbox" || el.type === "radio") el.checked = data[el.name] === el.value;
      else el.value = data[el.name];
    });
  }

  function init(form) {
    const status = form.querySelector(".autosave-status");
    const keyInput = form.querySelector("[name=draft_key]");
    const versionInput = form.querySelector("[name=draft_version]");
    if (!status || !keyInput || !versionInput) return;
    const storeKey = "life-draft:" + keyInput.value;
    let timer = null;
    let stopped = false;

    const local = JSON.parse(sessionStorage.getItem(storeKey) || "null");
    if (local && local.version === Number(versionInput.value)) {
      restore(form, local.data);
      status.textContent = status.dataset.msgRestored;
      timer = setTimeout(save, DELAY_MS);
    }

    async function save() {
      if (stopped) return;
      status.textContent = status.dataset.msgSaving;
      let response;
      try {
        response = await fetch(status.dataset.url, {
          method: "POST", body: new FormData(form), credentials: "same-origin",
          headers: { "Accept": "application/json" },
        });
      } catch (err) {
        status.textContent = status.dataset.msgOffline;
        timer = setTimeout(save, DELAY_MS * 10);
        return;
      }
      const body = await response.json().catch(() => ({}));
      if (response.ok) {
        versionInput.value = body.version;
        sessionStorage.removeItem(storeKey);
      } else if (response.status === 409) {
        stopped = true;  // never overwrite the other tab's text
        status.setAttribute("role", "alert");
      }
      status.textContent = body.message || status.dataset.msgOffline;
    }

    form.addEventListener("input", () => {
      if (stopped) return;
      sessionStorage.setItem(storeKey, JSON.stringify({ version: Number(versionInput.value), data: snapshot(form) }));
      clearTimeout(timer);
      timer = setTimeout(save, DELAY_MS);
    });
    form.addEventListener("submit", () => sessionStorage.removeItem(storeKey));
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("form[data-autosave]").forEach(init);
  });
})();

// Print buttons (the transcript): hidden until this script can make them work; printing itself is
// styled by print.css, so Ctrl+P gives the same result without them.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("button[data-print]").forEach((button) => {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  });
});
