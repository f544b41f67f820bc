"""The whole book as a PDF (tools/build_pdf.py, run by `make site-pdf` before these checks): it is in the site where
the downloads page links it, it holds every chapter's title, and on the printed page no table or code block is
wider than the printable area."""

import json
import re
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
from build_pdf import PDF_NAME, PRINTABLE_WIDTH_PX  # noqa: E402


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


@pytest.fixture(scope="module")
def pdf(site) -> Path:
    path = site / PDF_NAME
    assert path.is_file(), f"{PDF_NAME} is not in the site: run make site-pdf"
    return path


def test_the_pdf_holds_every_chapter_title(pdf):
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    assert len(reader.pages) > 20, f"the PDF has only {len(reader.pages)} pages"
    text = squeeze(" ".join(page.extract_text() or "" for page in reader.pages))
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
        page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
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
