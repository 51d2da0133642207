import Bexy

/// The HTML of LogLama's web interface, served at `GET /` (see `WebRoutes`).
///
/// Static: it holds no log or audit data, only the skeleton `WebScript` fills from the JSON API. The level and
/// status choices come from `LogLevel` and `ExecutionStatus`, so the filters cannot drift from what the API accepts.
/// No inline script, style or event handler: the Content-Security-Policy forbids them.
enum WebPage {
    static let html = #"""
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>LogLama</title>
<link rel="stylesheet" href="static/loglama.css">
<script src="static/loglama.js" defer></script>
</head>
<body>
<header class="top">
  <h1>LogLama</h1>
  <nav class="tabs" role="tablist" aria-label="Views">
    <button type="button" role="tab" id="tab-logs" data-tab="logs" aria-controls="panel-logs" aria-selected="true">Logs</button>
    <button type="button" role="tab" id="tab-audit" data-tab="audit" aria-controls="panel-audit" aria-selected="false">Audit</button>
    <button type="button" role="tab" id="tab-services" data-tab="services" aria-controls="panel-services" aria-selected="false">Services</button>
  </nav>
  <span id="version" class="muted"></span>
</header>
<main>
<section id="panel-logs" role="tabpanel" aria-labelledby="tab-logs">
  <form id="logs-filters" class="filters">
    <label>Level <select name="level">
      <option value="">any</option>
\#(options(LogLevel.allCases.map(\.name)))
    </select></label>
    <label>Component <select name="component" id="logs-component"><option value="">any</option></select></label>
    <label>From <input type="datetime-local" name="start_date" step="1"></label>
    <label>To <input type="datetime-local" name="end_date" step="1"></label>
    <label class="grow">Text <input type="search" name="search" placeholder="words in the message or component"></label>
    <label>Per page \#(pageSizeSelect(id: "logs-page-size"))</label>
    <button type="submit">Apply</button>
    <button type="reset">Reset</button>
  </form>
  <div class="toolbar">
    <label class="toggle"><input type="checkbox" id="logs-auto" checked> Auto-refresh every 5 s</label>
    <button type="button" id="logs-new" class="notice" hidden></button>
    <span class="spacer"></span>
    <a id="logs-export-csv" class="button" href="api/logs/export?format=csv" download>Export CSV</a>
    <a id="logs-export-jsonl" class="button" href="api/logs/export?format=jsonl" download>Export JSONL</a>
    <button type="button" id="logs-clear" class="danger">Clear logs&hellip;</button>
  </div>
  <p id="logs-status" class="status" role="status" aria-live="polite"></p>
  <table id="logs-table" class="data">
    <thead><tr>
      <th scope="col" data-sort="timestamp" aria-sort="descending"><button type="button">Time</button></th>
      <th scope="col" data-sort="level" aria-sort="none"><button type="button">Level</button></th>
      <th scope="col" data-sort="logger_name" aria-sort="none"><button type="button">Component</button></th>
      <th scope="col" data-sort="message" aria-sort="none"><button type="button">Message</button></th>
    </tr></thead>
    <tbody id="logs-rows"></tbody>
  </table>
\#(pager("logs"))
</section>

<section id="panel-audit" role="tabpanel" aria-labelledby="tab-audit" hidden>
  <form id="audit-filters" class="filters">
    <label>Status <select name="status">
      <option value="">any</option>
\#(options(ExecutionStatus.allCases.map(\.rawValue)))
    </select></label>
    <label>Profile <input type="text" name="profile"></label>
    <label>Requester <input type="text" name="requester"></label>
    <label>Since <input type="datetime-local" name="since" step="1"></label>
    <label>Until <input type="datetime-local" name="until" step="1"></label>
    <label>Per page \#(pageSizeSelect(id: "audit-page-size"))</label>
    <button type="submit">Apply</button>
    <button type="reset">Reset</button>
  </form>
  <div class="toolbar">
    <button type="button" id="audit-verify">Verify hash chain</button>
    <span id="audit-verify-result" class="verify" role="status" aria-live="polite"></span>
    <span class="spacer"></span>
    <a id="audit-export-csv" class="button" href="api/audit/export?format=csv" download>Export CSV</a>
    <a id="audit-export-jsonl" class="button" href="api/audit/export?format=jsonl" download>Export JSONL</a>
  </div>
  <p id="audit-status" class="status" role="status" aria-live="polite"></p>
  <table id="audit-table" class="data">
    <thead><tr>
      <th scope="col" id="audit-time" aria-sort="descending"><button type="button" id="audit-time-sort">Time</button></th>
      <th scope="col">Status</th>
      <th scope="col">Requester</th>
      <th scope="col">Front door</th>
      <th scope="col">Profile</th>
      <th scope="col" class="number">Exit</th>
      <th scope="col" class="number">Wall</th>
      <th scope="col" class="number">CPU</th>
      <th scope="col" class="number">Memory</th>
      <th scope="col">Job id</th>
    </tr></thead>
    <tbody id="audit-rows"></tbody>
  </table>
\#(pager("audit"))
</section>

<section id="panel-services" role="tabpanel" aria-labelledby="tab-services" hidden>
  <p class="muted">Every service of the ecosystem and its live health, refreshed every 5 s.</p>
  <p id="services-status" class="status" role="status" aria-live="polite"></p>
  <table id="services-table" class="data">
    <thead><tr>
      <th scope="col">Service</th>
      <th scope="col">Description</th>
      <th scope="col" class="number">Port</th>
      <th scope="col">URL</th>
      <th scope="col">Health</th>
      <th scope="col" class="number">Latency</th>
      <th scope="col">Error</th>
    </tr></thead>
    <tbody id="services-rows"></tbody>
  </table>
</section>
</main>

<dialog id="detail" aria-labelledby="detail-title">
  <div class="detail-head">
    <h2 id="detail-title"></h2>
    <button type="button" id="detail-close">Close</button>
  </div>
  <div id="detail-body"></div>
</dialog>
</body>
</html>

"""#

    /// `<option>` lines for fixed, known choices (level names, status words: letters and `_` only).
    private static func options(_ values: [String]) -> String {
        values.map { "      <option value=\"\($0)\">\($0)</option>" }.joined(separator: "\n")
    }

    /// The page-size choices: 50 to 500, 100 selected.
    private static func pageSizeSelect(id: String) -> String {
        let choices = [50, 100, 200, 500].map { size in
            "<option value=\"\(size)\"\(size == 100 ? " selected" : "")>\(size)</option>"
        }
        return "<select id=\"\(id)\">" + choices.joined() + "</select>"
    }

    /// The first/previous/next/last buttons and the page label; ids start with `prefix`.
    private static func pager(_ prefix: String) -> String {
        """
          <nav class="pager" aria-label="Pages">
            <button type="button" id="\(prefix)-first">&laquo; First</button>
            <button type="button" id="\(prefix)-prev">&lsaquo; Previous</button>
            <span id="\(prefix)-page-info"></span>
            <button type="button" id="\(prefix)-next">Next &rsaquo;</button>
            <button type="button" id="\(prefix)-last">Last &raquo;</button>
          </nav>
        """
    }
}
