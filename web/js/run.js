// Run: sends the editor's code with the options chosen in the UI to BEXY through the gateway. "short" waits
// for POST /api/bexy/execute; "stream" queues POST /api/bexy/jobs and follows its Server-Sent Events with
// live output. Stop cancels either (DELETE the job, or abort the request: BEXY cancels on disconnect).
import { api, errorText } from "./api.js";
import { byId, say } from "./ui.js";
import { showRunning, showResult, showFailure } from "./result.js";
import * as editor from "./editor.js";

let current = null;  // {controller, jobId, source}
const finishedListeners = [];

/** Splits an args line like a shell would for quotes: a 'b c' "d" -> [a, b c, d]. */
function splitArgs(line) {
  const args = [];
  const pattern = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let match = pattern.exec(line); match; match = pattern.exec(line)) args.push(match[1] ?? match[2] ?? match[3]);
  return args;
}

/** The request body for `code` from the run options form. */
function runRequest(code) {
  const body = { code, profile: byId("opt-profile").value };
  const stdin = byId("opt-stdin").value;
  if (stdin) body.stdin = stdin.endsWith("\n") ? stdin : `${stdin}\n`;
  const args = splitArgs(byId("opt-args").value);
  if (args.length) body.args = args;
  const timeout = parseFloat(byId("opt-timeout").value);
  if (timeout > 0) body.timeout = timeout;
  const memory = parseFloat(byId("opt-memory").value);
  if (memory > 0) body.options = { memory_limit: memory };
  const artifacts = byId("opt-artifacts").value.split(",").map((s) => s.trim()).filter(Boolean);
  if (artifacts.length) body.artifacts = artifacts;
  return body;
}

function setRunning(running) {
  byId("run").disabled = running;
  byId("fix").disabled = running;
  byId("stop").disabled = !running;
  byId("run").setAttribute("aria-busy", String(running));
}

function finish(result) {
  current = null;
  setRunning(false);
  if (result) {
    showResult(result);
    say(`run finished: ${result.status}`, result.status === "ok" ? "ok" : "error");
    for (const listener of finishedListeners) listener(result);
  }
}

/** Runs the active tab's code with the chosen options and mode. */
export async function run() {
  if (current) return;
  const body = runRequest(editor.code());
  const stream = byId("opt-mode").value === "stream";
  current = { controller: new AbortController(), jobId: null, source: null };
  setRunning(true);
  say(`running ${editor.activeFile().path}…`);
  if (stream) return runJob(body);
  showRunning(editor.activeFile().path);
  try {
    finish(await api("/api/bexy/execute", { method: "POST", body, signal: current.controller.signal }));
  } catch (error) {
    current = null;
    setRunning(false);
    if (error.name === "AbortError") {
      showFailure("Run", new Error("stopped: the request was abandoned, and BEXY cancels a job whose client went away"));
    } else {
      showFailure("Run", error);
    }
    say(`run: ${errorText(error)}`, "error");
  }
}

async function runJob(body) {
  const live = showRunning(`${editor.activeFile().path} (streamed job)`);
  let job;
  try {
    job = await api("/api/bexy/jobs", { method: "POST", body });
  } catch (error) {
    current = null;
    setRunning(false);
    return showFailure("Queueing the job", error);
  }
  current.jobId = job.id;
  const source = new EventSource(`/api/bexy/jobs/${encodeURIComponent(job.id)}/events`);
  current.source = source;
  const text = (event) => { try { return JSON.parse(event.data); } catch { return event.data; } };
  source.addEventListener("stdout", (event) => live.append("stdout", text(event)));
  source.addEventListener("stderr", (event) => live.append("stderr", text(event)));
  source.addEventListener("result", (event) => { source.close(); finish(text(event)); });
  source.addEventListener("error", (event) => {
    source.close();
    if (event.data) {  // the server's own `error` event: {error: {code, message}}
      const message = text(event)?.error?.message || String(event.data);
      current = null;
      setRunning(false);
      return showFailure("The job", new Error(message));
    }
    settleFromJob(job.id);  // the stream ended without a result: ask the job itself
  });
}

/** Reads the job's final state after its event stream broke off. */
async function settleFromJob(id) {
  if (!current || current.jobId !== id) return;
  try {
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const job = await api(`/api/bexy/jobs/${encodeURIComponent(id)}`);
      if (job.result) return finish(job.result);
      if (job.error) throw new Error(job.error.message);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    throw new Error("the job's stream ended and it has no result yet");
  } catch (error) {
    current = null;
    setRunning(false);
    showFailure("Following the job", error);
  }
}

/** Stops the run under way: cancels the job (its stream then reports `cancelled`) or aborts the request. */
export async function stop() {
  if (!current) return;
  if (!current.jobId) {
    current.controller.abort();
    return;
  }
  say("stopping…");
  try {
    const answer = await api(`/api/bexy/jobs/${encodeURIComponent(current.jobId)}`, { method: "DELETE" });
    if (answer && answer.result && current) {
      current.source?.close();
      finish(answer.result);
    }
  } catch (error) {
    say(`stop: ${errorText(error)}`, "error");
  }
}

/** Fills the profile list from BEXY (the timeout's maximum follows the profile). */
async function loadProfiles() {
  const select = byId("opt-profile");
  try {
    const answer = await api("/api/bexy/profiles");
    const profiles = answer.profiles || [];
    if (!profiles.length) return;
    select.replaceChildren(...profiles.map((p) => new Option(p.name, p.name, false, p.name === "strict")));
    const limits = Object.fromEntries(profiles.map((p) => [p.name, p.limits?.wall_time_ms]));
    const followProfile = () => {
      const ms = limits[select.value];
      if (ms) byId("opt-timeout").max = String(ms / 1000);
      if (ms && parseFloat(byId("opt-timeout").value) > ms / 1000) byId("opt-timeout").value = String(ms / 1000);
    };
    select.addEventListener("change", followProfile);
    followProfile();
  } catch (error) {
    say(`profiles: ${errorText(error)}`, "error");
  }
}

/** Calls `listener(result)` after every finished run. */
export function onRunFinished(listener) { finishedListeners.push(listener); }

/** Wires Run and Stop and loads the profiles. */
export function setUpRun() {
  byId("run").addEventListener("click", run);
  byId("stop").addEventListener("click", stop);
  byId("run-options").addEventListener("submit", (event) => { event.preventDefault(); run(); });
  return loadProfiles();
}
