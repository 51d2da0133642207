#!/usr/bin/env python3
"""WebLama in a real headless Chromium, against a running stack.

usage: weblama_check.py BASE TOKEN SCREENSHOTS_DIR   (e.g. http://127.0.0.1:8080 "$PYLAMA_API_TOKEN" shots)

Signs in, then uses the page as a person would: explorer, editor, Run (button, Ctrl+Enter, keyboard alone),
a streamed job stopped with Stop, live output, Fix with LLM, markdown (mermaid, an XSS attempt, Run all
blocks), the logs and audit panel, the accessible name of every control, sign out. Each check prints
"ok  <what>" and saves "<n>-<name>.png"; the first failure saves failed.png and exits 1. The browser's console
must stay free of SEVERE entries for the whole run: the only ones allowed are the 401s of GET /api/session
that the sign-in page itself makes while nobody is signed in (before sign-in and after sign-out), and the
browser's own request for /favicon.ico (no script makes it).
"""
import json
import os
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

BASE, TOKEN, SHOTS = (sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3]) if len(sys.argv) == 4 else (None, None, None)
STAMP = time.strftime("%H%M%S")
FOLDER = f"weblama-check-{STAMP}"


class CheckFailed(Exception):
    pass


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--window-size=1400,900", "--disable-dev-shm-usage"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


class Check:
    def __init__(self, driver):
        self.d = driver
        self.n = 0
        self.console = []

    # -- plumbing -------------------------------------------------------------------------------------------
    def wait(self, what, condition, timeout=15.0):
        """Polls `condition()` until it is truthy (answers it) or fails the check with `what`."""
        end = time.time() + timeout
        last = None
        while time.time() < end:
            try:
                value = condition()
                if value:
                    return value
            except Exception as error:  # the page is changing under us: try again
                last = error
            time.sleep(0.2)
        raise CheckFailed(f"{what} (waited {timeout:.0f} s{f'; last error: {last}' if last else ''})")

    def ok(self, what, name):
        self.n += 1
        self.d.save_screenshot(os.path.join(SHOTS, f"{self.n:02d}-{name}.png"))
        print(f"ok  {what}", flush=True)

    def drain_console(self, allow_signed_out_401=False):
        for entry in self.d.get_log("browser"):
            network = entry.get("source") == "network"
            expected = network and ("/favicon.ico " in entry["message"] or (
                allow_signed_out_401 and "/api/session" in entry["message"] and "401" in entry["message"]))
            if entry["level"] == "SEVERE" and not expected:
                self.console.append(entry["message"])

    def js(self, script, *args):
        return self.d.execute_script(script, *args)

    def by_id(self, ident):
        return self.d.find_element(By.ID, ident)

    def click(self, what, selector, timeout=15.0):
        """Clicks the element at `selector` once it is there (again if the page redrew it meanwhile)."""
        def attempt():
            self.d.find_element(By.CSS_SELECTOR, selector).click()
            return True
        self.wait(what, attempt, timeout)

    def text(self, selector):
        return " ".join(e.text for e in self.d.find_elements(By.CSS_SELECTOR, selector))

    def set_code(self, code):
        self.js("document.querySelector('.CodeMirror').CodeMirror.setValue(arguments[0])", code)

    def fill(self, ident, value):
        field = self.by_id(ident)
        field.clear()
        field.send_keys(value)

    def choose(self, ident, value):
        self.js("const s = document.getElementById(arguments[0]); s.value = arguments[1];"
                " s.dispatchEvent(new Event('change', {bubbles: true}))", ident, value)

    def status(self):
        return self.js("const b = document.querySelector('#result .badge'); return b && (b.dataset.status || b.textContent)")

    def audit_id(self):
        return self.js("const a = document.querySelector('#result a[data-audit]'); return a && a.dataset.audit")

    def ask(self, button, answer):
        """Presses `button`, answers the dialog with `answer` (replacing what it proposed), presses Enter."""
        self.by_id(button).click()
        field = self.wait("the dialog opens", lambda: self.by_id("ask-input") if self.by_id("ask").is_displayed() else None)
        field.send_keys(Keys.CONTROL, "a")
        field.send_keys(answer, Keys.ENTER)
        self.wait("the dialog closes", lambda: not self.by_id("ask").is_displayed())

    def run_and_wait(self, press, expect=None, timeout=30):
        before = self.audit_id()
        press()
        self.wait("a new result appears", lambda: self.audit_id() not in (None, before) and self.status() != "running",
                  timeout)
        if expect and self.status() != expect:
            raise CheckFailed(f"expected status {expect}, got {self.status()}: {self.text('#result')[:400]}")

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

    def keyboard_run(self):
        self.js("document.getElementById('save').focus()")
        for _ in range(10):
            if self.js("return document.activeElement.id") == "run":
                break
            self.d.switch_to.active_element.send_keys(Keys.TAB)
        else:
            raise CheckFailed("Tab from Save never reaches the Run button")
        self.run_and_wait(lambda: self.d.switch_to.active_element.send_keys(Keys.ENTER), "ok")
        self.ok("Tab reaches Run and Enter on it runs", "keyboard-run")

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
        self.wait("the audit record opens", lambda: self.by_id("audit-dialog").is_displayed()
                  and run_id in self.by_id("audit-record").text and '"status"' in self.by_id("audit-record").text)
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
    check = Check(driver)
    try:
        for step in (check.sign_in, check.create_and_run, check.keyboard_run, check.stream_stop, check.live_output,
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
