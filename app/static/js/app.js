// Progressive enhancement only: every page works without this file.
document.documentElement.classList.add("js");

// Autosave: forms marked data-autosave save their fields as a server-side draft while the user
// types. A copy stays in this browser (localStorage) until the server has the text, so what was
// typed after the session ended, or in a tab that was closed before its last save, is offered back
// on the same form after a re-login. Each copy is filed under its author (<meta name="life-user">,
// an opaque tag): another user's page never reads it and removes it on load; a logout removes
// every copy (Clear-Site-Data and <meta name="life-forget-copies">), and a copy older than a day
// goes too: a shared office PC must not keep notes about families.
(function () {
  const DELAY_MS = 1500;
  const MAX_AGE_MS = 24 * 60 * 60 * 1000;
  const PREFIX = "life-draft:";
  // once_key: a copy restored into a new form must not bring back a key already used (app/once.py).
  const NOT_TYPED = ["csrf_token", "draft_key", "draft_version", "browser_copy", "once_key"];
  const store = window.localStorage;

  function metaContent(name) {
    const meta = document.querySelector(`meta[name="${name}"]`);
    return meta ? meta.content : null;
  }

  function read(key) {
    try {
      return JSON.parse(store.getItem(key) || "null");
    } catch (err) {
      return null;
    }
  }

  // Keeps only the current user's copies (none when nobody is, or after a logout). A logged-out
  // page without the logout flag keeps them: that is the user whose session ended, coming back.
  // Copies the server reports as saved (<meta name="life-saved-copies">) are no longer needed.
  function forgetCopies(user, forgetAll, savedKeys) {
    const now = Date.now();
    [window.sessionStorage, store].forEach((s) => {
      Object.keys(s).filter((key) => key.startsWith(PREFIX)).forEach((key) => {
        const copy = s === store ? read(key) : null;
        const other = user && !key.startsWith(PREFIX + user + ":");
        const saved = user && savedKeys.includes(key.slice((PREFIX + user + ":").length));
        const old = !copy || !(now - copy.at < MAX_AGE_MS);
        if (forgetAll || other || saved || old) s.removeItem(key);
      });
    });
  }

  function fields(form) {
    return Array.from(form.elements).filter((el) => el.name && !NOT_TYPED.includes(el.name)
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

  function sameData(a, b) {
    const keys = new Set([...Object.keys(a || {}), ...Object.keys(b)]);
    return Array.from(keys).every((key) => (a || {})[key] === b[key]);
  }

  // The notice (its words are in the template) goes to the top of the form, stays in view while
  // the form scrolls (CSS: sticky) and takes the focus, so it is seen and read on a long form.
  function showNotice(form, ended) {
    const notice = form.querySelector(".autosave-notice");
    if (!notice) return;
    notice.textContent = ended ? notice.dataset.msgKept : notice.dataset.msgRestored;
    form.prepend(notice);
    notice.hidden = false;
    notice.focus();
  }

  function init(form, user) {
    const status = form.querySelector(".autosave-status");
    const keyInput = form.querySelector("[name=draft_key]");
    const versionInput = form.querySelector("[name=draft_version]");
    if (!status || !keyInput || !versionInput || !user) return;
    const storeKey = PREFIX + user + ":" + keyInput.value;
    let timer = null;
    let stopped = false;
    let ended = false;  // the server said the session had ended

    function keepCopy() {
      store.setItem(storeKey, JSON.stringify({
        version: Number(versionInput.value), data: snapshot(form), at: Date.now(), ended,
      }));
    }

    // Only a copy made on the draft the server has now (an older one would undo newer text), and
    // only if it holds more than the form shows (a form shown again with what was sent does).
    const local = read(storeKey);
    if (local && local.version === Number(versionInput.value) && !sameData(local.data, snapshot(form))) {
      restore(form, local.data);
      status.textContent = status.dataset.msgRestored;
      showNotice(form, local.ended);
      timer = setTimeout(save, DELAY_MS);
    }

    async function save() {
      if (stopped) return;
      status.textContent = status.dataset.msgSaving;
      const sent = snapshot(form);
      let response;
      try {
        response = await fetch(status.dataset.url, {
          method: "POST", body: new FormData(form), credentials: "same-origin",
          // The server refuses the save if someone else is logged in now (app/web.py).
          headers: { "Accept": "application/json", "X-Life-User": user },
        });
      } catch (err) {
        status.textContent = status.dataset.msgOffline;
        timer = setTimeout(save, DELAY_MS * 10);
        return;
      }
      const body = await response.json().catch(() => ({}));
      if (response.ok) {
        versionInput.value = body.version;
        ended = false;
        // Words typed while the save was on its way are not on the server yet: their copy stays.
        if (sameData(sent, snapshot(form))) store.removeItem(storeKey);
        else keepCopy();
      } else if (response.status === 401) {
        ended = true;
        keepCopy();
      } else if (response.status === 409) {
        stopped = true;  // never overwrite the other tab's text, nor write into another user's
        status.setAttribute("role", "alert");
      }
      status.textContent = body.message || status.dataset.msgOffline;
    }

    form.addEventListener("input", () => {
      if (stopped) return;
      keepCopy();
      clearTimeout(timer);
      timer = setTimeout(save, DELAY_MS);
    });
    // The copy stays until the server says the form was saved: a submit that meets an ended
    // session (the login page) or a refused form token (the error page) must not lose the text.
    // browser_copy tells the server there is one, so its error page can say so.
    form.addEventListener("submit", () => {
      clearTimeout(timer);
      if (stopped) return;
      ended = true;  // if this page comes back, it is because the submit did not save
      keepCopy();
      if (!form.querySelector("[name=browser_copy]")) {
        const marker = document.createElement("input");
        marker.type = "hidden";
        marker.name = "browser_copy";
        marker.value = "1";
        form.appendChild(marker);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    const user = metaContent("life-user");
    const saved = (metaContent("life-saved-copies") || "").split(" ").filter(Boolean);
    forgetCopies(user, metaContent("life-forget-copies") === "1", saved);
    document.querySelectorAll("form[data-autosave]").forEach((form) => init(form, user));
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

// Rich text: a <textarea data-rich-text> gets a small formatting toolbar and an editable area; the
// textarea stays in the form (hidden) and receives the HTML on every change, so the autosave above
// and the server see it as before. Without script the textarea works as plain text. The editing
// itself is Squire (app/static/vendor/squire/, no UI and no inline styles of its own), not the
// deprecated document.execCommand; the toolbar, the keys and the ARIA are ours. The server sanitizes
// what arrives (app/sanitize.py); the cleaning here keeps the editor to the tags the server keeps.
// This block must stay below the autosave: that restores unsaved text into the textareas first.
(function () {
  // Tags kept as they are (the server allows them too); b/i/div are normalised.
  const TAGS = {
    P: "p", DIV: "p", BR: "br", STRONG: "strong", B: "strong", EM: "em", I: "em", U: "u", S: "s",
    UL: "ul", OL: "ol", LI: "li", A: "a", BLOCKQUOTE: "blockquote", CODE: "code", PRE: "pre",
    H2: "h2", H3: "h3", H4: "h4", HR: "hr",
  };
  const DROPPED = new Set(["SCRIPT", "STYLE", "TEMPLATE", "IFRAME", "OBJECT", "EMBED", "HEAD", "TITLE"]);
  const BLOCKS = new Set(["p", "ul", "ol", "blockquote", "pre", "h2", "h3", "h4", "hr"]);
  const HTML_TAG = /<\/?[a-zA-Z][^>]*>/;
  // Ctrl (Cmd on a Mac) with: the usual letters, and the list keys of common word processors.
  const SHORTCUTS = { b: "bold", i: "italic", k: "link", "Shift+8": "bulleted", "Shift+7": "numbered" };
  // Bold and italic are written <strong> and <em>, the tags that mean it; Squire names them <b> and
  // <i> in text it is given (setHTML), and in the first undo step and the system's own format
  // commands: both names count.
  const FORMATS = { bold: ["STRONG", "B"], italic: ["EM", "I"] };
  const MAC = /Mac|iP(hone|ad|od)/.test(navigator.platform || navigator.userAgent);
  let counter = 0;

  function safeUrl(url) {
    url = (url || "").trim();
    return /^(https?:\/\/|mailto:)/i.test(url) ? url : "";
  }

  function escapeHtml(text) {
    const div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }

  // Same rule as the server: a blank line starts a paragraph, a single newline is a line break.
  function textToHtml(text) {
    return text.replace(/\r\n/g, "\n").split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean)
      .map((p) => "<p>" + escapeHtml(p).replace(/\n/g, "<br>") + "</p>").join("");
  }

  function copyClean(source, target) {
    source.childNodes.forEach((node) => {
      if (node.nodeType === Node.TEXT_NODE) {
        target.appendChild(document.createTextNode(node.data));
        return;
      }
      if (node.nodeType !== Node.ELEMENT_NODE || DROPPED.has(node.tagName)) return;
      const tag = TAGS[node.tagName];
      const href = tag === "a" ? safeUrl(node.getAttribute("href")) : "";
      if (!tag || (tag === "a" && !href)) {
        copyClean(node, target);  // unknown wrapper: keep its text
        return;
      }
      const el = document.createElement(tag);  // no attribute is copied but a checked href
      if (href) el.setAttribute("href", href);
      copyClean(node, el);
      target.appendChild(el);
    });
  }

  // Allow-listed copy of `html` (parsed inertly: nothing in it runs or loads).
  function cleanNodes(html) {
    const parsed = new DOMParser().parseFromString(html, "text/html");
    const box = document.createElement("div");
    copyClean(parsed.body, box);
    return box;
  }

  // What Squire is given to show or insert (its sanitizeToDOMFragment): it makes the blocks itself.
  function cleanFragment(html) {
    const fragment = document.createDocumentFragment();
    fragment.append(...cleanNodes(html).childNodes);
    return fragment;
  }

  // Editing leaves no-break spaces where a space meets a tag or the end of a line (the editor
  // would swallow plain ones there) and zero-width spaces where a format starts: the text means
  // plain spaces and nothing.
  function plainSpaces(root) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) walker.currentNode.data = walker.currentNode.data.replace(/\u00a0/g, " ").replace(/\u200b/g, "");
  }

  // What the textarea receives: inline content at the top level wrapped in paragraphs.
  function cleanHtml(html) {
    const out = document.createElement("div");
    let paragraph = null;
    Array.from(cleanNodes(html).childNodes).forEach((node) => {
      if (node.nodeType === Node.ELEMENT_NODE && BLOCKS.has(node.tagName.toLowerCase())) {
        paragraph = null;
        out.appendChild(node);
      } else if (paragraph || node.nodeType !== Node.TEXT_NODE || node.data.trim()) {
        if (!paragraph) paragraph = out.appendChild(document.createElement("p"));
        paragraph.appendChild(node);
      }
    });
    plainSpaces(out);
    // A <br> closing a block only keeps an empty line open while editing, an empty format is where
    // a format was switched on and off, empty paragraphs are blank lines: none carries anything.
    out.querySelectorAll("p, li").forEach((block) => {
      if (block.lastChild && block.lastChild.nodeName === "BR") block.lastChild.remove();
    });
    out.querySelectorAll("strong, em, u, s, code, a").forEach((el) => { if (!el.textContent) el.remove(); });
    out.querySelectorAll("p").forEach((p) => { if (!p.textContent.trim()) p.remove(); });
    return out.innerHTML;
  }

  // <b>/<i> from Squire's setHTML become <strong>/<em>, before anything listens to changes.
  function renameFormats(editor) {
    editor.querySelectorAll("b, i").forEach((node) => {
      const el = document.createElement(node.tagName === "B" ? "strong" : "em");
      el.append(...node.childNodes);
      node.replaceWith(el);
    });
  }

  function shortcutLabel(key) {
    return (MAC ? "Meta+" : "Control+") + (key.length === 1 ? key.toUpperCase() : key);
  }

  function button(text, command, shortcut, pressable) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "btn btn-sm btn-outline-secondary";
    b.textContent = text;
    b.dataset.command = command;
    if (shortcut) b.setAttribute("aria-keyshortcuts", shortcutLabel(shortcut));
    if (pressable) b.setAttribute("aria-pressed", "false");
    // Keep the selection in the text when the mouse presses a button.
    b.addEventListener("mousedown", (event) => event.preventDefault());
    return b;
  }

  function shortcutOf(event) {
    if (!(event.ctrlKey || event.metaKey) || event.altKey) return null;
    // Digits by their key, not the character: Shift changes that with the keyboard layout.
    const key = /^Digit\d$/.test(event.code) ? event.code.slice(-1) : event.key.toLowerCase();
    return SHORTCUTS[(event.shiftKey ? "Shift+" : "") + key] || null;
  }

  function buildEditor(textarea) {
    counter += 1;
    const baseId = textarea.id || "rich-text-" + counter;
    const editor = document.createElement("div");
    editor.id = baseId + "-editor";
    editor.className = "form-control rich-text-editor";
    if (Number(textarea.rows) > 5) editor.classList.add("rich-text-editor-tall");
    if (textarea.classList.contains("is-invalid")) editor.classList.add("is-invalid");
    editor.setAttribute("role", "textbox");
    editor.setAttribute("aria-multiline", "true");
    ["aria-describedby", "aria-invalid"].forEach((name) => {
      if (textarea.hasAttribute(name)) editor.setAttribute(name, textarea.getAttribute(name));
    });
    if (textarea.required) {
      // A hidden required field would block the submit with a message nobody can see.
      textarea.required = false;
      editor.setAttribute("aria-required", "true");
    }
    const label = textarea.labels && textarea.labels[0];
    if (label) {
      label.id = label.id || baseId + "-label";
      editor.setAttribute("aria-labelledby", label.id);
      label.htmlFor = editor.id;  // the label names the editor now, not the hidden textarea
    } else if (textarea.getAttribute("aria-label")) {
      editor.setAttribute("aria-label", textarea.getAttribute("aria-label"));
    }
    return { editor, label };
  }

  function buildToolbar(editor, strings) {
    const toolbar = document.createElement("div");
    toolbar.className = "rich-text-toolbar btn-toolbar gap-1 mb-1";
    toolbar.setAttribute("role", "toolbar");
    toolbar.setAttribute("aria-label", strings.toolbar);
    toolbar.setAttribute("aria-controls", editor.id);
    [
      button(strings.bold, "bold", "b", true), button(strings.italic, "italic", "i", true),
      button(strings.bulleted, "bulleted", "Shift+8"), button(strings.numbered, "numbered", "Shift+7"),
      button(strings.link, "link", "k"), button(strings.unlink, "unlink"),
    ].forEach((b) => toolbar.appendChild(b));
    return toolbar;
  }

  function init(textarea, strings) {
    const { editor, label } = buildEditor(textarea);
    const toolbar = buildToolbar(editor, strings);
    const wasFocused = document.activeElement === textarea;
    textarea.hidden = true;
    textarea.before(toolbar, editor);

    // Squire listens in the capture phase on the editor: ours, added there before it, run first.
    // Paste and drop bring plain text only (markup from a web page or a word processor would
    // carry its styles along), and our keys win over Squire's.
    editor.addEventListener("paste", (event) => {
      event.preventDefault();
      event.stopImmediatePropagation();
      // A space starting a line would be dropped as markup whitespace: keep it as a no-break one.
      squire.insertPlainText(event.clipboardData.getData("text/plain").replace(/^ /gm, "\u00a0"), true);
    }, true);
    editor.addEventListener("drop", (event) => {
      event.preventDefault();
      event.stopImmediatePropagation();
    }, true);
    editor.addEventListener("keydown", (event) => {
      const command = shortcutOf(event);
      if (!command) return;
      event.preventDefault();  // Squire leaves a key alone that was handled already
      run(command);
    }, true);
    editor.addEventListener("input", (event) => event.stopPropagation());  // the form hears the textarea

    // blockTag P: paragraphs, as the server writes them; addLinks off: a typed address stays text.
    const squire = new window.Squire(editor, { blockTag: "P", addLinks: false, sanitizeToDOMFragment: cleanFragment });
    // Tab leaves the text (to the next toolbar or field) everywhere, lists included.
    squire.setKeyHandler("Tab", null);
    squire.setKeyHandler("Shift-Tab", null);
    const value = textarea.value.trim();
    squire.setHTML(HTML_TAG.test(value) ? value : textToHtml(value));
    renameFormats(editor);
    if (label) label.addEventListener("click", () => squire.focus());
    if (wasFocused) {
      // Someone already typing in the textarea (the page was still loading) goes on in the editor.
      squire.focus();
      squire.moveCursorToEnd();
    }

    // tags[0] is what we write; the others are Squire's own names for the format (see FORMATS).
    function hasFormat(tags) {
      return tags.some((tag) => squire.hasFormat(tag));
    }

    function toggleFormat(tags) {
      const present = tags.filter((tag) => squire.hasFormat(tag));
      if (present.length) present.forEach((tag) => squire.changeFormat(null, { tag }));
      else squire.changeFormat({ tag: tags[0] });
    }

    function toggleList(tag) {
      if (new RegExp("(?:^|>)" + tag + "(?:>|$)").test(squire.getPath())) squire.removeList();
      else if (tag === "UL") squire.makeUnorderedList();
      else squire.makeOrderedList();
    }

    // A cursor inside a link removes the whole link.
    function selectLinkAround() {
      const range = squire.getSelection();
      const start = range.startContainer;
      const link = (start.nodeType === Node.ELEMENT_NODE ? start : start.parentElement).closest("a");
      if (range.collapsed && link && editor.contains(link)) {
        range.selectNodeContents(link);
        squire.setSelection(range);
      }
    }

    function addLink() {
      const url = window.prompt(strings.linkPrompt, "https://");
      if (url === null) return;
      const href = safeUrl(url);
      if (!href) {
        window.alert(strings.linkInvalid);
        return;
      }
      squire.focus();
      squire.makeLink(href);
    }

    const COMMANDS = {
      bold: () => toggleFormat(FORMATS.bold),
      italic: () => toggleFormat(FORMATS.italic),
      bulleted: () => toggleList("UL"),
      numbered: () => toggleList("OL"),
      link: addLink,
      unlink: () => { selectLinkAround(); squire.removeLink(); },
    };

    function updatePressed() {
      Object.keys(FORMATS).forEach((command) => {
        toolbar.querySelector(`[data-command=${command}]`).setAttribute("aria-pressed", String(hasFormat(FORMATS[command])));
      });
    }

    function sync() {
      textarea.value = editor.textContent.replace(/\u200b/g, "").trim() ? cleanHtml(squire.getHTML()) : "";
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }

    // Back in the text after a toolbar button took the focus (Tab, then Enter or Space): Squire
    // puts the selection back where it was.
    function run(command) {
      if (command !== "link") squire.focus();
      COMMANDS[command]();
      updatePressed();
    }

    toolbar.addEventListener("click", (event) => {
      const b = event.target.closest("button[data-command]");
      if (b) run(b.dataset.command);
    });
    squire.addEventListener("input", sync);
    squire.addEventListener("pathChange", updatePressed);
  }

  document.addEventListener("DOMContentLoaded", () => {
    const source = document.getElementById("rich-text-strings");
    const textareas = document.querySelectorAll("textarea[data-rich-text]");
    if (!source || !textareas.length || typeof window.Squire !== "function") return;
    textareas.forEach((textarea) => init(textarea, source.dataset));
  });
})();

// A create form (one with a one-time key, app/once.py) is sent once per click: a second click or
// Enter while the first send is on its way is ignored. The buttons say so with aria-disabled,
// not `disabled`, which would drop the clicked button's name and value from the send. The server
// refuses a second send of the same key anyway; this only spares the wait and the message. After
// a while the form can be sent again (a phone on a stalled network: the retry is safe, the key
// makes it so), and a page brought back by the browser's back button (bfcache) is sendable again.
(function () {
  const RETRY_AFTER_MS = 10000;

  function buttons(form) {
    return Array.from(form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]"))
      .concat(form.id ? Array.from(document.querySelectorAll(`[form="${form.id}"][type=submit]`)) : []);
  }

  function release(form) {
    delete form.dataset.sending;
    form.removeAttribute("aria-busy");
    buttons(form).forEach((b) => b.removeAttribute("aria-disabled"));
  }

  // On the document, so that it runs after the form's own handlers and sees a send they stopped.
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.querySelector("input[name=once_key]")) return;
    if (form.dataset.sending) {
      event.preventDefault();
      return;
    }
    if (event.defaultPrevented) return;
    form.dataset.sending = "1";
    form.setAttribute("aria-busy", "true");
    buttons(form).forEach((b) => b.setAttribute("aria-disabled", "true"));
    setTimeout(() => release(form), RETRY_AFTER_MS);
  });

  window.addEventListener("pageshow", (event) => {
    if (event.persisted) document.querySelectorAll("form[data-sending]").forEach(release);
  });
})();
