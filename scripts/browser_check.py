"""The sign-in flow and LogLama's page through the gateway, in headless Chromium (see browser-check.sh)."""
import sys
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

base, token, screenshots = sys.argv[1], sys.argv[2], sys.argv[3]
options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for argument in ("--headless=new", "--no-sandbox", "--window-size=1200,800"):
    options.add_argument(argument)
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
wait = WebDriverWait(driver, 30)  # generous: CI machines are loaded


def check(condition, what):
    if not condition:
        driver.save_screenshot(f"{screenshots}/failed.png")
        sys.exit(f"browser check failed: {what} (at {driver.current_url})")
    print("ok  ", what)


try:
    driver.get(base + "/api/loglama/")
    wait.until(lambda d: "/signin" in d.current_url)
    check("/signin?next=/api/loglama/" in driver.current_url, "a browser without a session is sent to the sign-in page")
    driver.save_screenshot(f"{screenshots}/1-signin.png")
    driver.find_element(By.CSS_SELECTOR, "input").send_keys(token)
    driver.find_element(By.CSS_SELECTOR, "form button").click()
    # The URL changes when the navigation starts; the title once LogLama's page has replaced the sign-in page.
    wait.until(lambda d: d.current_url.endswith("/api/loglama/") and d.title == "LogLama")
    check(driver.title == "LogLama", "signing in leads back to LogLama's page")
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "tbody tr"))
    driver.save_screenshot(f"{screenshots}/2-logs.png")
    check(not any(e.is_displayed() for e in driver.find_elements(By.ID, "logs-new")), "no empty new-logs notice")
    driver.find_element(By.ID, "tab-audit").click()
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#panel-audit tbody tr")) >= 2)
    driver.save_screenshot(f"{screenshots}/3-audit.png")
    rows = driver.find_elements(By.CSS_SELECTOR, "#panel-audit tbody tr")
    check(any("timeout" in r.text for r in rows) and any(" ok " in f" {r.text} " for r in rows),
          "the audit tab lists both executions with their statuses")
    next(r for r in rows if " ok " in f" {r.text} ").click()
    wait.until(lambda d: "print(6 * 7)" in d.find_element(By.TAG_NAME, "body").text)
    driver.save_screenshot(f"{screenshots}/4-detail.png")
    check(True, "an execution's detail shows the code it ran")
finally:
    driver.quit()
