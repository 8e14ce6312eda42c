"""The operator console in a real browser: headless Chromium driven over WebDriver (selenium).

Usage: console.py URL DEMO_FOLDER SIGNET_BINARY SCREENSHOT_FOLDER

Runs against a running `signet demo` (three screens with players). An editor signs in with the
keyboard, uploads an asset named like an attack (with upload progress), builds a slide and sees
the server's rendered preview, meets a policy violation shown beside its field, saves and
proposes a release; two approvers approve it with `signet approve` (the real CLI, run here) while
the page shows the approvals arrive and the wall shows the screens take the release, without a
reload. An operator then blanks a group (a confirmation step, acknowledgements counting up),
restores it, locks a group down and unlocks it. Also: alerts, a screen's page, audit and
forensics, labels and contrast, a tablet's width, a forced password change and a TOTP sign-in.
Saves screenshots at 1440x900 (and two at tablet size). Prints one line per check; exits 1 if
any failed.
"""
import base64
import calendar
import hashlib
import hmac
import http.cookiejar
import json
import os
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

url, demo, signet, shots = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
accounts = {}
for line in open(f"{demo}/accounts.txt"):
    parts = line.split()  # NAME password PASSWORD token TOKEN
    accounts[parts[0]] = {"password": parts[2], "token": parts[4]}
HOSTILE = "<img src=x onerror=alert(1)>"
work = tempfile.mkdtemp(prefix="signet-console-")
failures = 0


def check(what, passed, detail=""):
    global failures
    print(f"  {'ok  ' if passed else 'FAIL'}  {what}" + (f": {detail}" if detail and not passed else ""), flush=True)
    failures += 0 if passed else 1


def api(method, path, body=None, token=None, opener=None, headers=None):
    request = urllib.request.Request(url + path, method=method, data=None if body is None else json.dumps(body).encode())
    request.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with (opener or urllib.request.build_opener()).open(request) as response:
        return response.status, dict(response.headers), response.read()


