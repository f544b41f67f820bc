"""The whole book as a PDF (tools/build_pdf.py, run by `make site-pdf` before these checks): it is in the site where
the downloads page links it, it holds every chapter's title, and on the printed page no table or code block is
wider than the printable area. It is a PDF a reader would send: a bookmark outline by chapter and section, tagged,
title and author, page numbers, no blank page, no folded code or its toggle, each figure on its caption's page."""

import json
import re
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
from build_pdf import OPEN_FOLDS, PDF_NAME, PRINTABLE_WIDTH_PX, book_metadata  # noqa: E402


def toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    return [toc["root"]] + [c["file"] for part in toc.get("parts", []) for c in part.get("chapters", [])]


def title(name: str) -> str:
    """The first level-one heading of a page of the book, from its source (Markdown file or notebook)."""
    md, nb = ROOT / f"{name}.md", ROOT / f"{name}.ipynb"
    if md.is_file():
        lines = md.read_text(encoding="utf-8").splitlines()
    else:
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        lines = [line for c in cells if c["cell_type"] == "markdown" for line in "".join(c["source"]).splitlines()]
    return next(line[2:].strip() for line in lines if line.startswith("# "))


def squeeze(text: str) -> str:
    """Compare text as letters only: PDF extraction breaks lines and spaces where the layout does."""
    text = text.translate(str.maketrans("“”‘’–—", "\"\"''--"))
    return re.sub(r"\s+", "", text).lower()


# One worker reads the PDF (make site-check runs --dist loadgroup), once: its text takes pypdf about fifteen seconds.
# The fixtures are the session's, not the module's: a worker may run other modules' checks between these, and a
# module fixture would then be made again.
pytestmark = pytest.mark.xdist_group("pdf")


@pytest.fixture(scope="session")
def pdf(site) -> Path:
    path = site / PDF_NAME
    assert path.is_file(), f"{PDF_NAME} is not in the site: run make site-pdf"
    return path


def test_the_pdf_holds_every_chapter_title(page_texts):
    assert len(page_texts) > 20, f"the PDF has only {len(page_texts)} pages"
    text = squeeze(" ".join(page_texts))
    missing = [title(name) for name in toc_files() if squeeze(title(name)) not in text]
    assert not missing, f"chapter titles missing from the PDF: {missing}"


def test_the_downloads_page_links_the_pdf(site):
    from bs4 import BeautifulSoup

    page = BeautifulSoup((site / "downloads.html").read_text(encoding="utf-8"), "html.parser")
    assert page.find("a", href=PDF_NAME), f"downloads.html does not link {PDF_NAME}"


def test_nothing_runs_past_the_printed_page(browser, single_page):
    """The single page that was printed, laid out for print at the printable width: every table and code block
    fits, and so does the page as a whole."""
    root = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))["root"]
    page = browser.new_page(viewport={"width": PRINTABLE_WIDTH_PX, "height": 1000})
    try:
        page.goto((single_page / f"{root}.html").resolve().as_uri(), wait_until="load")
        page.emulate_media(media="print")
        # as tools/build_pdf.py prints it: folded tables open
        page.evaluate(OPEN_FOLDS)
        report = page.evaluate(
            """(width) => {
            const wide = [];
            const all = Array.from(document.querySelectorAll('table, pre'));
            for (const el of all) {
                const r = el.getBoundingClientRect();
                if (r.width === 0) continue;  // not printed (display: none)
                if (r.right > width + 1 || r.left < -1 || el.scrollWidth > el.clientWidth + 1) {
                    wide.push(`${el.tagName.toLowerCase()} ${Math.round(r.width)}px (content ${el.scrollWidth}px): `
                              + el.textContent.trim().slice(0, 60));
                }
            }
            return {checked: all.length, wide, page: document.documentElement.scrollWidth};
        }""",
            PRINTABLE_WIDTH_PX,
        )
    finally:
        page.close()
    assert report["checked"] > 50, f"only {report['checked']} tables and code blocks found on the single page"
    assert not report["wide"], "cut at the margin when printed:\n" + "\n".join(report["wide"])
    assert report["page"] <= PRINTABLE_WIDTH_PX + 1, f"the printed page is {report['page']}px wide"


