"use strict";
/*
 * LogLama web interface: tabs Logs, Audit and Services over LogLama's JSON API.
 * Rules kept here (WebInterfaceTests checks the served text):
 *  - data reaches the DOM only as text (textContent, createElement, setAttribute of listed attributes);
 *    no HTML parsing sink and no code built from strings;
 *  - every URL is relative ("api/logs?..."), so the page also works under a gateway prefix;
 *  - no inline script or style: the Content-Security-Policy forbids both.
 */

/** Pure helpers: no DOM, no network. Exported for node (the tests run them). */
const LogLamaHelpers = (() => {
  const PAGE_SIZES = [50, 100, 200, 500];
  const DEFAULT_PAGE_SIZE = 100;
  const LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"];

  /** "a=1&b=x%20y" from an object; undefined, null and "" values are left out; keys keep their order. */
  function queryString(params) {
    const parts = [];
    for (const [key, value] of Object.entries(params || {})) {
      if (value === undefined || value === null || value === "") continue;
      parts.push(encodeURIComponent(key) + "=" + encodeURIComponent(String(value)));
    }
    return parts.join("&");
  }

  /** A relative API URL: `path` ("api/logs") and the query of `params`. A path that is not relative throws. */
  function apiUrl(path, params) {
    if (!/^[a-z][a-z0-9_\/-]*$/.test(path)) throw new Error("not a relative API path: " + path);
    const query = queryString(params);
    return query ? path + "?" + query : path;
  }

  /** The export link of `kind` ("logs" or "audit") in `format` ("csv" or "jsonl") for `filters`, without paging. */
  function exportHref(kind, format, filters) {
    const params = { format: format };
    for (const [key, value] of Object.entries(filters || {})) {
      if (key !== "page" && key !== "page_size") params[key] = value;
    }
    return apiUrl("api/" + kind + "/export", params);
  }

  /**
   * A datetime-local value ("2026-01-02T03:04", seconds optional) read in the browser's time zone, as UTC
   * ISO 8601 ("2026-01-02T02:04:00.000Z" in Paris in winter). "" gives ""; an invalid value gives null.
   */
  function localToUtcIso(value) {
    if (!value) return "";
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/.test(value)) return null;
    const date = new Date(value); // a date-time without an offset is local time
    return Number.isNaN(date.getTime()) ? null : date.toISOString();
  }

  /** "2026-01-02 03:04:05.678 UTC" for a stored UTC timestamp; any other text as is; "" for null. */
  function formatTimestamp(text) {
    if (text === null || text === undefined) return "";
    const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2}(\.\d+)?)Z$/.exec(String(text));
    return match ? match[1] + " " + match[2] + " UTC" : String(text);
  }

  /** Bytes in binary units: "512 B", "1.5 KiB", "8.6 MiB"; "" for null. */
  function formatBytes(bytes) {
    if (bytes === null || bytes === undefined || bytes === "") return "";
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let value = Number(bytes);
    let unit = 0;
    while (Math.abs(value) >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit += 1;
    }
    return unit === 0 ? value + " B" : value.toFixed(1) + " " + units[unit];
  }

  /** Milliseconds for people: "42 ms", "8.2 ms", "1.50 s", "2 min 5 s"; "" for null. */
  function formatDuration(ms) {
    if (ms === null || ms === undefined || ms === "") return "";
    const value = Number(ms);
    if (value < 1000) return (Number.isInteger(value) ? value : value.toFixed(1)) + " ms";
    if (value < 60000) return (value / 1000).toFixed(2) + " s";
    return Math.floor(value / 60000) + " min " + Math.floor((value % 60000) / 1000) + " s";
  }

  /** A limit's value by its key's unit: `*_bytes` as bytes, `*_ms` as a duration, anything else as is. */
  function formatLimit(key, value) {
    if (value === null || value === undefined) return "";
    if (/_bytes$/.test(key)) return formatBytes(value);
    if (/_ms$/.test(key)) return formatDuration(value);
    return String(value);
  }

  /** JSON indented by two spaces (the detail view's `context`). */
  function prettyJSON(value) {
    return JSON.stringify(value === undefined ? null : value, null, 2);
  }

  /** The order after a click on `column`: the same column flips; another starts newest-first for time, else A-Z. */
  function nextSort(current, column) {
    if (current.sort_by === column) {
      return { sort_by: column, sort_direction: current.sort_direction === "asc" ? "desc" : "asc" };
    }
    return { sort_by: column, sort_direction: column === "timestamp" ? "desc" : "asc" };
  }

  /** The query counting logs at or after `newest` under `filters` (all matching logs when nothing is shown yet). */
  function newLogsQuery(filters, newest) {
    const params = Object.assign({}, filters, { page: 1, page_size: 1 });
    if (newest) params.start_date = newest;
    return params;
  }

  /** "1 new log", "N new logs". */
  function newLogsLabel(count) {
    return count === 1 ? "1 new log" : count + " new logs";
  }

  /** A supported page size (50, 100, 200 or 500) from user input, else 100. */
  function pageSize(value) {
    const size = Number(value);
    return PAGE_SIZES.includes(size) ? size : DEFAULT_PAGE_SIZE;
  }

  /** "Page 2 of 5 · 432 logs". */
  function pagerLabel(page, pages, total, noun) {
    return "Page " + page + " of " + pages + " \u00b7 " + total + " " + noun + (total === 1 ? "" : "s");
  }

  /** `url` when it is an absolute http(s) URL (the only links made from data), else null. */
  function safeHttpUrl(url) {
    try {
      const parsed = new URL(String(url));
      return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
    } catch (error) {
      return null;
    }
  }

  /** One line for a failed request: the error envelope's message when there is one, else the HTTP status. */
  function describeError(status, body) {
    const error = body && typeof body === "object" ? body.error : null;
    if (error && typeof error.message === "string") return "HTTP " + status + ": " + error.message;
    return "HTTP " + status;
  }

  /** The badge class of a log level; unknown levels get the plain badge. */
  function levelClass(level) {
    return LEVELS.includes(level) ? "badge level-" + level.toLowerCase() : "badge";
  }

  /** The badge class of an execution status: ok, a program error, or a limit or sandbox event. */
  function statusClass(status) {
    if (status === "ok") return "badge good";
    if (status === "runtime_error") return "badge warn";
    return "badge bad";
  }

  return {
    PAGE_SIZES, queryString, apiUrl, exportHref, localToUtcIso, formatTimestamp, formatBytes, formatDuration,
    formatLimit, prettyJSON, nextSort, newLogsQuery, newLogsLabel, pageSize, pagerLabel, safeHttpUrl, describeError,
    levelClass, statusClass,
  };
})();