def png(path, width, height, colours):
    """Writes an RGB PNG of vertical stripes, one per colour."""
    rows = b"".join(b"\x00" + b"".join(bytes(colours[x * len(colours) // width]) for x in range(width)) for _ in range(height))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    with open(path, "wb") as file:
        file.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                   + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def totp(secret, step):
    """RFC 6238: 6 digits of HMAC-SHA1 over the 30-second step."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000)


# The page's policy: scripts and styles from the server only, no inline code, no framing.
status, headers, _ = api("GET", "/console/")
policy = headers.get("Content-Security-Policy", "")
check("the console is served with a Content-Security-Policy", status == 200 and "script-src 'self'" in policy, policy)
check("the policy allows no inline code", "unsafe-inline" not in policy and "unsafe-eval" not in policy, policy)

# An admin names a screen like an attack, and makes an auditor's account (a viewer) with a
# one-time password.
admin = accounts["admin"]["token"]
api("POST", "/api/v1/screens", {"id": "hostile-1", "name": HOSTILE, "width": 96, "height": 48,
                                 "time_zone": "Asia/Almaty", "groups": ["berlin"]}, token=admin)
auditor_password = json.loads(api("POST", "/api/v1/accounts", {"name": "auditor", "role": "viewer"}, token=admin)[2])["one_time_password"]

options = webdriver.ChromeOptions()
for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1440,900", "--disable-dev-shm-usage"]:
    options.add_argument(argument)
options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
options.binary_location = "/usr/bin/chromium"
# Debian's chromium and its driver: nothing downloaded.
driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path="/usr/bin/chromedriver"))


def viewport(width, height):
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})


# The page itself at 1440x900 (a window of that size has less room for the page).
viewport(1440, 900)
wait = WebDriverWait(driver, 20)


def shot(name):
    driver.save_screenshot(f"{shots}/{name}.png")


def no_alert():
    try:
        driver.switch_to.alert
        return False
    except NoAlertPresentException:
        return True


def by_id(name):
    return driver.find_element(By.ID, name)


def tile_text(screen):
    return driver.find_element(By.CSS_SELECTOR, f'li.tile[data-screen="{screen}"]').text


def field(path):
    return driver.find_element(By.CSS_SELECTOR, f'#content [data-field="{path}"]')


def set_field(path, value):
    """Types into a field of the draft and leaves it, as a person would (its change event)."""
    element = field(path)
    element.send_keys(Keys.CONTROL, "a")
    element.send_keys(Keys.DELETE)
    element.send_keys(value, Keys.TAB)


def sign_in(name, password, keyboard=False):
    wait.until(EC.visibility_of_element_located((By.ID, "sign-in-form")))
    by_id("name").clear()
    by_id("password").clear()
    if keyboard:
        by_id("name").send_keys(name, Keys.TAB, password, Keys.ENTER)
    else:
        by_id("name").send_keys(name)
        by_id("password").send_keys(password)
        driver.find_element(By.CSS_SELECTOR, "#sign-in-form button[type=submit]").click()


def sign_out():
    by_id("sign-out").click()
    wait.until(EC.visibility_of_element_located((By.ID, "sign-in-form")))


def confirm_operation(action, target):
    Select(by_id("op-action")).select_by_value(action)
    Select(by_id("op-target")).select_by_value(target)
    by_id("op-go").click()
    wait.until(EC.visibility_of_element_located((By.ID, "confirm")))
    text = by_id("confirm-text").text
    return text


# Every form control has a label a screen reader reads.
UNLABELLED = """
return [...document.querySelectorAll('input, select, textarea')].filter((control) => control.type !== 'hidden'
  && !control.getAttribute('aria-label') && !(control.id && document.querySelector(`label[for="${control.id}"]`))
  && !control.closest('label')).map((control) => control.id || control.outerHTML.slice(0, 80));
"""

# WCAG contrast of every visible piece of text against the first opaque background behind it.
LOW_CONTRAST = """
const channel = (value) => { value /= 255; return value <= 0.03928 ? value / 12.92 : Math.pow((value + 0.055) / 1.055, 2.4); };
const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
const rgba = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
const background = (node) => {
  for (; node && node.nodeType === 1; node = node.parentElement) {
    const colour = rgba(getComputedStyle(node).backgroundColor);
    if (colour.length === 3 || colour[3] === 1) return colour.slice(0, 3);
  }
  return [255, 255, 255];
};
const low = [];
for (const node of document.querySelectorAll('body *')) {
  if (!node.offsetParent || ![...node.childNodes].some((child) => child.nodeType === 3 && child.textContent.trim())) continue;
  if (node.closest('.timeline')) continue;  // slide colours under their names: decoration, each named in the list beside it
  const style = getComputedStyle(node);
  const fore = rgba(style.color), back = background(node);
  const [light, dark] = [luminance(fore), luminance(back)].sort((a, b) => b - a);
  const ratio = (light + 0.05) / (dark + 0.05);
  const large = parseFloat(style.fontSize) >= 24 || (parseFloat(style.fontSize) >= 18.66 && Number(style.fontWeight) >= 700);
  if (ratio < (large ? 3 : 4.5)) low.push(`${node.tagName.toLowerCase()}.${node.className} "${node.textContent.trim().slice(0, 30)}" ${ratio.toFixed(2)}`);
}
return low;
"""


def accessible(page):
    unlabelled = driver.execute_script(UNLABELLED)
    low = driver.execute_script(LOW_CONTRAST)
    check(f"{page}: every control has a label, and all text has WCAG AA contrast", not unlabelled and not low,
          f"unlabelled {unlabelled}; low contrast {low[:5]}")


try:
    driver.get(url + "/console/")
    wait.until(EC.visibility_of_element_located((By.ID, "sign-in-form")))
    shot("sign-in")
    check("the sign-in page shows", by_id("name").is_displayed())

    # A wrong password is refused on the page.
    sign_in("editor", "not the password")
    wait.until(EC.text_to_be_present_in_element((By.ID, "sign-in-error"), "wrong name or password"))
    check("a wrong password is refused with a message", True)

    # The editor signs in with the keyboard alone: name, Tab, password, Enter.
    sign_in("editor", accounts["editor"]["password"], keyboard=True)
    wait.until(EC.visibility_of_element_located((By.ID, "wall")))
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "li.tile")) >= 4)
    check("the editor signs in with the keyboard; the menu offers Content and no operations",
          by_id("menu-content").is_displayed() and not by_id("operations").is_displayed())

    # MARK: Content: an asset, a slide, a playlist, a policy violation in place, saved.
    by_id("menu-content").click()
    wait.until(EC.text_to_be_present_in_element((By.ID, "draft-status"), "editing programme v"))
    # The demo's stolen admin account saved the Ukrainian flag as the latest version (its
    # proposal is unsigned): the page says the screens show another, and the editor starts from that.
    status = by_id("draft-status").text
    check("the content page says the latest saved version is not what the screens show: " + status, "screens show v1, the last published" in status)
    by_id("draft-published").click()
    wait.until(EC.text_to_be_present_in_element((By.ID, "draft-status"), "editing the published programme v1"))
    hostile_file = os.path.join(work, HOSTILE + ".png")
    png(hostile_file, 600, 300, [(0, 135, 81), (255, 255, 255), (214, 40, 40)])
    by_id("asset-file").send_keys(hostile_file)
    wait.until(EC.text_to_be_present_in_element((By.ID, "asset-status"), "stored"))
    progress = driver.execute_script("return document.getElementById('asset-progress').value")
    check("an asset uploads with its progress shown: " + by_id("asset-status").text, progress == 100, f"progress {progress}")
    names = [item.text for item in driver.find_elements(By.CSS_SELECTOR, "#asset-list .asset .name")]
    check("an asset named like an attack shows its name as text, and nothing it names exists or runs",
          HOSTILE + ".png" in names and not driver.find_elements(By.CSS_SELECTOR, 'img[src="x"]') and no_alert(), str(names))

    by_id("slide-new").send_keys("tram-news", Keys.ENTER)
    wait.until(lambda d: Select(by_id("slide-pick")).first_selected_option.get_attribute("value") == "tram-news")
    Select(by_id("slide-screen")).select_by_value("astana-1")
    driver.find_element(By.CSS_SELECTOR, '[data-add="stripes"]').click()
    set_field("programme.slides.tram-news.elements[0].colours", "#00AFCA, #10324A")
    driver.find_element(By.CSS_SELECTOR, '[data-add="text"]').click()
    set_field("programme.slides.tram-news.elements[1].text", "Tram line 2 opens on Monday")
    set_field("programme.slides.tram-news.elements[1].y", "40")
    set_field("programme.slides.tram-news.elements[1].height", "200")
    [item for item in driver.find_elements(By.CSS_SELECTOR, "#asset-list .asset") if HOSTILE in item.text][0] \
        .find_element(By.TAG_NAME, "button").click()
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#element-list > li")) == 3)
    set_field("programme.slides.tram-news.elements[2].y", "300")
    set_field("programme.slides.tram-news.elements[2].height", "160")
    wait.until(lambda d: d.execute_script("const i = document.getElementById('slide-preview');"
                                          "return !i.hidden && i.src.startsWith('data:image/png') && i.naturalWidth === 960;"))
    wait.until(EC.text_to_be_present_in_element((By.ID, "slide-status"), "tram-news on astana-1 (960×480)"))
    check("a slide built of stripes, text and the uploaded image, previewed as astana-1 would render it", True)

    # Text too big for its box: the renderer's warning appears beside the size.
    set_field("programme.slides.tram-news.elements[1].size", "400")
    wait.until(lambda d: "instead of 400 px" in d.find_element(By.CSS_SELECTOR, '[data-field="programme.slides.tram-news.elements[1].size"]')
               .find_element(By.XPATH, "..").text)
    check("text too big for its box: the renderer's warning shows beside the text size", True)
    set_field("programme.slides.tram-news.elements[1].size", "48")
    wait.until(lambda d: by_id("slide-status").text == "tram-news on astana-1 (960×480)")
    check("at a size that fits, the warning goes", not driver.find_elements(By.CSS_SELECTOR, "#element-list .field-note"))
    driver.execute_script("document.getElementById('slides-title').scrollIntoView()")
    shot("content-slide")
    accessible("the content page")
    viewport(820, 1180)
    time.sleep(0.3)
    overflow = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
    driver.execute_script("document.getElementById('slides-title').scrollIntoView()")
    shot("tablet-content")
    check("on a tablet (820 px wide) the slide editor fits the width, its preview above the elements", overflow <= 0, f"{overflow} px too wide")
    viewport(1440, 900)

    # The new slide into astana's playlist for 5 seconds: the roadside policy asks for 10.
    items = len(driver.find_elements(By.CSS_SELECTOR, '[data-field^="programme.playlists.city.items["][data-field$="].slide"]'))
    driver.find_element(By.CSS_SELECTOR, '[aria-label="Add a slide to playlist city"]').click()
    Select(field(f"programme.playlists.city.items[{items}].slide")).select_by_value("tram-news")
    dwell = f"programme.playlists.city.items[{items}].dwell_ms"
    set_field(dwell, "5")
    by_id("draft-save").click()
    wait.until(lambda d: field(dwell).get_attribute("aria-invalid") == "true")
    note = field(dwell).find_element(By.XPATH, "..").text
    check("saving with a 5-second slide on a roadside screen is refused, and the rule shows beside that slide's seconds",
          "below the minimum dwell of 10000 ms" in note and "not saved" in by_id("draft-status").text,
          f"{note} | {by_id('draft-status').text} | {by_id('draft-error').text} | {field(dwell).find_element(By.XPATH, '..').get_attribute('outerHTML')[:600]}")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", field(dwell))
    shot("content-violation")
    set_field(dwell, "15")
    by_id("draft-save").click()
    wait.until(EC.text_to_be_present_in_element((By.ID, "draft-status"), "saved as programme v"))
    saved = by_id("draft-status").text
    check("with 15 seconds the programme saves: " + saved, not driver.find_elements(By.CSS_SELECTOR, '#content [aria-invalid="true"]'))

    # MARK: The release: proposed here, approved with the CLI, watched arrive.
    by_id("menu-releases").click()
    wait.until(EC.visibility_of_element_located((By.ID, "propose")))
    by_id("propose").click()
    wait.until(EC.text_to_be_present_in_element((By.ID, "propose-status"), "made"))
    proposal = int(by_id("propose-status").text.split()[1])
    wait.until(EC.text_to_be_present_in_element((By.ID, "proposal-title"), f"Proposal {proposal}:"))
    wait.until(EC.text_to_be_present_in_element((By.ID, "proposal-approvals"), "0 of 2 approver signatures; 2 still needed"))
    command = by_id("approve-command").text
    check(f"the editor proposes release {proposal}: no approvals, 2 still needed, and the approve command to copy",
          command.startswith(f"signet approve {proposal} --server {url}"), command)
    wait.until(lambda d: d.execute_script(
        "const images = [...document.querySelectorAll('#proposal-screens img')];"
        "return images.length > 0 && images.every((image) => image.complete && image.naturalWidth > 0);"))
    changed = by_id("proposal-screens").text
    check("the proposal shows what changes where, with before and after previews", "astana-1" in changed and "tram-news" in changed, changed[:300])
    shot("releases")
    version = json.loads(api("GET", f"/api/v1/releases/{proposal}", token=admin)[2])["programme_version"]

    def approve(index):
        result = subprocess.run([signet, "approve", str(proposal), "--server", url, "--key", f"{demo}/server/offline/approver-{index}.key",
                                 "--token", accounts["approver"]["token"], "--root", f"{demo}/server/repository/metadata/1.root.json",
                                 "--witness", f"{work}/witness-{index}", "--previews", f"{work}/previews-{index}", "--yes"],
                                capture_output=True, text=True, timeout=120)
        check(f"approver {index} approves with signet approve (exit {result.returncode})", result.returncode == 0,
              (result.stdout + result.stderr)[-600:])

    approve(1)
    wait.until(EC.text_to_be_present_in_element((By.ID, "proposal-approvals"), "1 of 2 approver signatures; 1 still needed"))
    check("the releases page shows the first approval arrive without a reload: " + by_id("proposal-signers").text, True)

    by_id("menu-wall").click()
    wait.until(EC.visibility_of_element_located((By.ID, "tiles")))
    before = tile_text("astana-1")
    approve(2)
    wait.until(lambda d: f"release {version}" in tile_text("astana-1") and f"release {version}" in tile_text("astana-2"))
    check(f"the wall shows astana-1 and astana-2 take release {version} (programme v{version}) live", f"release {version}" not in before, before)
    shot("wall-released")
    by_id("menu-releases").click()
    wait.until(EC.text_to_be_present_in_element((By.ID, "proposal-title"), f"Proposal {proposal}:"))
    wait.until(EC.text_to_be_present_in_element((By.ID, "proposal-approvals"), "2 of 2 approver signatures"))
    check("the release is published, with both approvers named", "published" in by_id("proposal-title").text
          and by_id("proposal-signers").text.count("signed with key") == 2, by_id("proposal-title").text)
    sign_out()

    # MARK: Operations, as the operator.
    sign_in("operator", accounts["operator"]["password"])
    wait.until(EC.visibility_of_element_located((By.ID, "wall")))
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "li.tile")) >= 4)
    check("the operator signs in; the menu offers operations and no Content",
          by_id("operations").is_displayed() and not by_id("menu-content").is_displayed())

    # The hostile name is text on the page: no element made of it, no script run.
    names = [element.text for element in driver.find_elements(By.CSS_SELECTOR, 'li.tile[data-screen="hostile-1"] .name')]
    check("a screen named like an attack shows its name as text", names == [HOSTILE], str(names))
    check("and nothing it names exists or runs", not driver.find_elements(By.CSS_SELECTOR, 'img[src="x"]') and no_alert())
    accessible("the wall")

    # Thumbnails: each player sends one when its picture changes (at most once a minute), and a
    # screenshot command asks for one now; the tiles reload them without a reload of the page.
    online = ["astana-1", "astana-2", "berlin-1"]
    pictured = "return Boolean(document.querySelector('li.tile[data-screen=\"' + arguments[0] + '\"] img.thumb')?.naturalWidth)"
    wait.until(lambda d: all(d.execute_script(pictured, screen) for screen in online))
    check("every screen online shows a thumbnail on its tile", True)
    taken = {screen: driver.find_element(By.CSS_SELECTOR, f'li.tile[data-screen="{screen}"]').get_attribute("data-thumbnail") for screen in online}
    confirm_operation("screenshot", "all")
    by_id("confirm-ok").click()
    wait.until(EC.text_to_be_present_in_element((By.ID, "op-status"), "Take a screenshot every screen: acknowledged 3 of 4 (1 offline)"))
    wait.until(lambda d: all(d.find_element(By.CSS_SELECTOR, f'li.tile[data-screen="{screen}"]').get_attribute("data-thumbnail") != taken[screen]
                             and d.execute_script(pictured, screen) for screen in online))
    check("screenshots: acknowledged by the 3 screens online (1 offline), and their tiles load the new pictures", True)
    shot("wall")

    Select(by_id("group-filter")).select_by_value("astana")
    shown = sorted(tile.get_attribute("data-screen") for tile in driver.find_elements(By.CSS_SELECTOR, "li.tile"))
    check("the group filter shows the group's screens only", shown == ["astana-1", "astana-2"], str(shown))

    confirm = confirm_operation("blank", "group:astana")
    check("blanking asks for confirmation, naming the group, the count and what follows",
          confirm.startswith("Blank: group astana (2 screens)?") and "go black" in confirm, confirm)
    shot("confirm-blank")
    by_id("confirm-ok").click()
    wait.until(EC.text_to_be_present_in_element((By.ID, "op-status"), "acknowledged 2 of 2"))
    check("the acknowledgements arrive: " + by_id("op-status").text, True)
    wait.until(lambda d: "blanked" in tile_text("astana-1") and "blanked" in tile_text("astana-2"))
    check("the wall shows both screens blanked without a reload", True)
    shot("wall-blanked")

    confirm_operation("restore", "group:astana")
    by_id("confirm-ok").click()
    wait.until(EC.text_to_be_present_in_element((By.ID, "op-status"), "Restore group astana: acknowledged 2 of 2"))
    wait.until(lambda d: "blanked" not in tile_text("astana-1") and "blanked" not in tile_text("astana-2"))
    check("restore brings both back, acknowledged", True)

    # Cancelling with the keyboard sends nothing.
    Select(by_id("group-filter")).select_by_value("")
    confirm_operation("blank", "all")
    by_id("confirm").send_keys(Keys.ESCAPE)
    time.sleep(0.5)
    check("Escape at the confirmation sends nothing", "Restore group astana" in by_id("op-status").text and "blanked" not in tile_text("berlin-1"),
          by_id("op-status").text)

    confirm = confirm_operation("lockdown", "group:berlin")
    by_id("confirm-ok").click()
    wait.until(EC.text_to_be_present_in_element((By.ID, "op-status"), "Lock down group berlin: acknowledged"))
    wait.until(lambda d: "locked down" in tile_text("berlin-1"))
    check("lockdown of group berlin: confirmed, acknowledged, and the tile says so", "no new release" in confirm, confirm)
    confirm_operation("unlock", "group:berlin")
    by_id("confirm-ok").click()
    wait.until(lambda d: "locked down" not in tile_text("berlin-1"))
    check("unlock lifts it", True)

    # A screen's page: its timeline for the day and the week, its proofs of play, a preview at any time.
    driver.find_element(By.CSS_SELECTOR, 'li.tile[data-screen="astana-1"] .name a').click()
    wait.until(EC.visibility_of_element_located((By.ID, "screen")))
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#day-bar .segment")) > 0
               and len(d.find_elements(By.CSS_SELECTOR, "#week-bars .week-row")) == 7
               and len(d.find_elements(By.CSS_SELECTOR, "#play-rows tr")) > 0)
    day = by_id("day-list").text
    check("astana-1's page shows its day and week as timelines of the published programme, and its proofs of play",
          "(entry state-visit)" in day and f"published programme v{version}" in by_id("timeline-source").text, day[:300])
    commands = by_id("command-rows").text
    check("its page lists the commands it was sent, who issued them and how each was acknowledged",
          "blank" in commands and "restore" in commands and "operator" in commands and "done" in commands, commands[:300])
    by_id("preview-at").send_keys("2024-11-27T06:00:05")
    driver.find_element(By.CSS_SELECTOR, "#preview-form button[type=submit]").click()
    wait.until(lambda d: d.execute_script("const i = document.getElementById('preview-image'); return !i.hidden && i.naturalWidth === 960;"))
    check("a preview renders the approved frame at a chosen moment", True)
    shot("screen")

    # Alerts: the screen never seen is listed, its name as text.
    by_id("menu-alerts").click()
    wait.until(EC.text_to_be_present_in_element((By.ID, "alert-now"), "never seen"))
    now = by_id("alert-now").text
    check("the alerts page lists what needs attention now (the hostile screen, never seen, named as text)",
          f"{HOSTILE}: never seen" in now and not driver.find_elements(By.CSS_SELECTOR, 'img[src="x"]'), now)
    shot("alerts")

    # The demo's release 1 and who approved it.
    by_id("menu-releases").click()
    wait.until(EC.visibility_of_element_located((By.ID, "proposal")))
    driver.find_element(By.CSS_SELECTOR, 'tr[data-proposal="1"]').click()
    wait.until(EC.text_to_be_present_in_element((By.ID, "proposal-approvals"), "2 of 2 approver signatures"))
    signers = by_id("proposal-signers").text
    check("the first release shows who signed it", signers.count("signed with key") == 2, signers)

    # Audit and forensics: the latest events, and what astana-1 showed during its welcome slide.
    status, _, body = api("GET", "/api/v1/screens/astana-1/plays?from=2024-11-27T00:00:00Z&to=2024-11-28T00:00:00Z", token=admin)
    welcome = [play for play in json.loads(body)["plays"] if play.get("slide") == "welcome"][0]
    start, end = (calendar.timegm(time.strptime(welcome[key][:19], "%Y-%m-%dT%H:%M:%S")) for key in ("start", "end"))
    moment = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime((start + end) / 2 + 0.5))
    by_id("menu-audit").click()
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#audit-rows tr")) > 10)
    check("the audit page lists the latest events", True)
    Select(by_id("forensics-screen")).select_by_value("astana-1")
    by_id("forensics-at").send_keys(moment)
    driver.find_element(By.CSS_SELECTOR, "#forensics-form button[type=submit]").click()
    wait.until(EC.text_to_be_present_in_element((By.ID, "forensics-report"), "Verdict"))
    report = by_id("forensics-report").text
    check(f"forensics in the console: astana-1 at {moment} showed the welcome slide, and every proof verifies",
          "showing: slide welcome" in report and "Verdict: every proof and signature verifies" in report, report[:600])
    shot("forensics")

    # A tablet, upright: the wall and the content page fit its width.
    viewport(820, 1180)
    by_id("menu-wall").click()
    wait.until(EC.visibility_of_element_located((By.ID, "tiles")))
    overflow = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
    shot("tablet-wall")
    check("on a tablet (820 px wide) the wall fits the width", overflow <= 0, f"{overflow} px too wide")
    by_id("menu-releases").click()
    wait.until(EC.visibility_of_element_located((By.ID, "proposal")))
    overflow = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
    shot("tablet-releases")
    check("and so does the releases page, previews and all", overflow <= 0, f"{overflow} px too wide")
    viewport(1440, 900)

    # The browser ran without a policy violation or script error.
    # (Refused requests, such as the wrong password's 401, are answers, not errors of the page.)
    errors = [entry["message"] for entry in driver.get_log("browser")
              if entry["level"] == "SEVERE" and "Failed to load resource" not in entry["message"]]
    check("no script error or policy violation in the browser's console", not errors, "; ".join(errors))
    sign_out()
    check("sign out returns to the sign-in page", True)

    # MARK: An auditor: a forced password change at first sign-in, then TOTP.
    sign_in("auditor", auditor_password)
    wait.until(EC.visibility_of_element_located((By.ID, "change-form")))
    new_password = "the auditor's own passphrase"
    by_id("current").send_keys(auditor_password)
    by_id("new-password").send_keys(new_password, Keys.ENTER)
    wait.until(EC.visibility_of_element_located((By.ID, "wall")))
    check("an account made by an admin must choose its own password first; a viewer gets no operations and no Content",
          not by_id("operations").is_displayed() and not by_id("menu-content").is_displayed())
    sign_out()
    # The auditor enrols an authenticator (over the API, as a phone app would read the URL).
    jar = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    session = json.loads(api("POST", "/api/v1/session", {"name": "auditor", "password": new_password}, opener=jar)[2])
    csrf = {"X-CSRF-Token": session["csrf_token"]}
    enrolment = json.loads(api("POST", "/api/v1/me/totp", {}, opener=jar, headers=csrf)[2])
    secret = urllib.parse.parse_qs(urllib.parse.urlparse(enrolment["otpauth_url"]).query)["secret"][0]
    # The demo's server replays 2024: codes follow its clock, read from the wall's answer.
    server_now = json.loads(api("GET", "/api/v1/wall/events", opener=jar)[2])["at"]
    step = calendar.timegm(time.strptime(server_now[:19], "%Y-%m-%dT%H:%M:%S")) // 30
    api("POST", "/api/v1/me/totp/confirm", {"code": totp(secret, step)}, opener=jar, headers=csrf)
    sign_in("auditor", new_password)
    wait.until(EC.visibility_of_element_located((By.ID, "totp")))
    # Each code works once: the next step's code (accepted for clock drift).
    by_id("totp").send_keys(totp(secret, step + 1), Keys.ENTER)
    wait.until(EC.visibility_of_element_located((By.ID, "wall")))
    check("with TOTP enrolled, sign-in asks for the code and takes it", True)
    sign_out()
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
