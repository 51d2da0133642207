// Fix with LLM: PyLLM's fix-and-run loop runs the code in BEXY and, while it fails, asks the model for a fix
// and runs that. Every attempt is shown as a diff against the code before it, with its result; Apply puts
// an attempt's code in the editor.
import { api, errorText } from "./api.js";
import { byId, el, say } from "./ui.js";
import { showInPanel, showFailure } from "./result.js";
import { diffNode } from "./diff.js";
import * as editor from "./editor.js";

function applyButton(code, label) {
  return el("button", { type: "button", class: "apply", text: label,
    on: { click: () => { editor.setCode(code); say("the fix is in the editor (not saved yet)", "ok"); } } });
}

function attemptNode(attempt, previous) {
  const result = attempt.result || {};
  const good = result.status === "ok" || result.success === true;
  const output = [result.stdout, result.stderr].filter(Boolean).join("\n").trim();
  return el("article", { class: "attempt", "data-attempt": attempt.attempt },
    el("h3", {}, `Attempt ${attempt.attempt}`, attempt.prompt_type ? ` (${attempt.prompt_type})` : "", " — ",
      el("span", { class: `badge ${good ? "good" : "bad"}`, text: result.status || (good ? "ok" : "failed") })),
    diffNode(previous, attempt.code || "", `Attempt ${attempt.attempt}: changes`),
    el("pre", { class: "attempt-output", tabindex: "0", "aria-label": `Attempt ${attempt.attempt}: output`,
      text: output || "(no output)" }),
    applyButton(attempt.code || "", `Apply attempt ${attempt.attempt}`));
}

/** Runs the fix-and-run loop on the active tab's code and shows every attempt. */
export async function fixWithLLM() {
  const original = editor.code();
  const body = { code: original, max_attempts: 3 };
  const stdin = byId("opt-stdin").value;
  if (stdin) body.stdin = stdin.endsWith("\n") ? stdin : `${stdin}\n`;
  byId("fix").disabled = true;
  byId("fix").setAttribute("aria-busy", "true");
  showInPanel(el("p", { class: "badge running", "data-status": "running", text: "running, and asking the model for fixes while it fails…" }));
  say("fix with LLM: working…");
  try {
    const outcome = await api("/api/getllm/fix-and-run", { method: "POST", body });
    const attempts = outcome.attempts || [];
    const nodes = [el("p", { class: `badge ${outcome.status === "success" ? "good" : "bad"}`, "data-fix-status": outcome.status,
      text: outcome.fixed ? "fixed: the last attempt runs" : (outcome.status === "success" ? "it already runs" : "not fixed") }),
    el("p", { class: "muted", text: `${attempts.length} attempt(s)${outcome.model ? `, model ${outcome.model}` : ""}` })];
    let previous = original;
    for (const attempt of attempts) {
      nodes.push(attemptNode(attempt, previous));
      previous = attempt.code || previous;
    }
    if (outcome.fixed && outcome.final_code) nodes.push(applyButton(outcome.final_code, "Apply the fix"));
    showInPanel(el("section", { class: "attempts", "aria-label": "Fix attempts" }, nodes));
    say(`fix with LLM: ${outcome.status}, ${attempts.length} attempt(s)`, outcome.status === "success" ? "ok" : "error");
  } catch (error) {
    showFailure("Fix with LLM", error);
    say(`fix with LLM: ${errorText(error)}`, "error");
  } finally {
    byId("fix").disabled = false;
    byId("fix").setAttribute("aria-busy", "false");
  }
}

/** Wires the Fix with LLM button. */
export function setUpFix() {
  byId("fix").addEventListener("click", fixWithLLM);
}
