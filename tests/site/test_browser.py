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


def pages() -> list:
    """Every page as a test parameter, in a group of its own: `make site-check` runs on two workers with
    --dist loadgroup, so all checks of a page run on one worker and read the same visit (desktop_view, phone_view)."""
    return [pytest.param(name, id=name, marks=pytest.mark.xdist_group(name)) for name in toc_pages()]


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


def visit(browser, url: str, viewport=DESKTOP, wait_until="load"):
    """Open url in a fresh page; return the page, its console errors and every URL it requested. The page's load
    event (HTML, scripts, styles, images, fonts in use) is enough to measure its layout; the test that counts what a
    page transfers and asks of other hosts waits until the network has been idle for half a second."""
    page = browser.new_page(viewport=viewport)
    errors, requests = [], []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda request: requests.append(request.url))
    page.goto(url, wait_until=wait_until)
    return page, errors, requests


# Each page is opened once at desktop size and once at phone size (per test worker); the checks below read what
# those visits saw. A page load, with its figures, is most of what the browser checks cost.
_DESKTOP: dict[str, dict] = {}
_PHONE: dict[str, dict] = {}
IMAGES = """() => Array.from(document.querySelectorAll('main img')).map(
    i => ({src: i.getAttribute('src'), width: i.naturalWidth, alt: (i.getAttribute('alt') || '').trim()}))"""
TABLE_ROWS = "() => Array.from(document.querySelectorAll('main table')).map(t => t.rows.length)"
WEIGHT = """() => performance.getEntriesByType('resource')
    .reduce((sum, r) => sum + (r.transferSize || r.encodedBodySize || 0), 0)
    + (performance.getEntriesByType('navigation')[0].transferSize || 0)"""
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"
WIDE_TABLES = """() => Array.from(document.querySelectorAll('main table')).map(t => {
    const box = t.closest('.book-table-scroll');
    const style = box ? getComputedStyle(box) : null;
    return {wide: t.getBoundingClientRect().width > t.parentElement.getBoundingClientRect().width + 1,
            box: !!box, overflow: style && style.overflowX, cue: style && style.backgroundImage,
            text: t.innerText.slice(0, 60)};
})"""


def desktop_view(browser, server, site, name) -> dict:
    """The page at desktop size, loaded until the network is idle: console errors, requests, images, tables, the
    bytes transferred, and its first screen's screenshot."""
    probes = {"images": IMAGES, "tables": TABLE_ROWS, "weight": WEIGHT}
    return _view(_DESKTOP, browser, server, site, name, "desktop", probes, wait_until="networkidle")


def phone_view(browser, server, site, name) -> dict:
    """The page at phone width: how far it scrolls sideways, its SVG figures' text as drawn (FIGURE_TEXT, below),
    its tables' scroll boxes, and its first screen's screenshot."""
    probes = {"overflow": OVERFLOW, "figures": FIGURE_TEXT, "tables": WIDE_TABLES}
    return _view(_PHONE, browser, server, site, name, "phone", probes, viewport=PHONE)


def _view(cache: dict, browser, server, site, name: str, kind: str, probes: dict, **options) -> dict:
    """One visit of a page per screen size (`kind`), cached: what each probe script returns, the console errors, the
    requests, and its first screen's screenshot."""
    if name not in cache:
        page, errors, requests = visit(browser, f"{server}/{name}.html", **options)
        try:
            shot = screenshot_folder(site) / f"{name.replace('/', '_')}-{kind}.png"
            seen = {key: page.evaluate(script) for key, script in probes.items()}
            cache[name] = {**seen, "errors": errors, "requests": list(requests), "screenshot": shot}
            page.screenshot(path=str(shot), full_page=False)
        finally:
            page.close()
    return cache[name]


