// Git over SheLLama (git runs in the workspace's sandbox): status, init, commit and history, shown as text.
import { api, errorText } from "./api.js";
import { byId, say } from "./ui.js";

function show(text) {
  byId("git-output").textContent = text;
}

/** git's answer as text: its output and what it said on stderr, or that it is done. */
function gitText(answer, doing) {
  return [answer.output, answer.error].filter(Boolean).join("\n").trim() || `${doing}: done`;
}

/** Runs one git action: shows that it runs, then git's answer, or the failure in words (with git's output). */
async function git(doing, call, onSuccess) {
  show(`${doing}…`);
  try {
    const answer = await call();
    show(typeof answer === "string" ? answer : gitText(answer, doing));
    if (onSuccess) onSuccess();
  } catch (error) {
    const output = error.body && typeof error.body === "object" ? gitText(error.body, doing) : "";
    show(`${doing} failed: ${errorText(error)}${output && !output.endsWith(": done") ? `\n${output}` : ""}`);
    say(`${doing}: ${errorText(error)}`, "error");
  }
}

function commit() {
  const input = byId("git-message");
  const message = input.value.trim();
  if (!message) {
    input.focus();
    return say("write a commit message first", "error");
  }
  return git("git commit", () => api("/api/shellama/git/commit", { method: "POST", body: { message } }), () => {
    input.value = "";
    say("committed", "ok");
  });
}

async function history() {
  const answer = await api("/api/shellama/git/log", { query: { limit: 20 } });
  const commits = answer.commits || [];
  return commits.length === 0 ? "(no commits yet)" : commits
    .map((c) => `${String(c.hash).slice(0, 8)} ${c.date || ""}\n  ${c.author || ""}: ${c.message || ""}`).join("\n");
}

/** Wires the Git section's buttons (Enter in the message field commits). */
export function setUpGit() {
  byId("git-status").addEventListener("click", () => git("git status", () => api("/api/shellama/git/status")));
  byId("git-init").addEventListener("click", () => git("git init", () => api("/api/shellama/git/init", { method: "POST", body: {} })));
  byId("git-log").addEventListener("click", () => git("git log", history));
  byId("git-commit").addEventListener("click", commit);
  byId("git-message").addEventListener("keydown", (event) => {
    if (event.key === "Enter") { event.preventDefault(); commit(); }
  });
}
