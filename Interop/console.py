"""The operator console in a real browser: headless Chromium driven over WebDriver (selenium).

Usage: console.py URL ACCOUNTS_FILE SCREENSHOT_FOLDER

Runs against a running `signet demo` (three screens with players). Checks the console's
Content-Security-Policy, that a screen named like an attack shows as text and runs nothing,
signs in as the operator, watches the wall, blanks a group with a confirmation step and sees the
acknowledgements count up and the tiles change without a reload, restores it, and signs out.
Saves screenshots at 1440x900. Prints one line per check; exits 1 if any failed.
"""
import calendar
import json
import sys
import time
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

url, accounts_file, shots = sys.argv[1], sys.argv[2], sys.argv[3]
accounts = {}
for line in open(accounts_file):
    parts = line.split()  # NAME password PASSWORD token TOKEN
    accounts[parts[0]] = {"password": parts[2], "token": parts[4]}
HOSTILE = "<img src=x onerror=alert(1)>"
failures = 0


def check(what, passed, detail=""):
    global failures
    print(f"  {'ok  ' if passed else 'FAIL'}  {what}" + (f": {detail}" if detail and not passed else ""))
    failures += 0 if passed else 1


def api(method, path, body=None, token=None):
    request = urllib.request.Request(url + path, method=method, data=None if body is None else json.dumps(body).encode())
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request) as response:
        return response.status, dict(response.headers), response.read()


# The page's policy: scripts and styles from the server only, no inline code, no framing.
status, headers, _ = api("GET", "/console/")
policy = headers.get("Content-Security-Policy", "")
check("the console is served with a Content-Security-Policy", status == 200 and "script-src 'self'" in policy, policy)
check("the policy allows no inline code", "unsafe-inline" not in policy and "unsafe-eval" not in policy, policy)

# An admin names a screen like an attack (in group astana, so that the operator sees it).
api("POST", "/api/v1/screens", {"id": "hostile-1", "name": HOSTILE, "width": 96, "height": 48,
                                 "time_zone": "Asia/Almaty", "groups": ["berlin"]}, token=accounts["admin"]["token"])

options = webdriver.ChromeOptions()
for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1440,900", "--disable-dev-shm-usage"]:
    options.add_argument(argument)
options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
options.binary_location = "/usr/bin/chromium"
# Debian's chromium and its driver: nothing downloaded.
driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path="/usr/bin/chromedriver"))
# The page itself at 1440x900 (a window of that size has less room for the page).
driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": 1440, "height": 900, "deviceScaleFactor": 1, "mobile": False})
wait = WebDriverWait(driver, 20)


def shot(name):
    driver.save_screenshot(f"{shots}/{name}.png")


def no_alert():
    try:
        driver.switch_to.alert
        return False
    except NoAlertPresentException:
        return True


def tile_text(screen):
    return driver.find_element(By.CSS_SELECTOR, f'li.tile[data-screen="{screen}"]').text


