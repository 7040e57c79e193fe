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

// Rich text: a <textarea data-rich-text> gets a small formatting toolbar and an editable area; the
// textarea stays in the form (hidden) and receives the HTML on every change, so the autosave above
// and the server see it as before. Without script the textarea works as plain text. Our own code,
// not a library: no CDN, the CSP allows only our scripts and no inline styles, and it stays small.
// The server sanitizes what arrives (app/sanitize.py); the cleaning here only keeps the editor tidy.
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
        // Editing leaves no-break spaces where a space meets a tag; the text means plain spaces.
        target.appendChild(document.createTextNode(node.data.replace(/\u00a0/g, " ")));
        return;
      }
      if (node.nodeType !== Node.ELEMENT_NODE || DROPPED.has(node.tagName)) return;
      const tag = TAGS[node.tagName];
      const href = tag === "a" ? safeUrl(node.getAttribute("href")) : "";
      if (!tag || (tag === "a" && !href)) {
        copyClean(node, target);  // unknown wrapper: keep its text
        return;
      }
      const el = document.createElement(tag);
      if (href) el.setAttribute("href", href);
      copyClean(node, el);
      target.appendChild(el);
    });
  }

  // Allow-listed copy of `html` (parsed inertly: nothing in it runs or loads), inline content at
  // the top level wrapped in paragraphs.
  function cleanHtml(html) {
    const parsed = new DOMParser().parseFromString(html, "text/html");
    const loose = document.createElement("div");
    copyClean(parsed.body, loose);
    const out = document.createElement("div");
    let paragraph = null;
    Array.from(loose.childNodes).forEach((node) => {
      if (node.nodeType === Node.ELEMENT_NODE && BLOCKS.has(node.tagName.toLowerCase())) {
        paragraph = null;
        out.appendChild(node);
      } else if (paragraph || node.nodeType !== Node.TEXT_NODE || node.data.trim()) {
        if (!paragraph) paragraph = out.appendChild(document.createElement("p"));
        paragraph.appendChild(node);
      }
    });
    // Empty paragraphs are blank lines left over from editing: they carry nothing.
    out.querySelectorAll("p").forEach((p) => { if (!p.textContent.trim()) p.remove(); });
    return out.innerHTML;
  }

  function valueOf(editor) {
    return editor.textContent.trim() ? cleanHtml(editor.innerHTML) : "";
  }

  function button(text, command, pressable) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "btn btn-sm btn-outline-secondary";
    b.textContent = text;
    b.dataset.command = command;
    if (pressable) b.setAttribute("aria-pressed", "false");
    // Keep the selection in the text when the mouse presses a button.
    b.addEventListener("mousedown", (event) => event.preventDefault());
    return b;
  }

  function init(textarea, strings) {
    counter += 1;
    const baseId = textarea.id || "rich-text-" + counter;
    const editor = document.createElement("div");
    editor.id = baseId + "-editor";
    editor.className = "form-control rich-text-editor";
    if (Number(textarea.rows) > 5) editor.classList.add("rich-text-editor-tall");
    if (textarea.classList.contains("is-invalid")) editor.classList.add("is-invalid");
    editor.contentEditable = "true";
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
      label.addEventListener("click", () => editor.focus());
    } else if (textarea.getAttribute("aria-label")) {
      editor.setAttribute("aria-label", textarea.getAttribute("aria-label"));
    }
    const value = textarea.value.trim();
    editor.innerHTML = (HTML_TAG.test(value) ? cleanHtml(value) : textToHtml(value)) || "<p><br></p>";

    const toolbar = document.createElement("div");
    toolbar.className = "rich-text-toolbar btn-toolbar gap-1 mb-1";
    toolbar.setAttribute("role", "toolbar");
    toolbar.setAttribute("aria-label", strings.toolbar);
    toolbar.setAttribute("aria-controls", editor.id);
    const buttons = [
      button(strings.bold, "bold", true), button(strings.italic, "italic", true),
      button(strings.bulleted, "insertUnorderedList"), button(strings.numbered, "insertOrderedList"),
      button(strings.link, "link"), button(strings.unlink, "unlink"),
    ];
    buttons.forEach((b) => toolbar.appendChild(b));

    const wasFocused = document.activeElement === textarea;
    textarea.hidden = true;
    textarea.before(toolbar, editor);
    if (wasFocused) {
      // Someone already typing in the textarea (the page was still loading) goes on in the editor.
      editor.focus();
      document.getSelection().selectAllChildren(editor);
      document.getSelection().collapseToEnd();
    }

    let savedRange = null;
    document.addEventListener("selectionchange", () => {
      const selection = document.getSelection();
      if (selection.rangeCount && editor.contains(selection.anchorNode)) {
        savedRange = selection.getRangeAt(0).cloneRange();
        updatePressed();
      }
    });

    function updatePressed() {
      buttons.filter((b) => b.hasAttribute("aria-pressed")).forEach((b) => {
        b.setAttribute("aria-pressed", String(document.queryCommandState(b.dataset.command)));
      });
    }

    function sync() {
      textarea.value = valueOf(editor);
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }

    // Back to the text after a toolbar button took the focus (Tab, then Enter or Space); the
    // selection is put back where it was. Not while the text has the focus: the saved range may lag
    // behind the keys just typed.
    function focusText() {
      if (document.activeElement === editor) return;
      editor.focus();
      if (savedRange) {
        const selection = document.getSelection();
        selection.removeAllRanges();
        selection.addRange(savedRange);
      }
    }

    function selectLinkAround() {
      const selection = document.getSelection();
      const node = selection.anchorNode && (selection.anchorNode.nodeType === Node.ELEMENT_NODE
        ? selection.anchorNode : selection.anchorNode.parentElement);
      const link = node && node.closest("a");
      if (selection.isCollapsed && link && editor.contains(link)) selection.selectAllChildren(link);
    }

    function addLink() {
      const url = window.prompt(strings.linkPrompt, "https://");
      if (url === null) return;
      const href = safeUrl(url);
      if (!href) {
        window.alert(strings.linkInvalid);
        return;
      }
      focusText();
      if (document.getSelection().isCollapsed) {
        document.execCommand("insertHTML", false, '<a href="' + escapeHtml(href).replace(/"/g, "&quot;") + '">'
          + escapeHtml(href) + "</a>");
      } else {
        document.execCommand("createLink", false, href);
      }
    }

    function run(command) {
      if (command === "link") {
        addLink();
      } else {
        focusText();
        if (command === "unlink") selectLinkAround();
        document.execCommand(command, false, null);
      }
      sync();
      updatePressed();
    }

    toolbar.addEventListener("click", (event) => {
      const b = event.target.closest("button[data-command]");
      if (b) run(b.dataset.command);
    });
    editor.addEventListener("keydown", (event) => {
      if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return;
      const command = { b: "bold", i: "italic" }[event.key.toLowerCase()];
      if (!command) return;
      event.preventDefault();
      run(command);
    });
    editor.addEventListener("paste", (event) => {
      // Text only: markup copied from a web page or a word processor would carry its styles along.
      event.preventDefault();
      document.execCommand("insertText", false, event.clipboardData.getData("text/plain"));
    });
    editor.addEventListener("drop", (event) => event.preventDefault());  // dropped markup, as pasted
    editor.addEventListener("input", (event) => {
      event.stopPropagation();  // the form hears the textarea's input instead, with the HTML in it
      sync();
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    const source = document.getElementById("rich-text-strings");
    const textareas = document.querySelectorAll("textarea[data-rich-text]");
    if (!source || !textareas.length || !document.queryCommandSupported) return;
    document.execCommand("defaultParagraphSeparator", false, "p");
    textareas.forEach((textarea) => init(textarea, source.dataset));
  });
})();
