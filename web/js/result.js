// The result panel: a run's status, exit, the limit that fired or the blocked system call, time, memory,
// stdout, stderr and artifacts; live output while a job streams; and the audit record behind the audit id.
import { api, errorText } from "./api.js";
import { byId, el, bytesText } from "./ui.js";

const panel = () => byId("result");

/** Replaces the panel's content with `nodes`. */
export function showInPanel(...nodes) {
  panel().replaceChildren(...nodes);
}

/** A labelled output block (stdout, stderr, ...); empty text shows "(empty)". */
export function outputBlock(label, text, kind = "") {
  return el("section", { class: `output ${kind}` },
    el("h3", { text: label }),
    el("pre", { tabindex: "0", "aria-label": label, class: text ? "" : "muted", text: text || "(empty)" }));
}

/** The panel while a run is under way; answers append(stream, text) for live output. */
export function showRunning(what) {
  const out = el("pre", { class: "live", tabindex: "0", "aria-label": "live output", "aria-live": "polite" });
  showInPanel(el("p", { class: "badge running", "data-status": "running", text: `running: ${what}` }), out);
  return {
    append(stream, text) {
      out.append(stream === "stderr" ? el("span", { class: "stderr", text }) : document.createTextNode(text));
      out.scrollTop = out.scrollHeight;
    },
  };
}

/** Shows a failure to run at all (the gateway or BEXY refused), in words. */
export function showFailure(doing, error) {
  showInPanel(el("p", { class: "badge bad", role: "alert", text: `${doing} failed: ${errorText(error)}` }));
}

/** The result's facts as a definition list. */
function facts(result) {
  const rows = [
    ["status", result.status],
    ["exit code", result.exit_code ?? (result.signal ? `signal ${result.signal}` : "–")],
    ["limit hit", result.limit_hit],
    ["blocked syscall", result.blocked_syscall],
    ["error", result.error_type ? `${result.error_type}: ${result.error_message || ""}` : null],
    ["time", result.wall_ms !== undefined ? `${result.wall_ms} ms wall, ${result.cpu_ms ?? "–"} ms cpu` : null],
    ["memory", result.peak_memory_bytes !== undefined ? `${bytesText(result.peak_memory_bytes)} peak` : null],
    ["profile", result.profile],
    ["sandbox", result.sandbox],
  ].filter(([, value]) => value !== null && value !== undefined && value !== "");
  const list = el("dl", { class: "facts" });
  for (const [name, value] of rows) list.append(el("dt", { text: name }), el("dd", { text: value }));
  if (result.id) {
    list.append(el("dt", { text: "audit id" }), el("dd", {}, auditLink(result.id)));
  }
  return list;
}

/** A link that opens the audit record `id`. */
export function auditLink(id) {
  return el("a", { href: `#audit/${encodeURIComponent(id)}`, class: "audit-link", "data-audit": id, text: id,
    on: { click: (event) => { event.preventDefault(); openAudit(id); } } });
}

function artifactList(artifacts) {
  if (!artifacts || artifacts.length === 0) return null;
  const items = artifacts.map((artifact) => {
    if (artifact.error) return el("li", { text: `${artifact.path}: not copied (${artifact.error})` });
    const bytes = Uint8Array.from(atob(artifact.content_base64 || ""), (c) => c.charCodeAt(0));
    const url = URL.createObjectURL(new Blob([bytes]));
    return el("li", {}, el("a", { href: url, download: artifact.path.split("/").pop(), text: artifact.path }),
      ` ${bytesText(artifact.bytes)}, sha256 ${String(artifact.sha256 || "").slice(0, 12)}…`);
  });
  return el("section", { class: "output" }, el("h3", { text: "artifacts" }), el("ul", {}, items));
}

/** A result as nodes: badge, facts, stdout, stderr, artifacts. */
function resultNodes(result) {
  const good = result.status === "ok" || result.success === true;
  const truncated = (flag) => (flag ? " (truncated)" : "");
  return [
    el("p", { class: `badge ${good ? "good" : "bad"}`, "data-status": result.status, text: result.status || (good ? "ok" : "failed") }),
    facts(result),
    outputBlock(`stdout${truncated(result.stdout_truncated)}`, result.stdout ?? result.output, "stdout"),
    outputBlock(`stderr${truncated(result.stderr_truncated)}`, result.stderr ?? result.error, "stderr"),
    artifactList(result.artifacts),
  ].filter(Boolean);
}

/** Shows a finished run's result in the panel. */
export function showResult(result) {
  showInPanel(...resultNodes(result));
}

/** An audit record (LogLama's chain entry {seq, hash, received_at, record}) as facts, code and output heads. */
function auditNodes(entry) {
  const record = entry.record || entry;
  const list = el("dl", { class: "facts" });
  const rows = [
    ["status", record.status], ["time", record.time], ["requester", record.requester],
    ["front door", record.front_door], ["profile", record.profile], ["exit code", record.exit_code],
    ["signal", record.signal], ["limit hit", record.limit_hit], ["blocked syscall", record.blocked_syscall],
    ["time used", record.wall_ms !== undefined ? `${record.wall_ms} ms wall, ${record.cpu_ms ?? "–"} ms cpu` : null],
    ["memory", record.peak_memory_bytes != null ? `${bytesText(record.peak_memory_bytes)} peak` : null],
    ["code", record.code_bytes !== undefined ? `${bytesText(record.code_bytes)}, sha256 ${record.code_sha256}` : null],
    ["chain", entry.seq !== undefined ? `#${entry.seq}, hash ${String(entry.hash).slice(0, 16)}…` : null],
  ].filter(([, value]) => value !== null && value !== undefined && value !== "");
  for (const [name, value] of rows) list.append(el("dt", { text: name }), el("dd", { text: value }));
  return [
    list,
    record.code !== undefined ? outputBlock("code", record.code) : null,
    record.stdout_head !== undefined ? outputBlock("stdout (head)", record.stdout_head, "stdout") : null,
    record.stderr_head ? outputBlock("stderr (head)", record.stderr_head, "stderr") : null,
    el("details", {}, el("summary", { text: "the record as JSON" }),
      el("pre", { class: "raw", "data-raw": "audit", text: JSON.stringify(entry, null, 2) })),
  ].filter(Boolean);
}

/** Opens the audit record `id` in its dialog; it may take a few seconds to reach LogLama, so it retries. */
export async function openAudit(id) {
  const dialog = byId("audit-dialog");
  const view = byId("audit-record");
  byId("audit-title").textContent = `Audit record ${id}`;
  view.replaceChildren(el("p", { class: "muted", text: "loading…" }));
  if (!dialog.open) dialog.showModal();
  for (let attempt = 0; attempt < 8; attempt += 1) {
    try {
      view.replaceChildren(...auditNodes(await api(`/api/loglama/api/audit/${encodeURIComponent(id)}`)));
      return;
    } catch (error) {
      if (error.status !== 404 || attempt === 7) {
        view.replaceChildren(el("p", { class: "badge bad", role: "alert", text: `The audit record could not be read: ${errorText(error)}` }));
        return;
      }
      view.replaceChildren(el("p", { class: "muted", text: "waiting for the audit record to reach LogLama…" }));
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

/** Wires the audit dialog's Close button. */
export function setUpAuditDialog() {
  byId("audit-close").addEventListener("click", () => byId("audit-dialog").close());
}
