// WebLama's entry point: check the session, then set up each panel. Each panel lives in its own module.
import { requireSession, setUpSignOut } from "./session.js";
import { setUpEditor } from "./editor.js";
import { setUpFiles, saveActive } from "./files.js";
import { setUpGit } from "./git.js";
import { setUpRun, run, onRunFinished } from "./run.js";
import { setUpAuditDialog } from "./result.js";
import { setUpFix } from "./fix.js";
import { setUpMarkdown } from "./markdown.js";
import { setUpLogs, refreshLogs } from "./logs.js";
import { say } from "./ui.js";
import { errorText } from "./api.js";

async function main() {
  setUpSignOut();
  await requireSession();
  setUpEditor({ run, save: saveActive });
  setUpGit();
  setUpAuditDialog();
  setUpFix();
  setUpMarkdown();
  setUpLogs();
  onRunFinished(() => setTimeout(refreshLogs, 1500));
  await Promise.all([setUpFiles(), setUpRun()]);
  document.body.dataset.ready = "true";
}

main().catch((error) => say(`WebLama could not start: ${errorText(error)}`, "error"));
