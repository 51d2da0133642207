// A line diff (longest common subsequence) between two texts, rendered as +/- lines for the fix attempts.
import { el } from "./ui.js";

/** The edit script from `before` to `after`: [{kind: " " | "-" | "+", line}]. */
function lineDiff(before, after) {
  const a = before.split("\n");
  const b = after.split("\n");
  const common = Array.from({ length: a.length + 1 }, () => new Array(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i -= 1) {
    for (let j = b.length - 1; j >= 0; j -= 1) {
      common[i][j] = a[i] === b[j] ? common[i + 1][j + 1] + 1 : Math.max(common[i + 1][j], common[i][j + 1]);
    }
  }
  const script = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) { script.push({ kind: " ", line: a[i] }); i += 1; j += 1; }
    else if (common[i + 1][j] >= common[i][j + 1]) { script.push({ kind: "-", line: a[i] }); i += 1; }
    else { script.push({ kind: "+", line: b[j] }); j += 1; }
  }
  while (i < a.length) script.push({ kind: "-", line: a[i++] });
  while (j < b.length) script.push({ kind: "+", line: b[j++] });
  return script;
}

/** The diff as a <pre> with one coloured line per entry. */
export function diffNode(before, after, label) {
  const pre = el("pre", { class: "diff", tabindex: "0", "aria-label": label });
  for (const { kind, line } of lineDiff(before, after)) {
    const cls = kind === "+" ? "add" : kind === "-" ? "del" : "same";
    pre.append(el("span", { class: cls, text: `${kind} ${line}\n` }));
  }
  return pre;
}