try:
    driver.get(url + "/console/")
    wait.until(EC.visibility_of_element_located((By.ID, "sign-in-form")))
    shot("sign-in")
    check("the sign-in page shows", driver.find_element(By.ID, "name").is_displayed())

    # A wrong password is refused on the page.
    driver.find_element(By.ID, "name").send_keys("operator")
    driver.find_element(By.ID, "password").send_keys("not the password")
    driver.find_element(By.CSS_SELECTOR, "#sign-in-form button[type=submit]").click()
    wait.until(EC.text_to_be_present_in_element((By.ID, "sign-in-error"), "wrong name or password"))
    check("a wrong password is refused with a message", True)

    driver.find_element(By.ID, "password").clear()
    driver.find_element(By.ID, "password").send_keys(accounts["operator"]["password"])
    driver.find_element(By.CSS_SELECTOR, "#sign-in-form button[type=submit]").click()
    wait.until(EC.visibility_of_element_located((By.ID, "wall")))
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "li.tile")) >= 4)
    wait.until(lambda d: "release 1" in tile_text("astana-1") and "online" in tile_text("astana-1"))
    check("the operator signs in and sees every screen on the wall, live", True)
    check("the operator's menu offers operations", driver.find_element(By.ID, "operations").is_displayed())

    # The hostile name is text on the page: no element made of it, no script run.
    names = [element.text for element in driver.find_elements(By.CSS_SELECTOR, 'li.tile[data-screen="hostile-1"] .name')]
    check("a screen named like an attack shows its name as text", names == [HOSTILE], str(names))
    check("and nothing it names exists or runs", not driver.find_elements(By.CSS_SELECTOR, 'img[src="x"]') and no_alert())
    shot("wall")

    # A screen's page: its timeline for the day and the week, its proofs of play, a preview at any time.
    # (Tiles are updated in place as heartbeats arrive; the link stays the same element.)
    link = driver.find_element(By.CSS_SELECTOR, 'li.tile[data-screen="astana-1"] .name a')
    time.sleep(1.5)
    link.click()
    wait.until(EC.visibility_of_element_located((By.ID, "screen")))
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#day-bar .segment")) > 0
               and len(d.find_elements(By.CSS_SELECTOR, "#week-bars .week-row")) == 7
               and len(d.find_elements(By.CSS_SELECTOR, "#play-rows tr")) > 0)
    day = driver.find_element(By.ID, "day-list").text
    check("astana-1's page shows its day as a timeline of the published programme (the state visit's welcome), the week, and its proofs of play",
          "welcome (entry state-visit)" in day and "published programme v1" in driver.find_element(By.ID, "timeline-source").text, day[:300])
    driver.find_element(By.ID, "preview-at").send_keys("2024-11-27T06:00:05")
    driver.find_element(By.CSS_SELECTOR, "#preview-form button[type=submit]").click()
    wait.until(lambda d: d.execute_script("const i = document.getElementById('preview-image'); return !i.hidden && i.naturalWidth === 960;"))
    check("a preview renders the approved frame at a chosen moment", True)
    shot("screen")
    driver.find_element(By.ID, "menu-wall").click()
    wait.until(EC.visibility_of_element_located((By.ID, "tiles")))

    # The group filter.
    Select(driver.find_element(By.ID, "group-filter")).select_by_value("astana")
    shown = sorted(tile.get_attribute("data-screen") for tile in driver.find_elements(By.CSS_SELECTOR, "li.tile"))
    check("the group filter shows the group's screens only", shown == ["astana-1", "astana-2"], str(shown))

    # Blank a group: a confirmation step, then the acknowledgements count up and the tiles change.
    Select(driver.find_element(By.ID, "op-action")).select_by_value("blank")
    Select(driver.find_element(By.ID, "op-target")).select_by_value("group:astana")
    driver.find_element(By.ID, "op-go").click()
    wait.until(EC.visibility_of_element_located((By.ID, "confirm")))
    confirm = driver.find_element(By.ID, "confirm-text").text
    check("blanking asks for confirmation, naming the group and the count", confirm == "Blank: group astana (2 screens)?", confirm)
    shot("confirm-blank")
    driver.find_element(By.ID, "confirm-ok").click()
    wait.until(EC.text_to_be_present_in_element((By.ID, "op-status"), "acknowledged 2 of 2"))
    check("the acknowledgements arrive: " + driver.find_element(By.ID, "op-status").text, True)
    wait.until(lambda d: "blanked" in tile_text("astana-1") and "blanked" in tile_text("astana-2"))
    check("the wall shows both screens blanked without a reload", True)
    shot("wall-blanked")

    Select(driver.find_element(By.ID, "op-action")).select_by_value("restore")
    driver.find_element(By.ID, "op-go").click()
    wait.until(EC.visibility_of_element_located((By.ID, "confirm")))
    driver.find_element(By.ID, "confirm-ok").click()
    wait.until(EC.text_to_be_present_in_element((By.ID, "op-status"), "acknowledged 2 of 2"))
    wait.until(lambda d: "blanked" not in tile_text("astana-1") and "blanked" not in tile_text("astana-2"))
    check("restore brings both back, acknowledged", True)

    # The browser ran without a policy violation or script error.
    # (Refused requests, such as the wrong password's 401, are answers, not errors of the page.)
    errors = [entry["message"] for entry in driver.get_log("browser")
              if entry["level"] == "SEVERE" and "Failed to load resource" not in entry["message"]]
    check("no script error or policy violation in the browser's console", not errors, "; ".join(errors))

    # Releases: the published release with its approvers, and the command an approver runs.
    # The demo's stolen admin account proposed the Ukrainian flag (proposal 2): open, unsigned.
    driver.find_element(By.ID, "menu-releases").click()
    wait.until(EC.visibility_of_element_located((By.ID, "proposal")))
    wait.until(EC.text_to_be_present_in_element((By.ID, "proposal-approvals"), "0 of 2 approver signatures; 2 still needed"))
    command = driver.find_element(By.ID, "approve-command").text
    check("the releases page opens on the open proposal: no approvals, 2 still needed, and the approve command",
          command.startswith("signet approve 2 --server " + url), command)
    # Each changed screen rendered before and after (the server renders them on request).
    wait.until(lambda d: d.execute_script(
        "const images = [...document.querySelectorAll('#proposal-screens img')];"
        "return images.length > 0 && images.every((image) => image.complete && image.naturalWidth > 0);"))
    check("the changed screens show their before and after previews", True)
    shot("releases")
    driver.find_element(By.CSS_SELECTOR, 'tr[data-proposal="1"]').click()
    wait.until(EC.text_to_be_present_in_element((By.ID, "proposal-approvals"), "2 of 2 approver signatures"))
    signers = driver.find_element(By.ID, "proposal-signers").text
    check("the published release shows who signed it", signers.count("signed with key") == 2, signers)

    # Audit and forensics: the latest events, and what astana-1 showed during its welcome slide.
    status, _, body = api("GET", "/api/v1/screens/astana-1/plays?from=2024-11-27T00:00:00Z&to=2024-11-28T00:00:00Z",
                          token=accounts["admin"]["token"])
    welcome = [play for play in json.loads(body)["plays"] if play.get("slide") == "welcome"][0]
    start, end = (calendar.timegm(time.strptime(welcome[key][:19], "%Y-%m-%dT%H:%M:%S")) for key in ("start", "end"))
    moment = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime((start + end) / 2 + 0.5))
    driver.find_element(By.ID, "menu-audit").click()
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#audit-rows tr")) > 10)
    check("the audit page lists the latest events", True)
    Select(driver.find_element(By.ID, "forensics-screen")).select_by_value("astana-1")
    driver.find_element(By.ID, "forensics-at").send_keys(moment)
    driver.find_element(By.CSS_SELECTOR, "#forensics-form button[type=submit]").click()
    wait.until(EC.text_to_be_present_in_element((By.ID, "forensics-report"), "Verdict"))
    report = driver.find_element(By.ID, "forensics-report").text
    check(f"forensics in the console: astana-1 at {moment} showed the welcome slide, and every proof verifies",
          "showing: slide welcome" in report and "Verdict: every proof and signature verifies" in report, report[:600])
    shot("forensics")

    driver.find_element(By.ID, "sign-out").click()
    wait.until(EC.visibility_of_element_located((By.ID, "sign-in-form")))
    check("sign out returns to the sign-in page", True)
except TimeoutException as error:
    check("the console did what was asked in time", False, f"timed out ({error.msg or 'waiting'}); page: {driver.find_element(By.TAG_NAME, 'body').text[:400]}")
    shot("failure")
except Exception as error:  # a WebDriver failure: report it as a check, with the page as it was
    check("the browser session ran to the end", False, f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}")
    shot("failure")
finally:
    driver.quit()

print(f"console: {failures} failed")
sys.exit(1 if failures else 0)
