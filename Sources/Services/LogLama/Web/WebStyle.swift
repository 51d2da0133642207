/// The style sheet of LogLama's web interface, served at `GET /static/loglama.css` (see `WebRoutes`). Light by
/// default, dark under `prefers-color-scheme: dark`; system fonts only (nothing is fetched from elsewhere).
enum WebStyle {
    static let source = #"""
:root {
  --bg: #ffffff;
  --fg: #1d2330;
  --muted: #5d6778;
  --panel: #f4f6f9;
  --border: #d7dce4;
  --accent: #2457c5;
  --accent-fg: #ffffff;
  --row-hover: #eef3fc;
  --fresh: #fff6d6;
  --good: #17803d;
  --warn: #a15c00;
  --bad: #c22a2a;
  --level-debug: #6b7280;
  --level-info: #2457c5;
  --level-warning: #a15c00;
  --level-error: #c22a2a;
  --level-critical: #8a1c7c;
  color-scheme: light dark;
}

@media (prefers-color-scheme: dark) {
  :root {
    --bg: #14171d;
    --fg: #e3e7ee;
    --muted: #9aa3b2;
    --panel: #1d2129;
    --border: #333a46;
    --accent: #6f9cff;
    --accent-fg: #0d1016;
    --row-hover: #232a36;
    --fresh: #3a3415;
    --good: #4cc27a;
    --warn: #e3a448;
    --bad: #ff6b6b;
    --level-debug: #9aa3b2;
    --level-info: #6f9cff;
    --level-warning: #e3a448;
    --level-error: #ff6b6b;
    --level-critical: #e07ad3;
  }
}

* { box-sizing: border-box; }

body {
  margin: 0;
  background: var(--bg);
  color: var(--fg);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
}

.top {
  display: flex;
  align-items: center;
  gap: 1.5rem;
  padding: 0.6rem 1.2rem;
  border-bottom: 1px solid var(--border);
  background: var(--panel);
}

.top h1 { margin: 0; font-size: 1.2rem; }

.tabs { display: flex; gap: 0.25rem; }

.tabs button {
  border: 1px solid transparent;
  background: none;
  color: var(--muted);
  padding: 0.35rem 0.9rem;
  border-radius: 6px;
}

.tabs button[aria-selected="true"] {
  color: var(--fg);
  border-color: var(--border);
  background: var(--bg);
  font-weight: 600;
}

#version { margin-left: auto; }

main { padding: 1rem 1.2rem; }

.muted { color: var(--muted); }

.filters, .toolbar {
  display: flex;
  flex-wrap: wrap;
  align-items: flex-end;
  gap: 0.6rem 0.9rem;
  margin-bottom: 0.7rem;
}

.filters label { display: flex; flex-direction: column; gap: 0.2rem; color: var(--muted); font-size: 0.85rem; }
.filters label.grow { flex: 1 1 14rem; }
.toolbar { align-items: center; }
.toolbar .toggle { display: flex; align-items: center; gap: 0.35rem; }
.spacer { flex: 1; }

input, select, button, .button {
  font: inherit;
  color: var(--fg);
  background: var(--bg);
  border: 1px solid var(--border);
  border-radius: 5px;
  padding: 0.3rem 0.55rem;
}

button, .button { cursor: pointer; text-decoration: none; display: inline-block; }
button:hover, .button:hover { border-color: var(--accent); }
button:disabled { opacity: 0.45; cursor: default; }
button[type="submit"] { background: var(--accent); color: var(--accent-fg); border-color: var(--accent); }
button.danger { color: var(--bad); border-color: var(--bad); }
button.notice { background: var(--fresh); border-color: var(--warn); }
:focus-visible { outline: 2px solid var(--accent); outline-offset: 1px; }

.status { min-height: 1.3em; margin: 0.3rem 0; color: var(--muted); }
.status.error { color: var(--bad); }
.verify.good { color: var(--good); }
.verify.bad { color: var(--bad); font-weight: 600; }

table.data { width: 100%; border-collapse: collapse; }
table.data th, table.data td {
  text-align: left;
  vertical-align: top;
  padding: 0.35rem 0.55rem;
  border-bottom: 1px solid var(--border);
}
table.data th { background: var(--panel); font-weight: 600; position: sticky; top: 0; }
table.data th button { border: none; background: none; padding: 0; font-weight: 600; }
table.data th[aria-sort="ascending"] button::after { content: " \25B2"; }
table.data th[aria-sort="descending"] button::after { content: " \25BC"; }
table.data .number { text-align: right; font-variant-numeric: tabular-nums; }
table.data td.message { white-space: pre-wrap; word-break: break-word; }
table.data td.empty { color: var(--muted); text-align: center; padding: 1.5rem; }
tr.clickable { cursor: pointer; }
tr.clickable:hover, tr.clickable:focus { background: var(--row-hover); }
tr.fresh { background: var(--fresh); }
.nowrap { white-space: nowrap; }
.mono, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.85rem; }

.badge { display: inline-block; padding: 0 0.45rem; border-radius: 4px; border: 1px solid currentColor; font-size: 0.8rem; }
.badge.level-debug { color: var(--level-debug); }
.badge.level-info { color: var(--level-info); }
.badge.level-warning { color: var(--level-warning); }
.badge.level-error { color: var(--level-error); }
.badge.level-critical { color: var(--level-critical); font-weight: 700; }
.badge.good { color: var(--good); }
.badge.warn { color: var(--warn); }
.badge.bad { color: var(--bad); }

.pager { display: flex; align-items: center; gap: 0.5rem; margin-top: 0.7rem; }

dialog {
  width: min(60rem, 95vw);
  max-height: 90vh;
  color: var(--fg);
  background: var(--bg);
  border: 1px solid var(--border);
  border-radius: 8px;
  padding: 0 1.2rem 1.2rem;
}
dialog::backdrop { background: rgba(0, 0, 0, 0.45); }
.detail-head {
  display: flex;
  justify-content: space-between;
  align-items: center;
  position: sticky;
  top: 0;
  background: var(--bg);
  padding-top: 1rem;
}
.detail-head h2 { margin: 0; font-size: 1.1rem; }
#detail-body h3 { font-size: 0.95rem; margin: 1rem 0 0.4rem; color: var(--muted); }
#detail-body dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; margin: 0; }
#detail-body dt { color: var(--muted); }
#detail-body dd { margin: 0; word-break: break-all; }
#detail-body pre {
  margin: 0;
  padding: 0.6rem;
  background: var(--panel);
  border: 1px solid var(--border);
  border-radius: 5px;
  white-space: pre-wrap;
  word-break: break-word;
}
"""#
}