@pytest.fixture(scope="session")
def reader(pdf):
    from pypdf import PdfReader

    return PdfReader(pdf)


@pytest.fixture(scope="session")
def page_texts(reader) -> list[str]:
    return [page.extract_text() or "" for page in reader.pages]


def test_the_pdf_has_an_outline_by_chapter_and_section(reader):
    def walk(items, depth=0):
        for item in items:
            if isinstance(item, list):
                yield from walk(item, depth + 1)
            else:
                yield depth, item.title

    entries = list(walk(reader.outline))
    assert entries, "the PDF has no bookmark outline"
    titles = {squeeze(t) for _, t in entries}
    missing = [title(name) for name in toc_files() if squeeze(title(name)) not in titles]
    assert not missing, f"chapters missing from the outline: {missing}"
    assert max(depth for depth, _ in entries) >= 1, "the outline has chapters but no sections under them"


def test_the_pdf_is_tagged_and_says_what_it_is(reader):
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog, "the PDF is not tagged (no structure tree)"
    assert catalog.get("/MarkInfo", {}).get("/Marked"), "the PDF is not marked as tagged"
    book_title, author = book_metadata(ROOT)
    assert reader.metadata.title == book_title
    assert reader.metadata.author == author


def test_every_page_has_content_and_a_page_number(page_texts):
    total = len(page_texts)
    number = re.compile(r"(\d+) / (\d+)\s*$")
    empty, unnumbered = [], []
    for i, text in enumerate(page_texts, start=1):
        found = number.search(text.strip())
        if not found or (int(found[1]), int(found[2])) != (i, total):
            unnumbered.append(i)
        if len(number.sub("", text.strip()).strip()) < 20:
            empty.append(i)
    assert not empty, f"blank pages (nothing but the page number): {empty}"
    assert not unnumbered, f"pages without their number: {unnumbered[:10]}"


def test_no_folded_code_is_printed(page_texts, single_page):
    """Code the site folds away (hide-input cells) is not printed, nor its toggle."""
    toggles = [i for i, text in enumerate(page_texts, start=1) if "codecellsource" in squeeze(text)]
    assert not toggles, f"'Show/Hide code cell' printed on pages {toggles}"
    # the check can fail: the single page does fold code behind that toggle
    assert "Hide code cell source" in (single_page / "intro.html").read_text(encoding="utf-8")


def figures(single_page) -> list[tuple[str, str]]:
    """Each figure of the printed page: the start of its caption and the longest text its SVG draws (an axis label
    or a title), read from the single-page build."""
    from bs4 import BeautifulSoup

    root = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))["root"]
    page = BeautifulSoup((single_page / f"{root}.html").read_text(encoding="utf-8"), "html.parser")
    out = []
    for figure in page.select("figure"):
        img, caption = figure.find("img"), figure.find("figcaption")
        if not (img and caption and img.get("src", "").endswith(".svg")):
            continue
        svg = ElementTree.parse(single_page / img["src"]).getroot()
        texts = [" ".join("".join(t.itertext()).split()) for t in svg.iter() if str(t.tag).endswith("}text")]
        longest = max(texts, key=len, default="")
        if len(squeeze(longest)) >= 8:
            out.append((caption.get_text(" ", strip=True)[:60], longest))
    return out


def test_each_figure_is_on_the_page_of_its_caption(page_texts, single_page):
    pages = [squeeze(text) for text in page_texts]
    shown = figures(single_page)
    assert len(shown) > 15, f"only {len(shown)} figures with text found on the single page"
    apart = []
    for caption, drawn in shown:
        where = [i for i, text in enumerate(pages) if squeeze(caption) in text]
        if not where:
            apart.append(f"caption not found: {caption!r}")
        elif squeeze(drawn) not in pages[where[0]]:
            apart.append(f"page {where[0] + 1}: {caption!r} without its figure ({drawn!r})")
    assert not apart, "figures split from their captions:\n" + "\n".join(apart)
