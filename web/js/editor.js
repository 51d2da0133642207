// The CodeMirror 5 editor with one tab per open file: each tab keeps its own CodeMirror.Doc (text, undo
// history, cursor) and the change generation it was last saved at, which drives the unsaved marker.
import { byId, el } from "./ui.js";

const tabs = new Map();          // path -> {path, doc, savedAt, isNew, node}
let cm = null;
let active = null;
const activeListeners = [];
const changeListeners = [];

/** The CodeMirror mode for a file name. */
function modeFor(path) {
  return path.endsWith(".md") ? "markdown" : "python";
}

/** Creates the editor in #editor; `actions` holds run() and save(), bound to Ctrl/Cmd+Enter and Ctrl/Cmd+S. */
export function setUpEditor(actions) {
  let escaped = false;  // Esc then Tab leaves the editor: Tab alone indents (keyboard users are never trapped)
  const tab = (shift) => () => {
    if (shift) cm.execCommand("indentLess");
    else if (cm.somethingSelected()) cm.execCommand("indentMore");
    else cm.replaceSelection(" ".repeat(cm.getOption("indentUnit")));
  };
  cm = CodeMirror(byId("editor"), {
    lineNumbers: true,
    indentUnit: 4,
    tabSize: 4,
    mode: "python",
    screenReaderLabel: "Code editor (Esc then Tab to leave)",
    extraKeys: {
      "Ctrl-Enter": () => actions.run(), "Cmd-Enter": () => actions.run(),
      "Ctrl-S": () => actions.save(), "Cmd-S": () => actions.save(),
      "Tab": tab(false), "Shift-Tab": tab(true),
      "Esc": () => { escaped = true; },
    },
  });
  cm.getInputField().setAttribute("aria-label", "Code editor (Esc then Tab to leave)");
  cm.on("keydown", (_, event) => {
    if (event.key === "Tab" && escaped) event.codemirrorIgnore = true;  // the browser moves the focus on
    if (event.key !== "Escape") escaped = false;
  });
  cm.on("changes", () => {
    renderMarker(active);
    for (const listener of changeListeners) listener(active);
  });
  document.addEventListener("keydown", (event) => {
    if (!(event.ctrlKey || event.metaKey) || event.target.closest(".CodeMirror")) return;
    if (event.key === "Enter") { event.preventDefault(); actions.run(); }
    if (event.key === "s" || event.key === "S") { event.preventDefault(); actions.save(); }
  });
  openFile("untitled.py", "print('hello from WebLama')\n", { isNew: true });
}

/** Opens `path` in a tab (or switches to its tab if it is open), with `content` when newly opened. */
export function openFile(path, content, { isNew = false } = {}) {
  if (!tabs.has(path)) {
    const doc = CodeMirror.Doc(content, modeFor(path));
    const entry = { path, doc, savedAt: doc.changeGeneration(), isNew, node: null };
    entry.node = tabNode(entry);
    tabs.set(path, entry);
    byId("tabs").append(entry.node);
  }
  activate(path);
}

function tabNode(entry) {
  const name = entry.path.split("/").pop();
  const select = el("button", { type: "button", role: "tab", class: "tab-name", title: entry.path,
    on: { click: () => activate(entry.path) } }, el("span", { class: "marker", "aria-hidden": "true" }), name);
  const close = el("button", { type: "button", class: "tab-close", "aria-label": `Close ${entry.path}`,
    title: "Close", text: "×", on: { click: () => closeFile(entry.path) } });
  return el("div", { class: "tab", role: "presentation" }, select, close);
}

function activate(path) {
  const entry = tabs.get(path);
  active = path;
  cm.swapDoc(entry.doc);
  cm.setOption("mode", modeFor(path));
  for (const other of tabs.values()) {
    const selected = other.path === path;
    other.node.classList.toggle("active", selected);
    other.node.firstChild.setAttribute("aria-selected", String(selected));
  }
  renderMarker(path);
  for (const listener of activeListeners) listener(path);
  cm.refresh();
}

function renderMarker(path) {
  const entry = tabs.get(path);
  if (!entry) return;
  const dirty = isDirty(path);
  entry.node.classList.toggle("dirty", dirty);
  entry.node.firstChild.setAttribute("aria-label", `${entry.path}${dirty ? " (unsaved)" : ""}`);
  entry.node.querySelector(".marker").textContent = dirty ? "● " : "";
}

/** Closes the tab of `path`; the last tab closed leaves an empty untitled one. */
export function closeFile(path) {
  const entry = tabs.get(path);
  if (!entry) return;
  entry.node.remove();
  tabs.delete(path);
  if (active !== path) return;
  const next = [...tabs.keys()].pop();
  if (next) activate(next);
  else openFile("untitled.py", "", { isNew: true });
}

/** Follows a rename in the explorer: open tabs under `from` now point at `to`. */
export function renameOpen(from, to) {
  for (const entry of [...tabs.values()]) {
    if (entry.path !== from && !entry.path.startsWith(`${from}/`)) continue;
    const old = entry.path;
    const path = to + old.slice(from.length);
    tabs.delete(old);
    entry.node.remove();
    entry.path = path;
    entry.node = tabNode(entry);
    tabs.set(path, entry);
    byId("tabs").append(entry.node);
    if (active === old) active = path;
  }
  if (active && tabs.has(active)) activate(active);
}

/** Whether `path`'s tab has changes that are not saved. */
function isDirty(path) {
  const entry = tabs.get(path);
  return Boolean(entry) && !entry.doc.isClean(entry.savedAt);
}

/** Records that the active tab's text is saved as `path` (a new file gets its real name). */
export function markSaved(path) {
  const entry = tabs.get(active);
  entry.savedAt = entry.doc.changeGeneration();
  entry.isNew = false;
  if (path !== active) renameOpen(active, path);
  else renderMarker(active);
}

/** The active tab's path, and whether it was never saved. */
export function activeFile() {
  return { path: active, isNew: tabs.get(active)?.isNew ?? true };
}

/** The active tab's text. */
export function code() {
  return cm.getValue();
}

/** Replaces the active tab's text (undoable), e.g. with a fix. */
export function setCode(text) {
  cm.getDoc().setValue(text);
  cm.focus();
}

/** Calls `listener(path)` whenever another tab becomes active. */
export function onActiveChange(listener) { activeListeners.push(listener); }

/** Calls `listener(path)` on every edit of the active tab. */
export function onContentChange(listener) { changeListeners.push(listener); }
