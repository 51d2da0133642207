#!/usr/bin/env python3
"""WebLama in a real headless Chromium, against a running stack.

usage: weblama_check.py BASE TOKEN SCREENSHOTS_DIR   (e.g. http://127.0.0.1:8080 "$PYLAMA_API_TOKEN" shots)

Signs in, then uses the page as a person would: explorer, editor, Run (button, Ctrl+Enter, keyboard alone),
a streamed job stopped with Stop, live output, Fix with LLM, markdown (mermaid, an XSS attempt, Run all
blocks), the logs and audit panel, the accessible name of every control, sign out. Each check prints
"ok  <what>" and saves "<n>-<name>.png"; the first failure saves failed.png and exits 1. The browser's console
must stay free of SEVERE entries for the whole run: the only ones allowed are the 401s of GET /api/session
that the sign-in page itself makes while nobody is signed in (before sign-in and after sign-out).
"""
import os
import sys
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from weblama_browser import CheckFailed, Page, browser

BASE, TOKEN, SHOTS = (sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3]) if len(sys.argv) == 4 else (None, None, None)
STAMP = time.strftime("%H%M%S")
FOLDER = f"weblama-check-{STAMP}"


class Check(Page):
    """The checks, in the order a person would use the page."""

    def new_file(self, name, content):
        self.ask("file-new", f"{FOLDER}/{name}")
        self.wait(f"{name} opens in a tab", lambda: self.js(
            "const t = document.querySelector('.tab.active .tab-name'); return t && t.title === arguments[0]", f"{FOLDER}/{name}"))
        self.set_code(content)

    # -- the checks ---------------------------------------------------------------------------------------
    def sign_in(self):
        self.d.get(f"{BASE}/web/")
        self.wait("an unsigned visit goes to the sign-in page", lambda: "/signin" in self.d.current_url)
        field = self.wait("the token field shows", lambda: self.by_id("token") if self.by_id("token").is_displayed() else None)
        self.ok("unsigned visit to /web/ lands on the sign-in page", "signin")
        field.send_keys(TOKEN, Keys.ENTER)
        self.wait("back on WebLama after sign-in", lambda: "/web/" in self.d.current_url)
        self.wait("WebLama starts", lambda: self.js("return document.body.dataset.ready === 'true'"), 30)
        self.drain_console(allow_signed_out_401=True)
        who = self.by_id("who").text
        if "not signed in" in who or not who:
            raise CheckFailed(f"the signed-in name is not shown (got {who!r})")
        self.ok(f"signed in, WebLama shows {who}", "signed-in")

    def create_and_run(self):
        self.ask("dir-new", FOLDER)
        self.wait("the new folder is listed", lambda: self.d.find_elements(By.CSS_SELECTOR, f'button.entry[data-path="{FOLDER}"]'))
        self.new_file("hello.py", "")
        self.by_id("file-refresh").click()
        self.click("hello.py is listed and opens", f'button.entry[data-path="{FOLDER}/hello.py"]')
        self.click("the editor takes the focus", ".CodeMirror")
        self.d.switch_to.active_element.send_keys("print(input()[::-1])")
        self.wait("the tab is marked unsaved", lambda: self.d.find_elements(By.CSS_SELECTOR, ".tab.active.dirty"))
        self.d.switch_to.active_element.send_keys(Keys.CONTROL, "s")
        self.wait("Ctrl+S saves (the unsaved marker goes)", lambda: not self.d.find_elements(By.CSS_SELECTOR, ".tab.active.dirty"))
        self.fill("opt-stdin", "olleh")
        self.run_and_wait(lambda: self.by_id("run").click(), "ok")
        if "hello" not in self.text("#result .stdout pre"):
            raise CheckFailed(f"Run: no 'hello' in stdout: {self.text('#result')[:300]}")
        self.ok("created hello.py in the explorer, typed code, Run prints hello", "run")
        self.fill("opt-stdin", "dlrow")
        self.d.find_element(By.CSS_SELECTOR, ".CodeMirror").click()
        self.run_and_wait(lambda: self.d.switch_to.active_element.send_keys(Keys.CONTROL, Keys.ENTER), "ok")
        if "world" not in self.text("#result .stdout pre"):
            raise CheckFailed("Ctrl+Enter: no 'world' in stdout")
        self.ok("Ctrl+Enter in the editor runs", "ctrl-enter")

    def files_and_git(self):
        entry = lambda path: f'button.entry[data-path="{FOLDER}/{path}"]'
        self.new_file("old.py", "")
        self.click("old.py is listed", entry("old.py"))
        self.ask("file-rename", f"{FOLDER}/renamed.py")
        self.wait("Rename renames in the explorer and the tab", lambda: self.d.find_elements(By.CSS_SELECTOR, entry("renamed.py"))
                  and not self.d.find_elements(By.CSS_SELECTOR, entry("old.py"))
                  and self.d.find_elements(By.CSS_SELECTOR, f'.tab-name[title="{FOLDER}/renamed.py"]'))
        self.js("arguments[0].focus()", self.d.find_element(By.CSS_SELECTOR, entry("hello.py")))
        for _ in range(10):  # the arrow keys walk the list
            if self.js("return document.activeElement.dataset.path") == f"{FOLDER}/renamed.py":
                break
            self.d.switch_to.active_element.send_keys(Keys.ARROW_DOWN)
        else:
            raise CheckFailed("the arrow keys never reach renamed.py in the file list")
        self.d.switch_to.active_element.send_keys(Keys.DELETE)
        self.wait("Delete asks first", lambda: self.by_id("ask").is_displayed())
        self.d.switch_to.active_element.send_keys(Keys.ENTER)
        self.wait("the file is deleted and its tab closed", lambda: not self.d.find_elements(By.CSS_SELECTOR, entry("renamed.py"))
                  and not self.d.find_elements(By.CSS_SELECTOR, f'.tab-name[title="{FOLDER}/renamed.py"]'))
        self.ok("new file, Rename, and (keyboard only) Delete in the explorer", "files")
        self.by_id("git-init").click()
        git_done = lambda: not self.by_id("git-output").text.endswith("…")
        self.wait("git init answers", lambda: git_done() and "init" in self.by_id("git-output").text.lower())
        self.by_id("git-status").click()
        self.wait("git status lists the new folder", lambda: git_done() and FOLDER in self.by_id("git-output").text, 20)
        self.fill("git-message", f"weblama check {STAMP}")
        self.by_id("git-commit").click()
        self.wait("git commit answers", lambda: git_done() and "failed" not in self.by_id("git-output").text, 20)
        self.by_id("git-log").click()
        self.wait("History shows the commit", lambda: f"weblama check {STAMP}" in self.by_id("git-output").text, 20)
        self.ok("git: init, status, commit and history", "git")

    def keyboard_run(self):
        self.click("the editor takes the focus", ".CodeMirror")
        self.d.switch_to.active_element.send_keys(Keys.ESCAPE)
        self.d.switch_to.active_element.send_keys(Keys.TAB)
        if self.js("return Boolean(document.activeElement.closest('.CodeMirror'))"):
            raise CheckFailed("Esc then Tab does not leave the editor (a keyboard trap)")
        self.js("document.getElementById('save').focus()")
        for _ in range(10):
            if self.js("return document.activeElement.id") == "run":
                break
            self.d.switch_to.active_element.send_keys(Keys.TAB)
        else:
            raise CheckFailed("Tab from Save never reaches the Run button")
        self.run_and_wait(lambda: self.d.switch_to.active_element.send_keys(Keys.ENTER), "ok")
        self.ok("keyboard: Esc, Tab leaves the editor; Tab reaches Run and Enter on it runs", "keyboard-run")

    def result_details(self):
        self.set_code("open('out.txt', 'w').write('artifact body')\nprint('wrote')\n")
        self.fill("opt-artifacts", "out.txt")
        self.run_and_wait(lambda: self.by_id("run").click(), "ok")
        if not self.d.find_elements(By.CSS_SELECTOR, '#result a[download="out.txt"][href^="blob:"]'):
            raise CheckFailed(f"the artifact out.txt is not offered: {self.text('#result')[:300]}")
        self.fill("opt-artifacts", "")
        self.set_code("import ctypes\nctypes.CDLL(None).syscall(165, 0, 0, 0, 0, 0)\n")  # 165: mount(2) on x86-64
        self.run_and_wait(lambda: self.by_id("run").click(), "syscall_blocked")
        if "mount" not in self.text("#result .facts"):
            raise CheckFailed("the blocked system call is not named")
        self.ok("the result shows artifacts, and the blocked system call by name", "blocked-syscall")

    def stream_stop(self):
        self.choose("opt-mode", "stream")
        self.set_code("while True:\n    pass\n")
        before = self.audit_id()
        self.by_id("run").click()
        self.wait("the job runs (Stop is enabled)", lambda: self.by_id("stop").is_enabled() and self.status() == "running")
        time.sleep(1)
        self.by_id("stop").click()
        self.wait("Stop ends the job as cancelled", lambda: self.status() == "cancelled", 20)
        if self.audit_id() == before:
            raise CheckFailed("the cancelled job shows no audit id of its own")
        self.ok("an endless streamed job, Stop -> cancelled", "stop-cancelled")

    def live_output(self):
        self.set_code("import time\nfor i in range(6):\n    print('line', i, flush=True)\n    time.sleep(0.7)\n")
        self.by_id("run").click()
        self.wait("output streams in before the end", lambda: self.status() == "running" and "line 1" in self.text("#result pre.live"), 15)
        self.ok("streamed output appears while the job still runs", "stream-live")
        self.wait("the streamed job ends ok", lambda: self.status() == "ok", 20)
        self.choose("opt-mode", "short")

    def fix(self):
        self.set_code("print(undefined_name)\n")
        self.run_and_wait(lambda: self.by_id("run").click(), "runtime_error")
        if "NameError" not in self.text("#result"):
            raise CheckFailed("the failing run shows no NameError")
        self.ok("a failing program shows runtime_error and the NameError", "failing")
        self.by_id("fix").click()
        self.wait("Fix with LLM lists its attempts", lambda: self.d.find_elements(By.CSS_SELECTOR, "#result .attempt")
                  or ("failed:" in self.text("#result") and self.text("#result")), 300)
        attempts = self.d.find_elements(By.CSS_SELECTOR, "#result .attempt")
        if not attempts:
            raise CheckFailed(f"Fix with LLM showed no attempt: {self.text('#result')[:300]}")
        self.ok(f"Fix with LLM shows {len(attempts)} attempt(s) with diffs", "fix-attempts")

    def markdown(self):
        self.new_file("diagram.md", "# Diagram\n\n```mermaid\ngraph TD\n  A[Write] --> B[Run]\n```\n")
        self.wait("the mermaid block renders as SVG", lambda: self.d.find_elements(By.CSS_SELECTOR, "#preview .mermaid-diagram svg"), 20)
        self.ok("a ```mermaid block renders as an SVG", "mermaid")
        self.new_file("xss.md", '# Safe\n\n<img src=x onerror="window.__xss=1">\n\n<script>window.__xss=2</script>\n'
                      '<a href="javascript:window.__xss=3">link</a>\n\nxss-done\n')
        self.wait("the XSS file renders", lambda: "xss-done" in self.by_id("preview").text)
        for link in self.d.find_elements(By.CSS_SELECTOR, "#preview a"):
            link.click()
        time.sleep(0.5)
        if self.js("return window.__xss") is not None:
            raise CheckFailed("markdown ran script: window.__xss is set")
        if self.js("return document.querySelectorAll('[onerror], script:not([src]), a[href^=javascript]').length"):
            raise CheckFailed("an onerror handler, inline script or javascript: link entered the DOM")
        self.ok("<img onerror>, <script> and javascript: links in markdown run nothing", "xss")
        self.new_file("blocks.md", "# Blocks\n\n```python\nprint(6 * 7)\n```\n\n```python\nprint(missing)\n```\n")
        self.by_id("md-run").click()
        self.wait("Run all blocks shows per-block results", lambda: len(self.d.find_elements(By.CSS_SELECTOR, "#result .block")) >= 2, 300)
        if "42" not in self.text("#result .block"):
            raise CheckFailed("the first block's output 42 is not shown")
        self.ok("Run all blocks shows per-block results", "run-all-blocks")

    def logs_and_audit(self):
        self.choose("opt-mode", "short")
        self.click("the hello.py tab", f'.tab-name[title="{FOLDER}/hello.py"]')
        self.set_code("print('audited')\n")
        self.run_and_wait(lambda: self.by_id("run").click(), "ok")
        run_id = self.audit_id()
        self.by_id("tab-audit").click()
        row = f'#audit-view tr[data-id="{run_id}"]'
        self.wait("the audit view lists the run just made", lambda: self.d.find_elements(By.CSS_SELECTOR, row), 20)
        self.ok(f"the logs panel's audit view shows the run {run_id}", "audit-trail")
        self.d.find_element(By.CSS_SELECTOR, f"{row} a[data-audit]").click()
        raw = "const r = document.querySelector('#audit-record pre.raw'); return r ? r.textContent : ''"
        self.wait("the audit record opens", lambda: self.by_id("audit-dialog").is_displayed()
                  and "requester" in self.by_id("audit-record").text and run_id in self.js(raw))
        self.ok("the audit id opens the audit record", "audit-record")
        self.by_id("audit-close").click()
        self.by_id("tab-logs").click()
        self.wait("the logs view shows records", lambda: self.d.find_elements(By.CSS_SELECTOR, "#logs-view tbody tr"), 10)
        self.wait("the health of the services shows", lambda: self.d.find_elements(By.CSS_SELECTOR, "#health li.up"))
        self.ok("the logs view and the services' health show", "logs")

    def accessible_names(self):
        unnamed = self.js("""
          const named = (e) => (e.getAttribute('aria-label') || '').trim()
            || (e.getAttribute('aria-labelledby') || '').split(/\\s+/).some((id) => id && document.getElementById(id)?.textContent.trim())
            || [...(e.labels || [])].some((l) => l.textContent.trim()) || (e.getAttribute('title') || '').trim()
            || (['BUTTON'].includes(e.tagName) && e.textContent.trim());
          return [...document.querySelectorAll('button, input:not([type=hidden]), select, textarea')]
            .filter((e) => !named(e)).map((e) => e.outerHTML.slice(0, 120));""")
        if unnamed:
            raise CheckFailed(f"controls without an accessible name: {unnamed}")
        self.ok("every button, input, select and textarea has an accessible name", "accessible-names")

    def sign_out(self):
        self.drain_console()
        self.by_id("signout").click()
        self.wait("sign out returns to the sign-in page", lambda: "/signin" in self.d.current_url
                  and self.by_id("token").is_displayed())
        self.drain_console(allow_signed_out_401=True)
        self.ok("sign out returns to the sign-in page", "signed-out")


def main():
    if BASE is None:
        sys.exit("usage: weblama_check.py BASE TOKEN SCREENSHOTS_DIR")
    os.makedirs(SHOTS, exist_ok=True)
    driver = browser()
    check = Check(driver, SHOTS)
    try:
        for step in (check.sign_in, check.create_and_run, check.files_and_git, check.keyboard_run, check.result_details, check.stream_stop, check.live_output,
                     check.fix, check.markdown, check.logs_and_audit, check.accessible_names, check.sign_out):
            step()
            check.drain_console()
        if check.console:
            raise CheckFailed("the browser console has errors:\n  " + "\n  ".join(check.console))
        print("ok  no error in the browser console during the whole run")
    except Exception as error:
        driver.save_screenshot(os.path.join(SHOTS, "failed.png"))
        check.drain_console(allow_signed_out_401=True)
        print(f"FAILED: {error}", file=sys.stderr)
        if check.console:
            print("browser console:\n  " + "\n  ".join(check.console), file=sys.stderr)
        sys.exit(1)
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
