// The file explorer over SheLLama's workspace: a keyboard-navigable list (arrows move, Enter opens, F2
// renames, Delete deletes) with folders opened lazily, and the actions new file, new folder, rename, delete.
import { api, errorText } from "./api.js";
import { byId, el, ask, say, sayError } from "./ui.js";
import * as editor from "./editor.js";

const children = new Map();  // directory path ("" = top) -> its entries, as last listed
const expanded = new Set();
let selected = null;         // {path, type}

/** Lists `dir` (workspace-relative, "" for the top) into the cache: folders first, then by name. */
async function list(dir) {
  const answer = await api("/api/shellama/directory", { query: { path: dir } });
  const entries = (answer.files || []).filter((entry) => entry.name !== ".git");
  entries.sort((a, b) => (a.type === "directory") !== (b.type === "directory")
    ? (a.type === "directory" ? -1 : 1) : a.name.localeCompare(b.name));
  children.set(dir, entries.map((entry) => ({ ...entry, path: dir ? `${dir}/${entry.name}` : entry.name })));
}

/** Lists the top and every open folder again, then redraws. */
export async function refresh() {
  try {
    await list("");
    for (const dir of [...expanded]) await list(dir).catch(() => expanded.delete(dir));
  } catch (error) {
    sayError("Listing the workspace", errorText(error));
  }
  render();
}

function render() {
  const tree = byId("tree");
  const hadFocus = tree.contains(document.activeElement);
  tree.replaceChildren(...rows("", 0));
  if (!tree.querySelector("button")) tree.append(el("li", { class: "muted", text: "(empty workspace)" }));
  const current = tree.querySelector('button[aria-current="true"]') || tree.querySelector("button");
  if (current) current.tabIndex = 0;
  if (hadFocus && current) current.focus();
}

function rows(dir, depth) {
  return (children.get(dir) || []).map((entry) => {
    const isDir = entry.type === "directory";
    const open = isDir && expanded.has(entry.path);
    const button = el("button", {
      type: "button", class: `entry ${isDir ? "dir" : "file"}`, tabindex: "-1", "data-path": entry.path,
      "aria-expanded": isDir ? String(open) : null, "aria-current": selected?.path === entry.path ? "true" : null,
      style: `padding-left: ${0.5 + depth * 1.1}rem`, title: entry.path,
      on: { click: () => choose(entry), keydown: (event) => onKey(event, entry) },
    }, el("span", { class: "icon", "aria-hidden": "true", text: isDir ? (open ? "▾" : "▸") : "·" }), entry.name);
    const nested = open ? el("ul", { class: "tree" }, rows(entry.path, depth + 1)) : null;
    return el("li", {}, button, nested);
  });
}

/** Selects `entry`: a folder opens or closes, a file opens in the editor. */
async function choose(entry) {
  selected = { path: entry.path, type: entry.type };
  if (entry.type === "directory") {
    if (expanded.has(entry.path)) expanded.delete(entry.path);
    else {
      try { await list(entry.path); expanded.add(entry.path); } catch (error) { sayError("Opening the folder", errorText(error)); }
    }
    render();
    return;
  }
  render();
  await openPath(entry.path);
}

/** Opens the file `path` of the workspace in an editor tab. */
export async function openPath(path) {
  try {
    const answer = await api("/api/shellama/file", { query: { filename: path } });
    if (answer.encoding === "base64") return say(`${path} is binary: it cannot be edited here`, "error");
    editor.openFile(path, answer.content || "");
    say(`opened ${path}`);
  } catch (error) {
    sayError(`Opening ${path}`, errorText(error));
  }
}

function onKey(event, entry) {
  const buttons = [...byId("tree").querySelectorAll("button.entry")];
  const index = buttons.indexOf(event.currentTarget);
  const move = (to) => {
    const target = buttons[Math.max(0, Math.min(buttons.length - 1, to))];
    for (const button of buttons) button.tabIndex = -1;
    target.tabIndex = 0;
    target.focus();
  };
  const isDir = entry.type === "directory";
  switch (event.key) {
    case "ArrowDown": move(index + 1); break;
    case "ArrowUp": move(index - 1); break;
    case "Home": move(0); break;
    case "End": move(buttons.length - 1); break;
    case "ArrowRight": if (isDir && !expanded.has(entry.path)) choose(entry); else return; break;
    case "ArrowLeft": if (isDir && expanded.has(entry.path)) choose(entry); else return; break;
    case "F2": selected = { path: entry.path, type: entry.type }; renameSelected(); break;
    case "Delete": selected = { path: entry.path, type: entry.type }; deleteSelected(); break;
    default: return;
  }
  event.preventDefault();
}

