"""The browser side of weblama_check.py: Chromium through selenium, and a Page with the small steps the checks
are made of (wait for a condition, click what may be redrawn, type into CodeMirror, answer WebLama's dialog,
run and wait for a new result, collect the console's errors)."""
import os
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys


class CheckFailed(Exception):
    """A check did not hold: the message says what was expected."""


def browser():
    """Debian's Chromium, headless, 1400x900, keeping the console's log."""
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--window-size=1400,900", "--disable-dev-shm-usage"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


class Page:
    """WebLama in the browser: waiting, clicking, typing, reading, screenshots and the console's errors."""

    def __init__(self, driver, shots):
        self.d = driver
        self.shots = shots
        self.n = 0
        self.console = []

    def wait(self, what, condition, timeout=30.0):
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
        self.d.save_screenshot(os.path.join(self.shots, f"{self.n:02d}-{name}.png"))
        print(f"ok  {what}", flush=True)

    def drain_console(self, allow_signed_out_401=False):
        for entry in self.d.get_log("browser"):
            network = entry.get("source") == "network"
            expected = network and allow_signed_out_401 and "/api/session" in entry["message"] \
                and "401" in entry["message"]
            if entry["level"] == "SEVERE" and not expected:
                self.console.append(entry["message"])

    def js(self, script, *args):
        return self.d.execute_script(script, *args)

    def by_id(self, ident):
        return self.d.find_element(By.ID, ident)

    def click(self, what, selector, timeout=30.0):
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

    def run_and_wait(self, press, expect=None, timeout=60):
        before = self.audit_id()
        press()
        self.wait("a new result appears", lambda: self.audit_id() not in (None, before) and self.status() != "running",
                  timeout)
        if expect and self.status() != expect:
            raise CheckFailed(f"expected status {expect}, got {self.status()}: {self.text('#result')[:400]}")
