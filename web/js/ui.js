// Small DOM helpers shared by the panels: element building, the status line, and the ask dialog.

/** The element with `id` (throws if the page lacks it: a typo, not a user error). */
export function byId(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`no element #${id}`);
  return node;
}

/**
 * Builds an element: `attrs` are attributes (class, aria-*, ...) except `text` (textContent) and `on`
 * ({event: handler}); `children` are nodes or strings. Never takes HTML.
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "text") node.textContent = String(value);
    else if (key === "on") for (const [event, handler] of Object.entries(value)) node.addEventListener(event, handler);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Shows `text` in the status line; `kind` is "info", "ok" or "error". */
export function say(text, kind = "info") {
  const line = byId("status");
  line.textContent = text;
  line.dataset.kind = kind;
  line.setAttribute("role", kind === "error" ? "alert" : "status");
}

/** Shows an error in words in the status line, prefixed with what was being done. */
export function sayError(doing, message) {
  say(`${doing}: ${message}`, "error");
}

/**
 * Asks for a line of text in the modal dialog; answers the text, or null when cancelled.
 * With `confirmOnly` the input is hidden and the answer is "" (confirmed) or null.
 */
export function ask(title, { label = "Name", value = "", okText = "OK", confirmOnly = false } = {}) {
  const dialog = byId("ask");
  const input = byId("ask-input");
  byId("ask-title").textContent = title;
  byId("ask-label").textContent = label;
  byId("ask-ok").textContent = okText;
  input.value = value;
  input.hidden = confirmOnly;
  byId("ask-label").hidden = confirmOnly;
  dialog.returnValue = "";
  return new Promise((resolve) => {
    const cancel = () => dialog.close("cancel");
    byId("ask-cancel").addEventListener("click", cancel, { once: true });
    dialog.addEventListener("close", () => {
      byId("ask-cancel").removeEventListener("click", cancel);
      const answer = input.value.trim();
      if (dialog.returnValue !== "ok") resolve(null);
      else resolve(confirmOnly ? "" : answer || null);
    }, { once: true });
    dialog.showModal();
    (confirmOnly ? byId("ask-ok") : input).focus();
    if (confirmOnly) return;
    if (value.endsWith("/")) input.setSelectionRange(value.length, value.length);  // a folder: type the name after it
    else input.select();
  });
}

/** A byte count in words (KiB, MiB). */
export function bytesText(bytes) {
  if (bytes === null || bytes === undefined) return "–";
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