/** The folder new entries go into: the selected folder, the selected file's folder, or the top. */
function targetDir() {
  if (!selected) return "";
  if (selected.type === "directory") return selected.path;
  return selected.path.includes("/") ? selected.path.slice(0, selected.path.lastIndexOf("/")) : "";
}

function joined(dir, name) {
  return dir ? `${dir}/${name}` : name;
}

async function createFile() {
  const name = await ask("New file", { label: "File name (relative to the workspace)", value: joined(targetDir(), "") });
  if (!name) return;
  try {
    await api("/api/shellama/file", { method: "POST", body: { filename: name, content: "", overwrite: false } });
    selected = { path: name, type: "file" };
    revealParents(name);
    await refresh();
    await openPath(name);
    say(`created ${name}`, "ok");
  } catch (error) {
    sayError(`Creating ${name}`, errorText(error));
  }
}

async function createFolder() {
  const name = await ask("New folder", { label: "Folder name (relative to the workspace)", value: joined(targetDir(), "") });
  if (!name) return;
  try {
    await api("/api/shellama/directory", { method: "POST", body: { path: name } });
    selected = { path: name, type: "directory" };
    revealParents(`${name}/`);
    await refresh();
    say(`created folder ${name}`, "ok");
  } catch (error) {
    sayError(`Creating folder ${name}`, errorText(error));
  }
}

async function renameSelected() {
  if (!selected) return say("select a file or folder to rename first", "error");
  const from = selected.path;
  const to = await ask(`Rename ${from}`, { label: "New path", value: from, okText: "Rename" });
  if (!to || to === from) return;
  try {
    await api("/api/shellama/rename", { method: "POST", body: { from, to } });
    editor.renameOpen(from, to);
    selected = { path: to, type: selected.type };
    revealParents(to);
    await refresh();
    say(`renamed ${from} to ${to}`, "ok");
  } catch (error) {
    sayError(`Renaming ${from}`, errorText(error));
  }
}

async function deleteSelected() {
  if (!selected) return say("select a file or folder to delete first", "error");
  const { path, type } = selected;
  const what = type === "directory" ? `the folder ${path} and everything in it` : path;
  if ((await ask(`Delete ${what}?`, { confirmOnly: true, okText: "Delete" })) === null) return;
  try {
    if (type === "directory") {
      await api("/api/shellama/directory", { method: "DELETE", query: { path, recursive: true } });
      expanded.delete(path);
    } else {
      await api("/api/shellama/file", { method: "DELETE", query: { filename: path } });
      editor.closeFile(path);
    }
    selected = null;
    await refresh();
    say(`deleted ${path}`, "ok");
  } catch (error) {
    sayError(`Deleting ${path}`, errorText(error));
  }
}

function revealParents(path) {
  const parts = path.split("/").slice(0, -1);
  for (let i = 1; i <= parts.length; i += 1) expanded.add(parts.slice(0, i).join("/"));
}

/** Saves the active tab: a new (untitled) file asks for its name first. */
export async function saveActive() {
  const { path, isNew } = editor.activeFile();
  const name = isNew ? await ask("Save as", { label: "File name (relative to the workspace)", value: path, okText: "Save" }) : path;
  if (!name) return;
  try {
    await api("/api/shellama/file", { method: "POST", body: { filename: name, content: editor.code(), overwrite: !isNew } });
    editor.markSaved(name);
    if (isNew) { revealParents(name); await refresh(); }
    say(`saved ${name}`, "ok");
  } catch (error) {
    sayError(`Saving ${name}`, errorText(error));
  }
}

/** Wires the explorer's buttons and lists the workspace. */
export function setUpFiles() {
  byId("file-new").addEventListener("click", createFile);
  byId("dir-new").addEventListener("click", createFolder);
  byId("file-rename").addEventListener("click", renameSelected);
  byId("file-delete").addEventListener("click", deleteSelected);
  byId("file-refresh").addEventListener("click", refresh);
  return refresh();
}
