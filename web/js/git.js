// Git over SheLLama (git runs in the workspace's sandbox): status, init, commit and history, shown as text.
import { api, errorText } from "./api.js";
import { byId, say, sayError } from "./ui.js";

function show(text) {
  byId("git-output").textContent = text;
}

/** git's answer as text: its output, or what it said on stderr. */
function gitText(answer, doing) {
  return [answer.output, answer.error].filter(Boolean).join("\n").trim() || `${doing}: done`;
}

async function status() {
  try {
    show(gitText(await api("/api/shellama/git/status"), "git status"));
  } catch (error) {
    show(`git status: ${errorText(error)}`);
  }
}

async function init() {
  try {
    show(gitText(await api("/api/shellama/git/init", { method: "POST", body: {} }), "git init"));
    say("git repository initialised", "ok");
  } catch (error) {
    show(`git init: ${errorText(error)}`);
  }
}

async function commit() {
  const input = byId("git-message");
  const message = input.value.trim();
  if (!message) {
    input.focus();
    return say("write a commit message first", "error");
  }
  try {
    show(gitText(await api("/api/shellama/git/commit", { method: "POST", body: { message } }), "git commit"));
    input.value = "";
    say("committed", "ok");
  } catch (error) {
    sayError("git commit", errorText(error));
    show(`git commit: ${errorText(error)}`);
  }
}

async function history() {
  try {
    const answer = await api("/api/shellama/git/log", { query: { limit: 20 } });
    const commits = answer.commits || [];
    show(commits.length === 0 ? "(no commits yet)" : commits
      .map((c) => `${String(c.hash).slice(0, 8)} ${c.date || ""}\n  ${c.author || ""}: ${c.message || ""}`).join("\n"));
  } catch (error) {
    show(`git log: ${errorText(error)}`);
  }
}

/** Wires the Git section's buttons (Enter in the message field commits). */
export function setUpGit() {
  byId("git-status").addEventListener("click", status);
  byId("git-init").addEventListener("click", init);
  byId("git-commit").addEventListener("click", commit);
  byId("git-log").addEventListener("click", history);
  byId("git-message").addEventListener("keydown", (event) => {
    if (event.key === "Enter") { event.preventDefault(); commit(); }
  });
}
