"""The command's reports in a real browser (Debian's chromium, launched as in test_browser.py) at a phone's width:
the page never scrolls sideways, a wide table scrolls inside its own box with a visible cue, the first screen holds
the answer, and nothing is fetched. Screenshots go beside the site's (_build/test/screenshots/). Run by
`make site-check`; the reports are made here, from the book's simulated samples.

Playwright's sync API allows one instance per thread and test_browser.py holds one for the whole session, so this
module drives its own browser in a worker thread."""

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from chromium import CHROMIUM_FLAGS, executable
from test_browser import PHONE

ROOT = Path(__file__).resolve().parents[2]
COMMAND = str(Path(sys.executable).with_name("influencer-roi"))
RUNS = {
    "analyze": ["analyze", str(ROOT / "data" / "synthetic" / "campaigns.csv")],
    "engagement": ["engagement", str(ROOT / "data" / "synthetic" / "posts.csv")],
    "allocate": ["allocate", "--budget", "100000", "--draws", "500"],
}


def look_at(reports: dict[str, Path], screenshots: Path) -> dict[str, dict]:
    """Open each report at phone size; what a test needs to know about it, and a screenshot."""
    from playwright.sync_api import sync_playwright

    binary = executable()
    assert binary, "chromium is not installed: run `make browser` (or: sudo apt-get install chromium)"
    seen = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=binary, headless=True, args=CHROMIUM_FLAGS)
        for name, path in reports.items():
            page = browser.new_page(viewport=PHONE)
            requests = []
            page.on("request", lambda request, into=requests: into.append(request.url))
            page.goto(path.as_uri(), wait_until="load")
            answer = page.locator(".answer").first
            shot = screenshots / f"report-{name}-phone.png"
            page.screenshot(path=str(shot), full_page=False)
            seen[name] = {
                "overflow": page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth"),
                "requests": requests,
                "answer_top": answer.bounding_box()["y"] if answer.is_visible() else None,
                "boxes": page.evaluate("""() => Array.from(document.querySelectorAll('.scroll')).map(
                    b => ({inner: b.scrollWidth, outer: b.clientWidth}))"""),
                "cue_visible": page.locator(".hint").first.is_visible(),
                "screenshot_bytes": shot.stat().st_size,
            }
            page.close()
        browser.close()
    return seen


# One worker runs this file's checks (make site-check runs --dist loadgroup): the reports are made once. The fixture
# is the session's, not the module's: the worker may run other modules' checks between these, and a module fixture
# would then be made again.
pytestmark = pytest.mark.xdist_group("reports")


@pytest.fixture(scope="session")
def seen(tmp_path_factory, site) -> dict[str, dict]:
    folder = tmp_path_factory.mktemp("reports")
    reports = {}
    for name, argv in RUNS.items():
        subprocess.run(
            [COMMAND, *argv, "--out", str(folder / name)], check=True, capture_output=True, env={"CI": "1", "PATH": ""}
        )
        reports[name] = folder / name / "report.html"
    screenshots = site.parent.parent / "screenshots"
    screenshots.mkdir(exist_ok=True)
    with ThreadPoolExecutor(max_workers=1) as worker:
        return worker.submit(look_at, reports, screenshots).result()


@pytest.mark.parametrize("name", sorted(RUNS))
def test_a_report_reads_on_a_phone(seen, name):
    report = seen[name]
    assert report["overflow"] <= 1, f"the {name} report scrolls sideways by {report['overflow']}px"
    assert all(u.startswith(("file:", "data:")) for u in report["requests"]), report["requests"]
    assert report["answer_top"] is not None and report["answer_top"] < PHONE["height"]  # on the first screen
    assert report["screenshot_bytes"] > 10_000
    if name == "allocate":  # its table is wider than a phone: it scrolls in its own box, and says so
        assert any(b["inner"] > b["outer"] for b in report["boxes"]) and report["cue_visible"]
