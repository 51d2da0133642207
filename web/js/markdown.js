// Markdown files: a live preview beside the editor (marked, code highlighted by highlight.js, ```mermaid
// blocks drawn by Mermaid), sanitised by DOMPurify into a detached fragment BEFORE it enters the page; and
// "Run all blocks", PyLama's workflow that runs each Python block in BEXY, fixes failures and splices the
// fixes back into the markdown.
import { api, errorText } from "./api.js";
import { byId, el, say } from "./ui.js";
import { showInPanel, showFailure, outputBlock } from "./result.js";
import { diffNode } from "./diff.js";
import * as editor from "./editor.js";

let diagrams = 0;
let pending = null;

/** Highlighted HTML for a fenced block (marked escapes the code itself when this answers nothing). */
function highlight(code, lang) {
  if (!lang || lang === "mermaid" || !globalThis.hljs || !hljs.getLanguage(lang)) return undefined;
  try { return hljs.highlight(lang, code, true).value; } catch { return undefined; }
}

/**
 * Images in the preview: only data: and blob: URLs load (a workspace-relative or remote image would be a
 * broken or CSP-blocked request); any other image is shown as its alt text and address instead.
 */
function keepImagesLocal(node) {
  if (node.nodeName !== "IMG") return;
  const src = node.getAttribute("src") || "";
  if (/^(data:image\/|blob:)/i.test(src)) return;
  const stand = node.ownerDocument.createElement("span");
  stand.className = "image-placeholder";
  stand.textContent = `[image ${node.getAttribute("alt") || ""}: ${src}]`;
  node.replaceWith(stand);
}

/**
 * Raw HTML written in the markdown, with every event-handler attribute renamed so that it is not one: the
 * browser reports (as a console error) each inline handler it merely parses under our CSP, even in the inert
 * document DOMPurify parses into. DOMPurify then drops the renamed attribute; it stays the real sanitiser.
 */
const renderer = new marked.Renderer();
renderer.html = (html) => html.replace(/([\s/"'])on([a-z]+)(?=\s*=)/gi, "$1blocked-on$2");

/** The markdown as a sanitised DocumentFragment; nothing of it has touched the live DOM yet. */
function sanitisedFragment(markdown) {
  const html = marked.parse(markdown, { renderer, highlight, headerIds: false, mangle: false });
  return DOMPurify.sanitize(html, { RETURN_DOM_FRAGMENT: true });
}

/** Draws each ```mermaid block of `root` as an SVG (Mermaid's strict mode, then DOMPurify's SVG profile). */
async function drawDiagrams(root) {
  for (const code of root.querySelectorAll("pre > code.language-mermaid")) {
    const holder = el("div", { class: "mermaid-diagram", role: "img", "aria-label": "diagram" });
    const source = code.textContent;
    code.parentElement.replaceWith(holder);
    try {
      diagrams += 1;
      const { svg } = await mermaid.render(`weblama-diagram-${diagrams}`, source);
      holder.append(DOMPurify.sanitize(svg, {
        RETURN_DOM_FRAGMENT: true, USE_PROFILES: { svg: true, svgFilters: true, html: true },
        ADD_TAGS: ["foreignObject", "style"], HTML_INTEGRATION_POINTS: { foreignobject: true },
      }));
    } catch (error) {
      holder.replaceChildren(el("p", { class: "badge bad", text: `diagram: ${errorText(error)}` }),
        el("pre", { text: source }));
    }
  }
}

/** Renders `markdown` into the preview pane. */
async function renderPreview(markdown) {
  const preview = byId("preview");
  const fragment = sanitisedFragment(markdown);
  preview.replaceChildren(fragment);
  for (const link of preview.querySelectorAll("a[href]")) link.setAttribute("rel", "noopener noreferrer");
  await drawDiagrams(preview);
}

function blockNode(block) {
  const good = block.success === true;
  return el("article", { class: "block", "data-block": block.block_id },
    el("h3", {}, `Block ${block.block_id} — `, el("span", { class: `badge ${good ? "good" : "bad"}`, text: good ? "ok" : "failed" })),
    outputBlock("stdout", block.stdout ?? block.output),
    block.stderr || block.error ? outputBlock("stderr", block.stderr || block.error, "stderr") : null,
    block.fixed_code ? el("section", {}, el("h3", { text: "fixed code" }),
      el("pre", { tabindex: "0", "aria-label": `Block ${block.block_id}: fixed code`, text: block.fixed_code })) : null,
    block.fixed_code ? outputBlock("output of the fix", block.fixed_output) : null,
    el("p", { class: "muted", text: `${(block.attempts || []).length} fix attempt(s)` }));
}

/** Runs every Python block of the active markdown file through PyLama and shows per-block results. */
export async function runAllBlocks() {
  const markdown = editor.code();
  const button = byId("md-run");
  button.disabled = true;
  showInPanel(el("p", { class: "badge running", "data-status": "running", text: "running every block (and fixing failures)…" }));
  try {
    const outcome = await api("/api/pylama/execute", { method: "POST", body: { markdown, fix: true } });
    const results = outcome.results || [];
    const nodes = [el("p", { class: "muted", text: `${results.length} block(s) run` }), ...results.map(blockNode)];
    const updated = outcome.updated_markdown;
    if (updated && updated !== markdown) {
      nodes.push(el("section", { class: "updated" }, el("h3", { text: "updated markdown" }),
        diffNode(markdown, updated, "changes to the markdown"),
        el("button", { type: "button", class: "apply", text: "Apply the updated markdown",
          on: { click: () => { editor.setCode(updated); say("the updated markdown is in the editor (not saved yet)", "ok"); } } })));
    } else {
      nodes.push(el("p", { class: "muted", text: "the markdown needed no change" }));
    }
    showInPanel(el("section", { class: "blocks", "aria-label": "Block results" }, nodes));
    say(`ran ${results.length} block(s)`, "ok");
  } catch (error) {
    showFailure("Run all blocks", error);
  } finally {
    button.disabled = false;
  }
}

function showFor(path) {
  const isMarkdown = Boolean(path) && path.endsWith(".md");
  byId("preview").hidden = !isMarkdown;
  byId("md-run").hidden = !isMarkdown;
  byId("editor").classList.toggle("split", isMarkdown);
  if (isMarkdown) renderPreview(editor.code());
}

/** Sets Mermaid up (no auto-start, strict security) and follows the active tab. */
export function setUpMarkdown() {
  DOMPurify.addHook("afterSanitizeAttributes", keepImagesLocal);
  if (globalThis.mermaid) mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });
  byId("md-run").addEventListener("click", runAllBlocks);
  editor.onActiveChange(showFor);
  editor.onContentChange((path) => {
    if (!path || !path.endsWith(".md")) return;
    clearTimeout(pending);
    pending = setTimeout(() => renderPreview(editor.code()), 400);
  });
}