@pytest.mark.parametrize("name", pages())
def test_page_loads_cleanly_and_stays_local(browser, server, site, name, page_weight):
    seen = desktop_view(browser, server, site, name)
    errors, requests, images, tables = seen["errors"], seen["requests"], seen["images"], seen["tables"]
    assert not errors, f"console errors on {name}: {errors}"
    foreign = [u for u in requests if urlsplit(u).hostname not in ("127.0.0.1", None) and not u.startswith("data:")]
    assert not foreign, f"{name} requested other hosts: {foreign}"
    assert all(i["width"] > 0 for i in images), f"images that did not load on {name}: {images}"
    assert all(i["alt"] for i in images), f"images without alt text on {name}: {images}"
    assert all(rows > 1 for rows in tables), f"an empty table on {name}: {tables}"
    page_weight(name, seen["weight"])
    # The icons come from the subset fonts written by _ext/book_site.py; a request for the theme's full font
    # means an icon on this page is missing from the subset.
    full_fonts = [u for u in requests if "/vendor/fontawesome/" in u or "fontawesome.js" in u]
    assert not full_fonts, f"{name} loaded the full Font Awesome: {full_fonts}"
    assert seen["weight"] <= MAX_PAGE_BYTES, f"{name} transfers {seen['weight']:,} bytes, over {MAX_PAGE_BYTES:,}"


@pytest.mark.parametrize("name", pages())
def test_no_horizontal_scrolling_on_a_phone(browser, server, site, name):
    overflow = phone_view(browser, server, site, name)["overflow"]
    assert overflow <= 1, f"{name} scrolls sideways by {overflow}px on a phone"


def test_search_finds_micro(browser, server):
    page, errors, _ = visit(browser, f"{server}/search.html?q=micro")
    try:
        page.wait_for_selector("#search-results li p.context", timeout=15_000)  # served: results with snippets
        assert page.locator("#search-results li").count() > 0
        assert not page.locator(".book-search-from-disk").is_visible()
        assert not errors
    finally:
        page.close()


def test_glued_results_read_as_the_prose_around_them(browser, server):
    """The front page's answer is one glued sentence: it must not render as a paragraph of bold type."""
    page, _, _ = visit(browser, f"{server}/intro.html", PHONE)
    try:
        weights = page.evaluate("""() => Array.from(document.querySelectorAll('main span.pasted-text')).map(
            s => [getComputedStyle(s).fontWeight, getComputedStyle(s.parentElement).fontWeight])""")
        assert weights, "no glued text on the front page"
        assert all(own == around for own, around in weights), weights
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
@pytest.mark.parametrize("name", pages())
def test_screenshots(browser, server, site, name, viewport_name, viewport, request):
    """Screenshots of every page for a person to look at, written beside the test build (a test artifact): the
    first screen (taken by the visit the other checks read), and with --whole-pages (`make screenshots`) the whole
    page, where the figures and tables are. Whole pages are left out of `make test`: they are for reading, not
    checking, and encoding them cost more than every check together."""
    view = desktop_view if viewport_name == "desktop" else phone_view
    assert view(browser, server, site, name)["screenshot"].stat().st_size > 10_000
    if request.config.getoption("--whole-pages"):
        page, _, _ = visit(browser, f"{server}/{name}.html", viewport=viewport)
        try:
            whole = screenshot_folder(site) / "full" / f"{name.replace('/', '_')}-{viewport_name}.png"
            whole.parent.mkdir(exist_ok=True)
            page.screenshot(path=str(whole), full_page=True)
            assert whole.stat().st_size > 10_000
        finally:
            page.close()


# Figures. Each SVG the page shows (an <img>) is read as the browser fetched it: the size of its text as drawn on the
# screen (its font size in the SVG's units times the image's shown width over the viewBox width), and the colour of
# every text against the figure's background (white, as the house style draws it and the page shows it).
MIN_FIGURE_TEXT_PX = 9.0
MIN_CONTRAST = 4.5
FIGURE_TEXT = """async () => {
    const out = [];
    for (const img of document.querySelectorAll('main img')) {
        const src = img.currentSrc || img.src;
        if (!src.split('?')[0].endsWith('.svg')) continue;
        const svg = new DOMParser().parseFromString(await (await fetch(src)).text(), 'image/svg+xml').documentElement;
        const box = (svg.getAttribute('viewBox') || '').split(/[ ,]+/).map(Number);
        const scale = img.getBoundingClientRect().width / box[2];
        const texts = [];
        for (const t of svg.querySelectorAll('text')) {
            if (!t.textContent.trim()) continue;
            const style = {};
            for (let el = t; el && el.getAttribute; el = el.parentNode) {  // the text's own style, then its groups'
                for (const part of (el.getAttribute('style') || '').split(';')) {
                    const [key, value] = part.split(':').map(s => s && s.trim());
                    if (key && !(key in style)) style[key] = value;
                }
            }
            const opacity = parseFloat(style['opacity'] || '1') * parseFloat(style['fill-opacity'] || '1');
            texts.push({text: t.textContent.trim().slice(0, 40), px: parseFloat(style['font-size']) * scale,
                        fill: style['fill'] || '#000000', opacity});
        }
        out.push({src: src.split('/').pop(), shown: img.getBoundingClientRect().width, texts});
    }
    return out;
}"""