/** The page: tabs, tables, filters, the detail dialog and the refresh timers. */
const LogLamaApp = (() => {
  const H = LogLamaHelpers;
  const REFRESH_MS = 5000;
  const DASH = "\u2014";
  const ATTRIBUTES = new Set([
    "class", "title", "type", "value", "href", "download", "scope", "colspan", "tabindex", "data-id", "aria-label",
  ]);

  const byId = (id) => document.getElementById(id);

  /** An element with `text` as its text and listed attributes; `href` must be relative or http(s). */
  function el(tag, options, children) {
    const node = document.createElement(tag);
    const settings = options || {};
    if (settings.text !== undefined && settings.text !== null) node.textContent = String(settings.text);
    for (const [name, value] of Object.entries(settings.attrs || {})) {
      if (value === null || value === undefined) continue;
      if (!ATTRIBUTES.has(name)) throw new Error("attribute not allowed: " + name);
      if (name === "href" && !/^api\//.test(String(value)) && H.safeHttpUrl(value) === null) {
        throw new Error("link not allowed: " + value);
      }
      node.setAttribute(name, String(value));
    }
    for (const child of children || []) node.append(child);
    return node;
  }

  /** A table cell with `value` as text, or a dash when it is empty. */
  function cell(value, className) {
    const text = value === null || value === undefined || value === "" ? DASH : String(value);
    return el("td", { text: text, attrs: { class: className } });
  }

  function setStatus(id, message, isError) {
    const node = byId(id);
    node.textContent = message || "";
    node.classList.toggle("error", Boolean(isError));
  }

  /** GET or POST `url` (relative), returning the parsed JSON; a failure throws with a one-line message. */
  async function requestJSON(url, init) {
    let response;
    try {
      response = await fetch(url, Object.assign({ headers: { Accept: "application/json" } }, init || {}));
    } catch (error) {
      throw new Error("network error: " + error.message);
    }
    let body = null;
    try {
      body = await response.json();
    } catch (error) {
      body = null;
    }
    if (!response.ok) throw new Error(H.describeError(response.status, body));
    return body;
  }

  /** The values of a filter form, by input name; datetime-local inputs converted to UTC ISO 8601. */
  function formValues(form) {
    const values = {};
    for (const input of form.querySelectorAll("input[name], select[name]")) {
      if (input.name === "page_size") continue;
      let value = input.value.trim();
      if (input.type === "datetime-local") {
        value = H.localToUtcIso(value);
        const label = input.closest("label");
        if (value === null) throw new Error("invalid date in " + (label ? label.textContent.trim() : input.name));
      }
      values[input.name] = value;
    }
    return values;
  }

  // MARK: the detail dialog

  /** A definition list of [label, value] pairs; values that are elements are appended as they are. */
  function definitions(pairs) {
    const list = el("dl");
    for (const [label, value] of pairs) {
      list.append(el("dt", { text: label }));
      const isNode = value instanceof Node;
      const empty = value === null || value === undefined || value === "";
      list.append(isNode ? el("dd", {}, [value]) : el("dd", { text: empty ? DASH : String(value) }));
    }
    return list;
  }

  function openDetail(title, sections) {
    byId("detail-title").textContent = title;
    const body = byId("detail-body");
    body.replaceChildren();
    for (const [heading, content] of sections) {
      body.append(el("h3", { text: heading }), content);
    }
    const dialog = byId("detail");
    if (!dialog.open) dialog.showModal();
  }

  // MARK: Logs

  const logs = {
    filters: {},
    sort: { sort_by: "timestamp", sort_direction: "desc" },
    page: 1,
    pages: 1,
    total: 0,
    newest: null, // the newest timestamp among the logs matching the filters at the last load
    atNewest: 0, // how many matching logs had a timestamp at or after `newest` then
    loading: false,
  };

  function logParams() {
    return Object.assign({}, logs.filters, logs.sort, { page: logs.page, page_size: H.pageSize(byId("logs-page-size").value) });
  }

  function updateLogExportLinks() {
    const filters = Object.assign({}, logs.filters, logs.sort);
    byId("logs-export-csv").setAttribute("href", H.exportHref("logs", "csv", filters));
    byId("logs-export-jsonl").setAttribute("href", H.exportHref("logs", "jsonl", filters));
  }

  function showLogDetail(entry) {
    const fields = [
      ["ID", entry.id], ["Time", H.formatTimestamp(entry.timestamp)], ["Level", entry.level],
      ["Level number", entry.level_number], ["Component", entry.logger_name], ["Request id", entry.request_id],
      ["File", entry.file_path], ["Line", entry.line_number], ["Function", entry.function], ["Module", entry.module],
      ["Process", entry.process_id], ["Process name", entry.process_name], ["Thread", entry.thread_id],
      ["Thread name", entry.thread_name],
    ];
    const sections = [
      ["Message", el("pre", { text: entry.message })],
      ["Fields", definitions(fields)],
      ["Context", el("pre", { text: H.prettyJSON(entry.context) })],
    ];
    if (entry.exception_info) sections.push(["Exception", el("pre", { text: entry.exception_info })]);
    openDetail("Log " + entry.id, sections);
  }

  function clickableRow(cells, onOpen) {
    const row = el("tr", { attrs: { tabindex: "0", class: "clickable" } }, cells);
    row.addEventListener("click", onOpen);
    row.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        onOpen();
      }
    });
    return row;
  }

  function renderLogs(entries, freshAfter) {
    const rows = entries.map((entry) => {
      const row = clickableRow([
        cell(H.formatTimestamp(entry.timestamp), "nowrap"),
        el("td", {}, [el("span", { text: entry.level, attrs: { class: H.levelClass(entry.level) } })]),
        cell(entry.logger_name),
        cell(entry.message, "message"),
      ], () => showLogDetail(entry));
      if (freshAfter && entry.timestamp > freshAfter) row.classList.add("fresh");
      return row;
    });
    byId("logs-rows").replaceChildren(...rows);
    if (entries.length === 0) {
      byId("logs-rows").append(el("tr", {}, [el("td", { text: "No logs match.", attrs: { colspan: "4", class: "empty" } })]));
    }
    for (const header of document.querySelectorAll("#logs-table th[data-sort]")) {
      const sorted = header.dataset.sort === logs.sort.sort_by;
      header.setAttribute("aria-sort", sorted ? (logs.sort.sort_direction === "asc" ? "ascending" : "descending") : "none");
    }
  }

  function renderPager(prefix, state, noun) {
    byId(prefix + "-page-info").textContent = H.pagerLabel(state.page, state.pages, state.total, noun);
    byId(prefix + "-first").disabled = state.page <= 1;
    byId(prefix + "-prev").disabled = state.page <= 1;
    byId(prefix + "-next").disabled = state.page >= state.pages;
    byId(prefix + "-last").disabled = state.page >= state.pages;
  }

  function bindPager(prefix, state, load) {
    const go = (page) => {
      state.page = Math.min(Math.max(1, page), state.pages);
      load();
    };
    byId(prefix + "-first").addEventListener("click", () => go(1));
    byId(prefix + "-prev").addEventListener("click", () => go(state.page - 1));
    byId(prefix + "-next").addEventListener("click", () => go(state.page + 1));
    byId(prefix + "-last").addEventListener("click", () => go(state.pages));
  }

  async function countMatching(newest) {
    const listing = await requestJSON(H.apiUrl("api/logs", H.newLogsQuery(logs.filters, newest)));
    return listing.total;
  }

  /** Loads the current page; `freshAfter` highlights rows newer than that timestamp. */
  async function loadLogs(freshAfter) {
    logs.loading = true;
    setStatus("logs-status", "Loading\u2026");
    try {
      const listing = await requestJSON(H.apiUrl("api/logs", logParams()));
      logs.pages = listing.pages;
      logs.total = listing.total;
      if (logs.page > listing.pages) {
        logs.page = listing.pages;
        logs.loading = false;
        return loadLogs(freshAfter);
      }
      renderLogs(listing.logs, freshAfter);
      renderPager("logs", logs, "log");
      const top = await requestJSON(H.apiUrl("api/logs", Object.assign({}, logs.filters,
        { sort_by: "timestamp", sort_direction: "desc", page_size: 1 })));
      logs.newest = top.logs.length > 0 ? top.logs[0].timestamp : null;
      logs.atNewest = logs.newest ? await countMatching(logs.newest) : 0;
      byId("logs-new").hidden = true;
      setStatus("logs-status", "");
    } catch (error) {
      setStatus("logs-status", "Could not load logs: " + error.message, true);
    } finally {
      logs.loading = false;
    }
  }

  /** The auto-refresh tick: counts logs newer than the newest shown; on page 1 newest-first, shows them. */
  async function checkNewLogs() {
    if (logs.loading || !byId("logs-auto").checked) return;
    try {
      const count = (await countMatching(logs.newest)) - logs.atNewest;
      if (count <= 0) return;
      const newestFirst = logs.sort.sort_by === "timestamp" && logs.sort.sort_direction === "desc";
      if (logs.page === 1 && newestFirst && !byId("detail").open) {
        const previous = logs.newest;
        await loadLogs(previous);
        setStatus("logs-status", H.newLogsLabel(count));
      } else {
        const notice = byId("logs-new");
        notice.textContent = H.newLogsLabel(count) + " \u2014 show";
        notice.hidden = false;
      }
    } catch (error) {
      setStatus("logs-status", "Auto-refresh failed: " + error.message, true);
    }
  }

  async function loadComponents() {
    const select = byId("logs-component");
    const selected = select.value;
    try {
      const names = await requestJSON("api/components");
      const options = [el("option", { text: "any", attrs: { value: "" } })];
      for (const name of names) options.push(el("option", { text: name, attrs: { value: name } }));
      if (selected && !names.includes(selected)) options.push(el("option", { text: selected, attrs: { value: selected } }));
      select.replaceChildren(...options);
      select.value = selected;
    } catch (error) {
      setStatus("logs-status", "Could not load components: " + error.message, true);
    }
  }

  function applyLogFilters() {
    try {
      logs.filters = formValues(byId("logs-filters"));
    } catch (error) {
      setStatus("logs-status", error.message, true);
      return;
    }
    logs.page = 1;
    updateLogExportLinks();
    loadLogs();
  }

  async function clearLogs() {
    const filtered = Object.values(logs.filters).some((value) => value !== "");
    const question = filtered
      ? "Delete the " + logs.total + " logs matching the current filters? This cannot be undone."
      : "Delete ALL " + logs.total + " logs? This cannot be undone.";
    if (!window.confirm(question)) return;
    const body = {};
    for (const [key, value] of Object.entries(logs.filters)) if (value !== "") body[key] = value;
    try {
      const result = await requestJSON("api/logs/clear", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(body),
      });
      await loadComponents();
      await loadLogs();
      setStatus("logs-status", "Deleted " + result.deleted + " logs.");
    } catch (error) {
      setStatus("logs-status", "Could not clear logs: " + error.message, true);
    }
  }

  function bindLogs() {
    byId("logs-filters").addEventListener("submit", (event) => {
      event.preventDefault();
      applyLogFilters();
    });
    byId("logs-filters").addEventListener("reset", () => setTimeout(applyLogFilters, 0));
    byId("logs-page-size").addEventListener("change", () => {
      logs.page = 1;
      loadLogs();
    });
    for (const button of document.querySelectorAll("#logs-table th[data-sort] button")) {
      button.addEventListener("click", () => {
        logs.sort = H.nextSort(logs.sort, button.closest("th").dataset.sort);
        logs.page = 1;
        updateLogExportLinks();
        loadLogs();
      });
    }
    byId("logs-new").addEventListener("click", () => {
      logs.page = 1;
      loadLogs();
    });
    byId("logs-clear").addEventListener("click", clearLogs);
    bindPager("logs", logs, () => loadLogs());
  }

  // MARK: Audit

  const audit = { filters: {}, sort_direction: "desc", page: 1, pages: 1, total: 0 };

  function auditParams() {
    return Object.assign({}, audit.filters, {
      sort_direction: audit.sort_direction, page: audit.page, page_size: H.pageSize(byId("audit-page-size").value),
    });
  }

  function updateAuditExportLinks() {
    const filters = Object.assign({}, audit.filters, { sort_direction: audit.sort_direction });
    byId("audit-export-csv").setAttribute("href", H.exportHref("audit", "csv", filters));
    byId("audit-export-jsonl").setAttribute("href", H.exportHref("audit", "jsonl", filters));
  }

  function showAuditDetail(item) {
    const record = item.record && typeof item.record === "object" ? item.record : {};
    const limits = record.limits && typeof record.limits === "object" ? record.limits : {};
    const shown = new Set();
    const field = (key, label, format) => {
      shown.add(key);
      const value = record[key];
      return [label, format && value !== null && value !== undefined ? format(value) : value];
    };
    // A text excerpt of the record as its own section, shown as text in a <pre>; none when absent.
    const excerpt = (key, label) => {
      shown.add(key);
      const value = record[key];
      return typeof value === "string" ? [[label, el("pre", { text: value })]] : [];
    };
    const sections = [
      ["Execution", definitions([
        field("id", "Job id"), field("time", "Time", H.formatTimestamp), field("status", "Status"),
        field("exit_code", "Exit code"), field("signal", "Signal"), field("blocked_syscall", "Blocked syscall"),
        field("limit_hit", "Limit hit"),
      ])],
      ["Who and where", definitions([
        field("requester", "Requester"), field("front_door", "Front door"), field("profile", "Profile"),
        field("host_uid", "Host uid"), field("bexy_version", "BEXY version"),
      ])],
      ["Code", definitions([field("code_sha256", "SHA-256"), field("code_bytes", "Size", H.formatBytes)])],
      ...excerpt("code", "Code run (first 64 KiB)"),
      ...excerpt("stdout_head", "stdout (first 4 KiB)"),
      ...excerpt("stderr_head", "stderr (first 4 KiB)"),
      ["Resources used", definitions([
        field("wall_ms", "Wall time", H.formatDuration), field("cpu_ms", "CPU time", H.formatDuration),
        field("peak_memory_bytes", "Peak memory", H.formatBytes), field("stdout_bytes", "stdout", H.formatBytes),
        field("stderr_bytes", "stderr", H.formatBytes),
      ])],
      ["Limits", definitions(Object.entries(limits).map(([key, value]) => [key, H.formatLimit(key, value)]))],
    ];
    shown.add("limits");
    const others = Object.keys(record).filter((key) => !shown.has(key));
    if (others.length > 0) {
      sections.push(["Other fields", definitions(others.map((key) => [key, H.prettyJSON(record[key])]))]);
    }
    sections.push(["Hash chain", definitions([
      ["Seq", item.seq], ["Hash", item.hash], ["Previous hash", item.prev_hash],
      ["Received", H.formatTimestamp(item.received_at)],
    ])]);
    sections.push(["Stored record", el("pre", { text: H.prettyJSON(item.record) })]);
    openDetail("Execution " + (record.id || item.seq), sections);
  }

  function renderAudit(items) {
    const rows = items.map((item) => {
      const record = item.record && typeof item.record === "object" ? item.record : {};
      return clickableRow([
        cell(H.formatTimestamp(record.time), "nowrap"),
        el("td", {}, [el("span", { text: record.status, attrs: { class: H.statusClass(record.status) } })]),
        cell(record.requester),
        cell(record.front_door),
        cell(record.profile),
        cell(record.exit_code, "number"),
        cell(H.formatDuration(record.wall_ms), "number"),
        cell(H.formatDuration(record.cpu_ms), "number"),
        cell(H.formatBytes(record.peak_memory_bytes), "number"),
        cell(record.id, "mono"),
      ], () => showAuditDetail(item));
    });
    byId("audit-rows").replaceChildren(...rows);
    if (items.length === 0) {
      byId("audit-rows").append(el("tr", {}, [el("td", { text: "No executions match.", attrs: { colspan: "10", class: "empty" } })]));
    }
    byId("audit-time").setAttribute("aria-sort", audit.sort_direction === "asc" ? "ascending" : "descending");
  }

  async function loadAudit() {
    setStatus("audit-status", "Loading\u2026");
    try {
      const listing = await requestJSON(H.apiUrl("api/audit", auditParams()));
      audit.pages = listing.pages;
      audit.total = listing.total;
      if (audit.page > listing.pages) {
        audit.page = listing.pages;
        return loadAudit();
      }
      renderAudit(listing.records);
      renderPager("audit", audit, "execution");
      setStatus("audit-status", "");
    } catch (error) {
      setStatus("audit-status", "Could not load the audit trail: " + error.message, true);
    }
  }

  async function verifyChain() {
    const result = byId("audit-verify-result");
    result.textContent = "Verifying\u2026";
    result.className = "verify";
    try {
      const verdict = await requestJSON("api/audit/verify");
      if (verdict.ok) {
        result.textContent = "Chain intact: " + verdict.records + " records verified.";
        result.className = "verify good";
      } else {
        const broken = verdict.broken_at || {};
        result.textContent = "Chain BROKEN at seq " + broken.seq + " (" + broken.id + "): " + broken.reason;
        result.className = "verify bad";
      }
    } catch (error) {
      result.textContent = "Could not verify: " + error.message;
      result.className = "verify bad";
    }
  }

  function applyAuditFilters() {
    try {
      audit.filters = formValues(byId("audit-filters"));
    } catch (error) {
      setStatus("audit-status", error.message, true);
      return;
    }
    audit.page = 1;
    updateAuditExportLinks();
    loadAudit();
  }

  function bindAudit() {
    byId("audit-filters").addEventListener("submit", (event) => {
      event.preventDefault();
      applyAuditFilters();
    });
    byId("audit-filters").addEventListener("reset", () => setTimeout(applyAuditFilters, 0));
    byId("audit-page-size").addEventListener("change", () => {
      audit.page = 1;
      loadAudit();
    });
    byId("audit-time-sort").addEventListener("click", () => {
      audit.sort_direction = audit.sort_direction === "desc" ? "asc" : "desc";
      audit.page = 1;
      updateAuditExportLinks();
      loadAudit();
    });
    byId("audit-verify").addEventListener("click", verifyChain);
    bindPager("audit", audit, loadAudit);
  }

  // MARK: Services

  function renderServices(services) {
    const rows = services.map((service) => {
      const href = H.safeHttpUrl(service.url);
      const port = service.port === service.default_port || service.default_port === undefined
        ? service.port : service.port + " (default " + service.default_port + ")";
      return el("tr", {}, [
        cell(service.name, "mono"),
        cell(service.description),
        cell(port, "number"),
        el("td", {}, [href ? el("a", { text: service.url, attrs: { href: href } }) : DASH]),
        el("td", {}, [el("span", {
          text: service.active ? "up" : "down", attrs: { class: service.active ? "badge good" : "badge bad" },
        })]),
        cell(H.formatDuration(service.latency_ms), "number"),
        cell(service.error),
      ]);
    });
    byId("services-rows").replaceChildren(...rows);
  }

  async function loadServices() {
    try {
      const body = await requestJSON("api/services");
      const services = body && Array.isArray(body.services) ? body.services : null;
      if (services === null) throw new Error("the reply has no \"services\" list");
      renderServices(services);
      setStatus("services-status", "Updated " + new Date().toLocaleTimeString() + ".");
    } catch (error) {
      byId("services-rows").replaceChildren();
      setStatus("services-status", "The services list is unavailable: " + error.message, true);
    }
  }

  // MARK: tabs, timers, start

  let currentTab = "logs";

  function showTab(name) {
    currentTab = name;
    for (const tab of document.querySelectorAll("[data-tab]")) {
      const selected = tab.dataset.tab === name;
      tab.setAttribute("aria-selected", String(selected));
      byId("panel-" + tab.dataset.tab).hidden = !selected;
    }
    if (name === "logs") loadLogs();
    if (name === "audit") loadAudit();
    if (name === "services") loadServices();
  }

  function tick() {
    if (document.hidden) return;
    if (currentTab === "logs") checkNewLogs();
    if (currentTab === "services") loadServices();
  }

  async function showVersion() {
    try {
      const health = await requestJSON("health");
      byId("version").textContent = health.service + " " + health.version + " \u00b7 " + health.status;
    } catch (error) {
      byId("version").textContent = "health: " + error.message;
    }
  }

  function start() {
    for (const tab of document.querySelectorAll("[data-tab]")) {
      tab.addEventListener("click", () => showTab(tab.dataset.tab));
    }
    byId("detail-close").addEventListener("click", () => byId("detail").close());
    bindLogs();
    bindAudit();
    updateLogExportLinks();
    updateAuditExportLinks();
    showVersion();
    loadComponents();
    showTab("logs");
    setInterval(tick, REFRESH_MS);
  }

  return { start };
})();

if (typeof module === "object" && module && module.exports) module.exports = LogLamaHelpers;
if (typeof document === "object") {
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", LogLamaApp.start);
  else LogLamaApp.start();
}