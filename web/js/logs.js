// The logs panel: LogLama's recent logs and the audit trail, each with its filters and live refresh every
// 3 s; plus the services' health from the gateway, shown in the top bar.
import { api, errorText } from "./api.js";
import { byId, el } from "./ui.js";
import { auditLink } from "./result.js";

const views = {
  logs: { tab: "tab-logs", view: "logs-view", filters: "log-filters" },
  audit: { tab: "tab-audit", view: "audit-view", filters: "audit-filters" },
};
let shown = "logs";
let timer = null;

function table(caption, headers, rows) {
  return el("table", {},
    el("caption", { class: "sr-only", text: caption }),
    el("thead", {}, el("tr", {}, headers.map((h) => el("th", { scope: "col", text: h })))),
    el("tbody", {}, rows));
}

function time(text) {
  return String(text || "").replace("T", " ").replace(/\.\d+Z$|Z$/, "");
}

async function loadLogs() {
  const query = { page_size: 50, level: byId("f-level").value, component: byId("f-component").value.trim(),
    search: byId("f-search").value.trim() };
  const answer = await api("/api/loglama/api/logs", { query });
  const rows = (answer.logs || []).map((log) => el("tr", { class: `level-${String(log.level).toLowerCase()}` },
    el("td", { text: time(log.timestamp) }), el("td", { text: log.level }),
    el("td", { text: log.logger_name || log.component || "" }), el("td", { class: "message", text: log.message })));
  byId("logs-view").replaceChildren(rows.length
    ? table("Recent logs", ["time", "level", "component", "message"], rows)
    : el("p", { class: "muted", text: "no logs match" }));
}

async function loadAudit() {
  const query = { page_size: 50, status: byId("f-status").value, profile: byId("f-profile").value.trim(),
    requester: byId("f-requester").value.trim() };
  const answer = await api("/api/loglama/api/audit", { query });
  // LogLama answers each record in its chain entry {seq, hash, prev_hash, received_at, record}.
  const records = (answer.records || []).map((entry) => entry.record || entry);
  const rows = records.map((record) => el("tr", { class: `status-${record.status}`, "data-id": record.id },
    el("td", { text: time(record.time) }), el("td", {}, auditLink(record.id)), el("td", { text: record.status }),
    el("td", { text: record.profile }), el("td", { text: record.requester }),
    el("td", { text: record.exit_code ?? "" }), el("td", { text: record.limit_hit || record.blocked_syscall || "" }),
    el("td", { text: record.wall_ms !== undefined ? `${record.wall_ms} ms` : "" })));
  byId("audit-view").replaceChildren(rows.length
    ? table("Audit trail", ["time", "id", "status", "profile", "requester", "exit", "limit / syscall", "wall"], rows)
    : el("p", { class: "muted", text: "no audit records match" }));
}

/** Reloads the view shown (logs or audit); a failure is shown in words in the view itself. */
export async function refreshLogs() {
  const target = byId(views[shown].view);
  try {
    await (shown === "logs" ? loadLogs() : loadAudit());
  } catch (error) {
    target.replaceChildren(el("p", { class: "badge bad", role: "alert", text: `LogLama: ${errorText(error)}` }));
  }
}

/** Shows `which` ("logs" or "audit"). */
function showView(which) {
  shown = which;
  for (const [name, parts] of Object.entries(views)) {
    const on = name === which;
    byId(parts.tab).setAttribute("aria-selected", String(on));
    byId(parts.tab).tabIndex = on ? 0 : -1;
    byId(parts.view).hidden = !on;
    byId(parts.filters).hidden = !on;
  }
  refreshLogs();
}

/** The services' health as dots with names in the top bar. */
async function refreshHealth() {
  const list = byId("health");
  try {
    const answer = await api("/api/health", { allow401: true });
    list.replaceChildren(...(answer.services || []).map((service) => el("li", {
      class: service.active ? "up" : "down",
      title: service.active ? `${service.name}: up${service.latency_ms !== undefined ? `, ${service.latency_ms} ms` : ""}`
        : `${service.name}: down${service.error ? ` (${service.error})` : ""}`,
    }, el("span", { class: "dot", "aria-hidden": "true" }), `${service.name} ${service.active ? "up" : "down"}`)));
  } catch (error) {
    list.replaceChildren(el("li", { class: "down", text: `health: ${errorText(error)}` }));
  }
}

function schedule() {
  clearInterval(timer);
  timer = null;
  if (byId("live").checked) timer = setInterval(() => { if (!document.hidden) refreshLogs(); }, 3000);
}

/** Wires the tabs, filters, live refresh and Refresh button, and loads the first view and the health. */
export function setUpLogs() {
  byId("tab-logs").addEventListener("click", () => showView("logs"));
  byId("tab-audit").addEventListener("click", () => showView("audit"));
  for (const tab of ["tab-logs", "tab-audit"]) {
    byId(tab).addEventListener("keydown", (event) => {
      if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
      const next = shown === "logs" ? "audit" : "logs";
      showView(next);
      byId(views[next].tab).focus();
    });
  }
  for (const form of ["log-filters", "audit-filters"]) {
    byId(form).addEventListener("input", () => refreshLogs());
    byId(form).addEventListener("submit", (event) => { event.preventDefault(); refreshLogs(); });
  }
  byId("live").addEventListener("change", schedule);
  byId("logs-refresh").addEventListener("click", () => { refreshLogs(); refreshHealth(); });
  showView("logs");
  schedule();
  refreshHealth();
  setInterval(() => { if (!document.hidden) refreshHealth(); }, 30000);
}