def luminance(colour: str) -> float:
    """WCAG relative luminance of '#rrggbb' (or '#rgb')."""
    hex_digits = colour.lstrip("#")
    if len(hex_digits) == 3:
        hex_digits = "".join(c * 2 for c in hex_digits)
    channels = [int(hex_digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(colour: str, opacity: float = 1.0, background: str = "#ffffff") -> float:
    """WCAG contrast ratio of text in `colour` (drawn at `opacity` over `background`) against `background`."""
    fg = colour.lstrip("#")
    bg = background.lstrip("#")
    if len(fg) == 3:
        fg = "".join(c * 2 for c in fg)
    blended = "#" + "".join(
        f"{round(opacity * int(fg[i : i + 2], 16) + (1 - opacity) * int(bg[i : i + 2], 16)):02x}" for i in (0, 2, 4)
    )
    lighter, darker = sorted((luminance(blended), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_contrast_is_computed_as_wcag_says():
    assert contrast("#000000") == pytest.approx(21.0)
    assert contrast("#767676") == pytest.approx(4.54, abs=0.01)  # the lightest grey that passes AA on white
    assert contrast("#E69F00") < MIN_CONTRAST  # Okabe-Ito orange, the nano fill, is too light for text
    assert contrast("#000000", opacity=0.25) < MIN_CONTRAST


@pytest.mark.parametrize("name", pages())
def test_figure_text_is_legible_on_a_phone(browser, server, site, name):
    small = [
        f"{fig['src']}: {t['text']!r} at {t['px']:.1f}px"
        for fig in phone_view(browser, server, site, name)["figures"]
        for t in fig["texts"]
        if t["px"] < MIN_FIGURE_TEXT_PX
    ]
    assert not small, (
        f"{name}: figure text under {MIN_FIGURE_TEXT_PX}px at {PHONE['width']}px wide "
        f"({len(small)} texts):\n" + "\n".join(small[:20])
    )


@pytest.mark.parametrize("name", pages())
def test_figure_text_contrasts_with_the_background(browser, server, site, name):
    faint = sorted(
        {
            f"{fig['src']}: {t['text']!r} in {t['fill']} ({contrast(t['fill'], t['opacity']):.2f}:1)"
            for fig in phone_view(browser, server, site, name)["figures"]
            for t in fig["texts"]
            if contrast(t["fill"], t["opacity"]) < MIN_CONTRAST
        }
    )
    assert not faint, f"{name}: figure text under {MIN_CONTRAST}:1 against white:\n" + "\n".join(faint[:20])


def test_the_figure_checks_saw_figures(browser, server, site):
    # the two checks above pass on a page without figures; the book has them, on these pages at least
    for name in ("chapters/tier_definitions", "chapters/tier_nano", "chapters/allocation", "chapters/robustness"):
        shown = phone_view(browser, server, site, name)["figures"]
        assert shown and all(fig["texts"] for fig in shown), f"{name}: no SVG figure with text was read"


@pytest.mark.parametrize("name", pages())
def test_a_table_wider_than_a_phone_scrolls_in_its_box_with_a_cue(browser, server, site, name):
    tables = phone_view(browser, server, site, name)["tables"]
    bad = [
        t
        for t in tables
        if t["wide"] and not (t["box"] and t["overflow"] == "auto" and "radial-gradient" in (t["cue"] or ""))
    ]
    assert not bad, f"{name}: tables wider than a phone without the scroll box and its cue: {bad}"


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
        page.wait_for_function(f"({ON_SCREEN})({nav!r})", timeout=15_000)
        page.screenshot(path=str(screenshot_folder(site) / f"drawer-{drawer}-{viewport_name}.png"))
        links = page.locator(f"{nav} a:visible")
        if drawer == "menu":
            target = pages[-1]  # the last page of the table of contents, far from the current page
            links.filter(
                has=page.locator(f"xpath=self::*[contains(@href, '{target.split('/')[-1]}.html')]")
            ).first.tap()
            page.wait_for_url(f"**/{target}.html")
        else:
            link = links.nth(1)
            anchor = link.get_attribute("href")
            assert anchor.startswith("#"), anchor
            link.tap()
            page.wait_for_url(f"**/{start}.html{anchor}")
            # the page scrolls (smoothly) to the section
            page.wait_for_function(
                """(id) => { const top = document.getElementById(id).getBoundingClientRect().top;
                                               return top >= 0 && top < window.innerHeight; }""",
                arg=anchor[1:],
                timeout=15_000,
            )
    finally:
        context.close()


def test_the_404_page_renders(browser, server):
    page, errors, requests = visit(browser, f"{server}/404.html", wait_until="networkidle")
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


# Colour schemes. The theme follows the reader's choice (its switch, kept in localStorage) and draws the page in
# light or dark; the book's tables, their scroll cue and the focus ring must read in both.
SCHEMES = ("light", "dark")
WIDE_TABLE_PAGES = ("chapters/roi_regressions", "chapters/tier_micro")


def visit_in(browser, server, name: str, scheme: str, viewport=PHONE):
    page = browser.new_page(viewport=viewport, color_scheme=scheme)
    page.add_init_script(f"localStorage.setItem('theme', '{scheme}'); localStorage.setItem('mode', '{scheme}');")
    page.goto(f"{server}/{name}.html", wait_until="load")
    assert page.evaluate("document.documentElement.dataset.theme") == scheme
    return page


def rgb(css: str) -> tuple[float, float, float, float]:
    """'rgb(1, 2, 3)' or 'rgba(1, 2, 3, 0.5)' -> (r, g, b, alpha)."""
    parts = [float(p) for p in css[css.index("(") + 1 : css.index(")")].replace("/", ",").split(",")]
    return (*parts[:3], parts[3] if len(parts) > 3 else 1.0)


def css_contrast(foreground: str, background: str) -> float:
    fg, bg = rgb(foreground), rgb(background)
    mixed = [fg[3] * f + (1 - fg[3]) * b for f, b in zip(fg[:3], bg[:3])]
    return contrast(
        "#" + "".join(f"{round(c):02x}" for c in mixed), background="#" + "".join(f"{round(c):02x}" for c in bg[:3])
    )


TABLE_COLOURS = """() => {
    const page = getComputedStyle(document.body).backgroundColor;
    return Array.from(document.querySelectorAll('main .book-table-scroll')).filter(b => b.offsetParent).map(b => ({
        page, box: getComputedStyle(b).backgroundColor,
        cells: Array.from(b.querySelectorAll('td, th')).slice(0, 40).map(c => getComputedStyle(c).color),
        wide: b.scrollWidth > b.clientWidth + 1}));
}"""


def left_strip(page, box, width: int = 6):
    """The colours of the box's leftmost `width` pixels (inside the first cell's padding: no text there)."""
    import io

    import numpy as np
    from PIL import Image

    box.scroll_into_view_if_needed()
    bounds = box.bounding_box()
    shot = page.screenshot(clip={"x": bounds["x"], "y": bounds["y"], "width": width, "height": bounds["height"]})
    return np.asarray(Image.open(io.BytesIO(shot)).convert("RGB"), dtype=int).reshape(-1, 3)


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("name", WIDE_TABLE_PAGES)
def test_tables_read_in_both_colour_schemes_without_a_band(browser, server, name, scheme):
    import numpy as np

    """In each scheme a book table sits on the page's own background, its text contrasts with it (4.5:1), and a
    wide table unscrolled shows no shadow band over its first column (the dark-mode defect: a black band); scrolled,
    its left cue appears."""
    page = visit_in(browser, server, name, scheme)
    try:
        boxes = page.evaluate(TABLE_COLOURS)
        assert boxes, f"{name}: no visible book table"
        for box in boxes:
            assert rgb(box["box"])[:3] == rgb(box["page"])[:3], (
                f"{name} ({scheme}): table box {box['box']} on {box['page']}"
            )
            faint = {c for c in box["cells"] if css_contrast(c, box["box"]) < MIN_CONTRAST}
            assert not faint, f"{name} ({scheme}): table text {faint} on {box['box']}"
        index = next(i for i, b in enumerate(boxes) if b["wide"])
        element = page.locator("main .book-table-scroll:visible").nth(index)

        def cue():
            """How far the cue (the box's background images) changes the first column's left edge: the strip
            as shown less the same strip with the background images off."""
            shown = left_strip(page, element)
            element.evaluate("b => { b.dataset.cue = b.style.backgroundImage; b.style.backgroundImage = 'none'; }")
            bare = left_strip(page, element)
            element.evaluate("b => { b.style.backgroundImage = b.dataset.cue; }")
            return int(np.abs(shown - bare).max())

        assert cue() <= 12, f"{name} ({scheme}): a band over the first column of an unscrolled table"
        element.evaluate("b => { b.scrollLeft = (b.scrollWidth - b.clientWidth) / 2; }")
        page.wait_for_timeout(100)
        assert cue() > 12, f"{name} ({scheme}): no scroll cue once the table is scrolled"
    finally:
        page.close()


FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const s = getComputedStyle(el);
    const label = el.getAttribute('aria-label') || el.title || el.textContent || '';
    return {tag: el.tagName, label: label.trim().slice(0, 40),
            header: !!el.closest('.bd-header, .bd-header-article, .header-article-items'),
            outline: s.outlineStyle, width: parseFloat(s.outlineWidth), colour: s.outlineColor,
            shadow: s.boxShadow, page: getComputedStyle(document.body).backgroundColor};
}"""
HEADER_CONTROLS = """() => Array.from(document.querySelectorAll(
    '.bd-header :is(a, button), .bd-header-article :is(a, button)')).filter(el => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility === 'visible';
    }).length"""


@pytest.mark.parametrize("scheme", SCHEMES)
def test_tabbing_through_the_header_shows_where_the_focus_is(browser, server, scheme):
    """Tab through the page's header: every control that takes the focus shows a ring at least 2 px wide whose
    colour stands 3:1 against the page (WCAG 2.4.7 and 1.4.11), and every visible header control is reached."""
    page = visit_in(browser, server, "chapters/tier_definitions", scheme, viewport=DESKTOP)
    try:
        controls = page.evaluate(HEADER_CONTROLS)
        seen, faint = [], []
        for _ in range(60):
            page.keyboard.press("Tab")
            focus = page.evaluate(FOCUSED)
            if not focus:
                continue
            if focus["header"]:
                seen.append(focus["label"])
                ring = focus["outline"] != "none" and focus["width"] >= 2
                if not ring or css_contrast(focus["colour"], focus["page"]) < 3:
                    faint.append(focus)
            elif seen:
                break  # past the header
        assert len(seen) >= min(controls, 4), f"only {seen} of {controls} header controls took the focus"
        assert not faint, f"({scheme}) focus without a visible ring: {faint}"
    finally:
        page.close()


def test_no_glue_call_is_shown_on_any_page(site):
    """Plumbing stays off the page: no code cell of any page, shown or folded, holds a glue() call (glue cells are
    removed with the remove-input tag)."""
    from bs4 import BeautifulSoup

    shown = {}
    for name in toc_pages():
        page = BeautifulSoup((site / f"{name}.html").read_text(encoding="utf-8"), "html.parser")
        cells = [c for c in page.select("main div.cell_input") if "glue(" in c.get_text()]
        if cells:
            shown[name] = len(cells)
    assert not shown, f"code cells with glue() calls: {shown}"


LONG_TEXT_WIDTHS = """() => Array.from(document.querySelectorAll('main td.book-long')).filter(td => td.offsetParent)
    .map(td => td.getBoundingClientRect().width)"""


@pytest.mark.parametrize("name", ["chapters/tier_definitions", "chapters/evidence_base"])
def test_long_text_columns_wrap_into_readable_lines_on_a_phone(browser, server, name):
    """A column of long text (a quote, a description) is given room on a phone: at least 12 rem (192 px) wide, so
    it reads as lines of several words rather than an empty-looking strip of one word per line."""
    page = visit_in(browser, server, name, "light")
    try:
        page.evaluate("() => document.querySelectorAll('details.book-fold').forEach(d => { d.open = true; })")
        widths = page.evaluate(LONG_TEXT_WIDTHS)
        assert widths, f"{name}: no long text column shown"
        assert min(widths) >= 190, f"{name}: a long text column {min(widths):.0f}px wide on a phone"
    finally:
        page.close()
