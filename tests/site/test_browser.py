"""The built site in a real browser (Debian's chromium, driven by Playwright), served from 127.0.0.1 with no
network: every page loads cleanly, asks nothing of other hosts, works on a phone, searches and navigates.
Run by `make site-check` after `make browser` has made sure chromium is installed."""

import functools
import http.server
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PHONE = {"width": 390, "height": 844}
TABLET = {"width": 800, "height": 1024}
DESKTOP = {"width": 1280, "height": 800}
# Every page, with its figures, scripts, styles and fonts, transfers at most this much (bytes, uncompressed: the
# test server does not gzip, and a page opened from disk reads the files as they are).
MAX_PAGE_BYTES = 1_000_000


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
        weight = page.evaluate("""() => performance.getEntriesByType('resource')
            .reduce((sum, r) => sum + (r.transferSize || r.encodedBodySize || 0), 0)
            + (performance.getEntriesByType('navigation')[0].transferSize || 0)""")
        page_weights[name] = weight
        # The icons come from the subset fonts written by _ext/book_site.py; a request for the theme's full font
        # means an icon on this page is missing from the subset.
        full_fonts = [u for u in requests if "/vendor/fontawesome/" in u or "fontawesome.js" in u]
        assert not full_fonts, f"{name} loaded the full Font Awesome: {full_fonts}"
        assert weight <= MAX_PAGE_BYTES, f"{name} transfers {weight:,} bytes, over {MAX_PAGE_BYTES:,}"
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
        page.wait_for_selector("#search-results li p.context", timeout=15_000)  # served: results with snippets
        assert page.locator("#search-results li").count() > 0
        assert not page.locator(".book-search-from-disk").is_visible()
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


def screenshot_folder(site: Path) -> Path:
    folder = site.parent.parent / "screenshots"  # beside the test build: _build/test/screenshots
    folder.mkdir(exist_ok=True)
    return folder


@pytest.mark.parametrize("viewport_name, viewport", [("desktop", DESKTOP), ("phone", PHONE)])
@pytest.mark.parametrize("name", ["intro", "chapters/roi_regressions", "chapters/tier_definitions"])
def test_screenshots(browser, server, site, name, viewport_name, viewport):
    """Screenshots for a person to look at, written beside the test build (a test artifact)."""
    page, _, _ = visit(browser, f"{server}/{name}.html", viewport=viewport)
    try:
        path = screenshot_folder(site) / f"{name.replace('/', '_')}-{viewport_name}.png"
        page.screenshot(path=str(path), full_page=False)
        assert path.stat().st_size > 10_000
    finally:
        page.close()


# Is one of the elements matching the selector visible and inside the viewport? (pydata-sphinx-theme 0.16 moves a
# sidebar's contents into a <dialog> when its button is pressed, so the drawer is found by what it holds.)
ON_SCREEN = """(selector) => Array.from(document.querySelectorAll(selector)).some(el => {
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return style.visibility === 'visible' && style.display !== 'none' && r.width > 100 && r.height > 50
        && r.left >= -1 && r.right <= window.innerWidth + 1 && r.top < window.innerHeight && r.bottom > 0;
})"""


@pytest.mark.parametrize("viewport_name, viewport", [("phone", PHONE), ("tablet", TABLET)])
@pytest.mark.parametrize("drawer", ["menu", "contents"])
def test_drawers_open_on_touch_screens(browser, server, site, viewport_name, viewport, drawer):
    """Below 992 px the sidebars are drawers behind the menu (left) and contents (right) buttons: tapping the
    visible button must bring the drawer's navigation into the viewport, and a link in it must work."""
    pages = toc_pages()
    start = "chapters/tier_definitions"
    button, nav = {
        "menu": ("button.primary-toggle", "nav.bd-docs-nav"),
        "contents": ("button.secondary-toggle", "nav.page-toc"),
    }[drawer]
    context = browser.new_context(viewport=viewport, has_touch=True, is_mobile=True)
    page = context.new_page()
    try:
        page.goto(f"{server}/{start}.html", wait_until="networkidle")
        assert not page.evaluate(ON_SCREEN, nav), f"the {drawer} drawer is open before any tap"
        toggle = page.locator(f"{button}:visible")
        assert toggle.count() == 1, f"no visible {drawer} button at {viewport['width']} px"
        toggle.tap()
        page.wait_for_function(f"({ON_SCREEN})({nav!r})", timeout=5_000)
        page.screenshot(path=str(screenshot_folder(site) / f"drawer-{drawer}-{viewport_name}.png"))
        links = page.locator(f"{nav} a:visible")
        if drawer == "menu":
            target = pages[-1]  # the last page of the table of contents, far from the current page
            links.filter(has=page.locator(f"xpath=self::*[contains(@href, '{target.split('/')[-1]}.html')]")).first.tap()
            page.wait_for_url(f"**/{target}.html")
        else:
            link = links.nth(1)
            anchor = link.get_attribute("href")
            assert anchor.startswith("#"), anchor
            link.tap()
            page.wait_for_url(f"**/{start}.html{anchor}")
            # the page scrolls (smoothly) to the section
            page.wait_for_function("""(id) => { const top = document.getElementById(id).getBoundingClientRect().top;
                                               return top >= 0 && top < window.innerHeight; }""",
                                   arg=anchor[1:], timeout=5_000)
    finally:
        context.close()


def test_the_404_page_renders(browser, server):
    page, errors, requests = visit(browser, f"{server}/404.html")
    try:
        assert not errors, errors
        assert page.locator("main h1:visible").first.inner_text().strip() == "Page not found"
        # styled by the theme (its stylesheets load from the absolute /_static/ prefix) ...
        assert page.evaluate("() => document.styleSheets.length") >= 5
        assert all(urlsplit(u).hostname in ("127.0.0.1", None) for u in requests)
        # ... and its link leads back into the book
        page.locator("main a", has_text="front page").click()
        page.wait_for_url("**/intro.html")
    finally:
        page.close()


def test_search_opened_from_disk_lists_pages_and_says_why_there_are_no_snippets(browser, site):
    """From file:// the browser blocks the search's reads of other pages (its snippets); the results must still
    be listed, and the page must say so (and the note must stay hidden when the site is served)."""
    page = browser.new_page()
    try:
        page.goto((site / "search.html").resolve().as_uri() + "?q=micro", wait_until="load")
        page.wait_for_selector("#search-results li", timeout=15_000)
        assert page.locator("#search-results li").count() > 0
        assert page.locator(".book-search-from-disk").is_visible()
        assert "make serve" in page.locator(".book-search-from-disk").inner_text()
    finally:
        page.close()

