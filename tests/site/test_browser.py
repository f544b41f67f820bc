"""The built site in a real browser (Debian's chromium, driven by Playwright), served from 127.0.0.1 with no
network: every page loads cleanly, asks nothing of other hosts, works on a phone, searches and navigates.
Run by `make site-check` after `make browser` has made sure chromium is installed."""

import functools
import http.server
import shutil
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def toc_pages() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    return [toc["root"]] + [c["file"] for part in toc.get("parts", []) for c in part.get("chapters", [])]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # the test output is for failures, not access logs
        pass


@pytest.fixture(scope="session")
def server(site):
    handler = functools.partial(QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    assert executable, "chromium is not installed: run `make browser` (or: sudo apt-get install chromium)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


def visit(browser, url: str, viewport=DESKTOP):
    """Open url in a fresh page; return the page, its console errors and every URL it requested."""
    page = browser.new_page(viewport=viewport)
    errors, requests = [], []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda request: requests.append(request.url))
    page.goto(url, wait_until="networkidle")
    return page, errors, requests


@pytest.mark.parametrize("name", toc_pages())
def test_page_loads_cleanly_and_stays_local(browser, server, name, page_weights):
    page, errors, requests = visit(browser, f"{server}/{name}.html")
    try:
        assert not errors, f"console errors on {name}: {errors}"
        foreign = [u for u in requests if urlsplit(u).hostname not in ("127.0.0.1", None) and not u.startswith("data:")]
        assert not foreign, f"{name} requested other hosts: {foreign}"
        images = page.evaluate("""() => Array.from(document.querySelectorAll('main img')).map(
            i => ({src: i.getAttribute('src'), width: i.naturalWidth, alt: (i.getAttribute('alt') || '').trim()}))""")
        assert all(i["width"] > 0 for i in images), f"images that did not load on {name}: {images}"
        assert all(i["alt"] for i in images), f"images without alt text on {name}: {images}"
        tables = page.evaluate("() => Array.from(document.querySelectorAll('main table')).map(t => t.rows.length)")
        assert all(rows > 1 for rows in tables), f"an empty table on {name}: {tables}"
        page_weights[name] = page.evaluate("""() => performance.getEntriesByType('resource')
            .reduce((sum, r) => sum + (r.transferSize || r.encodedBodySize || 0), 0)
            + (performance.getEntriesByType('navigation')[0].transferSize || 0)""")
    finally:
        page.close()


@pytest.mark.parametrize("name", toc_pages())
def test_no_horizontal_scrolling_on_a_phone(browser, server, name):
    page, _, _ = visit(browser, f"{server}/{name}.html", viewport=PHONE)
    try:
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{name} scrolls sideways by {overflow}px on a phone"
    finally:
        page.close()


def test_search_finds_micro(browser, server):
    page, errors, _ = visit(browser, f"{server}/search.html?q=micro")
    try:
        page.wait_for_selector("#search-results li", timeout=15_000)
        assert page.locator("#search-results li").count() > 0
        assert not errors
    finally:
        page.close()


def test_next_and_previous_and_the_table_of_contents(browser, server):
    pages = toc_pages()
    page, _, _ = visit(browser, f"{server}/{pages[0]}.html")
    try:
        page.locator("a.right-next").first.click()
        page.wait_for_load_state()
        assert page.url.endswith(f"{pages[1]}.html")
        page.locator("a.left-prev").first.click()
        page.wait_for_load_state()
        assert page.url.endswith(f"{pages[0]}.html")
        page.locator(f"nav.bd-docs-nav a[href$='{pages[-1].split('/')[-1]}.html']").first.click()
        page.wait_for_load_state()
        assert page.url.endswith(f"{pages[-1]}.html")
    finally:
        page.close()


@pytest.mark.parametrize("viewport_name, viewport", [("desktop", DESKTOP), ("phone", PHONE)])
@pytest.mark.parametrize("name", ["intro", "chapters/roi_regressions"])
def test_screenshots(browser, server, site, name, viewport_name, viewport):
    """Screenshots for a person to look at, written beside the test build (a test artifact)."""
    folder = site.parent.parent / "screenshots"
    folder.mkdir(exist_ok=True)
    page, _, _ = visit(browser, f"{server}/{name}.html", viewport=viewport)
    try:
        path = folder / f"{name.replace('/', '_')}-{viewport_name}.png"
        page.screenshot(path=str(path), full_page=False)
        assert path.stat().st_size > 10_000
    finally:
        page.close()
