"""The whole book as one PDF: a single-page build (Sphinx's singlehtml builder) from the committed outputs, printed
by Debian's Chromium through Playwright (as the browser tests drive it; nothing downloads a browser).

    python tools/build_pdf.py --site _build/html     # what `make pdf` runs: writes _build/html/does-smaller-pay.pdf

The single page is built with execution off (like `make site-build`: the chapters' committed outputs, which
strict nbval checks), into --work; the print stylesheet (`_static/print.css`) hides the navigation and the code the
site folds away, keeps each figure with its caption on one page, and wraps code and wide tables to the page. The
PDF is tagged (structure for screen readers), has a bookmark outline by chapter and section, page numbers, and the
book's title and author (from _config.yml) in its document information. The PDF goes into the site folder, and only
then does the downloads page link it (link_pdf): a site built without `make pdf` names the file without a dead link.
Exit status is the build's, or 1 if printing fails.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_book  # noqa: E402

PDF_NAME = "does-smaller-pay.pdf"
# downloads.md names the PDF in this element; link_pdf makes it a link once the PDF is there.
PDF_MARK = f'<span class="pdf-download">{PDF_NAME}</span>'
PDF_LINK = f'<a class="pdf-download reference download" href="{PDF_NAME}">{PDF_NAME}</a>'
# A4 with 15 mm margins: the printable area is 180 mm wide, 680 CSS pixels (96 per inch). tests/site/test_pdf.py
# checks tables and code against the same width.
PAGE = {"format": "A4", "margin": {"top": "15mm", "bottom": "15mm", "left": "15mm", "right": "15mm"}}
PRINTABLE_WIDTH_PX = 680
OPEN_FOLDS = "() => document.querySelectorAll('details.book-fold').forEach(d => { d.open = true; })"
SUBJECT = "Do micro- and nano-influencers return more per dollar than macro and mega ones?"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium() -> str:
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if not executable:
        raise SystemExit("build_pdf: chromium is not installed: run `make browser` (or: sudo apt-get install chromium)")
    return executable


def single_page(book: Path, work: Path) -> Path:
    """Build the single-page HTML from the committed outputs; return the page (the root document)."""
    built = work / "_build"
    shutil.rmtree(built, ignore_errors=True)
    status = build_book.build(book, work, build_book.render_only_config(book, built), builder="singlehtml")
    if status != 0:
        raise SystemExit(status)
    root = yaml.safe_load((book / "_toc.yml").read_text(encoding="utf-8"))["root"]
    return built / "singlehtml" / f"{root}.html"


def print_pdf(page_path: Path, pdf: Path, title: str = "", author: str = "") -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium(), headless=True, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": PRINTABLE_WIDTH_PX, "height": 1000})
            page.goto(page_path.resolve().as_uri(), wait_until="load")
            page.emulate_media(media="print")
            # folded tables (influencer_roi.tables.fold) are printed open; folded code stays folded (print.css)
            page.evaluate(OPEN_FOLDS)
            page.pdf(
                path=str(pdf),
                print_background=True,
                display_header_footer=True,
                header_template="<span></span>",
                footer_template='<div style="font-size:8px;width:100%;text-align:center">'
                '<span class="pageNumber"></span> / <span class="totalPages"></span></div>',
                outline=True,
                tagged=True,
                **PAGE,
            )
        finally:
            browser.close()
    describe(pdf, title, author)


def describe(pdf: Path, title: str, author: str) -> None:
    """Write the book's title and author into the PDF's document information (Chromium writes the page's <title>
    only), as an incremental update: Chromium's file, its outline and structure tree stay as they are, byte for
    byte, and a few hundred bytes are appended (rewriting the whole file doubled its size)."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter(io.BytesIO(pdf.read_bytes()), incremental=True)
    writer.add_metadata({"/Title": title, "/Author": author, "/Subject": SUBJECT})
    with open(pdf, "wb") as out:
        writer.write(out)


def book_metadata(book: Path) -> tuple[str, str]:
    config = yaml.safe_load((book / "_config.yml").read_text(encoding="utf-8"))
    return str(config["title"]), str(config["author"])


def link_pdf(site: Path) -> None:
    """Turn the downloads page's mention of the PDF into a link, now that the PDF is in `site`."""
    page = site / "downloads.html"
    html = page.read_text(encoding="utf-8")
    if PDF_LINK in html:
        return
    if PDF_MARK not in html:
        raise SystemExit(f"build_pdf: {page} does not name {PDF_NAME} as downloads.md should ({PDF_MARK})")
    page.write_text(html.replace(PDF_MARK, PDF_LINK), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--book", default=".", help="the book's folder (holds _config.yml)")
    parser.add_argument("--site", required=True, help="the built site's html folder: the PDF is written there")
    parser.add_argument("--work", default="_build/pdf", help="where the single-page build goes")
    args = parser.parse_args(argv)
    book = Path(args.book).resolve()
    site, work = (Path(p) if Path(p).is_absolute() else book / p for p in (args.site, args.work))
    if not (site / "index.html").is_file():
        raise SystemExit(f"build_pdf: no built site at {args.site}: build it first (make book or make site-build)")

    started = time.perf_counter()
    page = single_page(book, work)
    pdf = site / PDF_NAME
    print_pdf(page, pdf, *book_metadata(book))
    link_pdf(site)
    print(
        f"build_pdf: {pdf.relative_to(book) if pdf.is_relative_to(book) else pdf.name}, "
        f"{pdf.stat().st_size / 1e6:.1f} MB, in {time.perf_counter() - started:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
