"""The command's reports in a real browser (Debian's chromium, as in test_browser.py) at a phone's width: the page
never scrolls sideways, a wide table scrolls inside its own box with a visible cue, the first screen holds the
answer, and nothing is fetched. Screenshots go beside the site's (_build/test/screenshots/). Run by
`make site-check`; the reports are made here, from the book's simulated samples."""

import subprocess
import sys
from pathlib import Path

import pytest
from test_browser import PHONE, browser  # noqa: F401 - the session's Chromium, a fixture

ROOT = Path(__file__).resolve().parents[2]
COMMAND = str(Path(sys.executable).with_name("influencer-roi"))
RUNS = {
    "analyze": ["analyze", str(ROOT / "data" / "synthetic" / "campaigns.csv")],
    "engagement": ["engagement", str(ROOT / "data" / "synthetic" / "posts.csv")],
    "allocate": ["allocate", "--budget", "100000", "--draws", "500"],
}


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("reports")
    made = {}
    for name, argv in RUNS.items():
        subprocess.run([COMMAND, *argv, "--out", str(folder / name)], check=True, capture_output=True,
                       env={"CI": "1", "PATH": ""})
        made[name] = folder / name / "report.html"
    return made


@pytest.fixture
def phone_page(browser):  # noqa: F811 - test_browser's fixture
    def open_page(path: Path):
        page = browser.new_page(viewport=PHONE)
        requests = []
        page.on("request", lambda request: requests.append(request.url))
        page.goto(path.as_uri(), wait_until="load")
        return page, requests

    return open_page


@pytest.mark.parametrize("name", sorted(RUNS))
def test_a_report_reads_on_a_phone(reports, phone_page, site, name):
    page, requests = phone_page(reports[name])
    try:
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"the {name} report scrolls sideways by {overflow}px at {PHONE['width']}px"
        assert all(u.startswith(("file:", "data:")) for u in requests), requests
        answer = page.locator(".answer").first
        assert answer.is_visible() and answer.bounding_box()["y"] < PHONE["height"]  # on the first screen
        boxes = page.evaluate("""() => Array.from(document.querySelectorAll('.scroll')).map(
            b => ({inner: b.scrollWidth, outer: b.clientWidth}))""")
        wide = [b for b in boxes if b["inner"] > b["outer"]]
        if name == "allocate":  # its table is wider than a phone: it scrolls in its box, and says so
            assert wide and page.locator(".hint").first.is_visible()
        folder = site.parent.parent / "screenshots"
        folder.mkdir(exist_ok=True)
        shot = folder / f"report-{name}-phone.png"
        page.screenshot(path=str(shot), full_page=False)
        assert shot.stat().st_size > 10_000
    finally:
        page.close()
