"""Checks on the built site: every page in the table of contents is there, every internal link and image
resolves, every image has alt text, and no page reports a failed execution. Run by `make site-check`."""

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[2]


def pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if "_static" not in p.parts)


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def toc_pages() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    return [toc["root"]] + [c["file"] for part in toc.get("parts", []) for c in part.get("chapters", [])]


def local_target(page: Path, ref: str, site: Path) -> tuple[Path, str] | None:
    parts = urlsplit(ref)
    if parts.scheme or parts.netloc or ref.startswith(("mailto:", "javascript:", "data:")):
        return None
    if not parts.path:
        target = page
    elif parts.path.startswith("/"):  # absolute from the site's root: the 404 page's links (notfound_urls_prefix "/")
        target = (site / unquote(parts.path).lstrip("/")).resolve()
    else:
        target = (page.parent / unquote(parts.path)).resolve()
    return target, parts.fragment


def test_every_toc_page_is_built(site):
    for name in toc_pages():
        assert (site / f"{name}.html").is_file(), f"{name} is in _toc.yml but was not built"


def test_the_404_page_is_built(site):
    page = soup(site / "404.html")
    assert page.find("h1", string="Page not found"), "404.html has no 'Page not found' heading"


@pytest.mark.parametrize("name", toc_pages())
def test_every_page_has_a_description_and_og_metadata(site, name):
    page = soup(site / f"{name}.html")
    meta = {m.get("property") or m.get("name"): m.get("content", "") for m in page.find_all("meta")}
    for key in ("description", "og:title", "og:description", "og:site_name"):
        assert meta.get(key, "").strip(), f"{name} has no {key} meta tag"


def test_how_to_cite_names_the_version(site):
    from importlib.metadata import version

    quote = soup(site / "intro.html").find("blockquote")
    assert quote is not None and f"version {version('influencer-roi')}." in " ".join(quote.get_text().split())


@pytest.mark.parametrize("name", toc_pages())
def test_every_page_shows_the_version_and_the_licences(site, name):
    from importlib.metadata import version

    footer = soup(site / f"{name}.html").find(class_="book-footer")
    assert footer is not None, f"{name} has no book footer"
    text = " ".join(footer.get_text().split())
    assert f"Version {version('influencer-roi')}." in text
    assert "CC BY 4.0" in text and "MIT" in text
    repository = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["repository"]["url"]
    assert footer.find("a", href=repository), f"{name}: the footer does not link the repository {repository}"


# Pages with tables: every chapter. Each of their tables goes through influencer_roi.tables (class book-table); the
# other pages have none, and a test says so, so that a new table cannot escape these checks.
TABLE_PAGES = sorted(f"chapters/{p.stem}" for p in (ROOT / "chapters").glob("*.ipynb"))
RAW_MISSING = {"nan", "NaN", "<NA>", "None", "NaT"}
SNAKE_CASE = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")


@pytest.mark.parametrize("name", TABLE_PAGES)
def test_tables_show_no_raw_missing_values_or_snake_case_headers(site, name):
    tables = soup(site / f"{name}.html").select("main table")
    assert tables, f"{name} has no tables"
    problems = []
    for number, table in enumerate(tables, start=1):
        if "book-table" not in table.get("class", []):
            problems.append(f"table {number} is not drawn by influencer_roi.tables (classes {table.get('class')})")
        for th in table.find_all("th"):
            if SNAKE_CASE.match(th.get_text(strip=True)) or not th.get_text(strip=True):
                problems.append(f"table {number}: header {th.get_text(strip=True)!r} is snake_case or empty")
        for td in table.find_all("td"):
            if td.get_text(strip=True) in RAW_MISSING:
                problems.append(f"table {number}: a cell shows {td.get_text(strip=True)!r}")
    assert not problems, f"{name}:\n" + "\n".join(problems)


# Any code or exponent anywhere in a cell: "nano_vs_macro", "gamma_glm", "3e-43". The one exception is literal
# text a reader types (a column name of their file, an input form such as "1.2e6"), which influencer_roi.tables
# shows as <code> (kind "code") and which is left out here.
CODE_TOKEN = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")
EXPONENT = re.compile(r"\d[eE][-+−]?\d")


@pytest.mark.parametrize("name", TABLE_PAGES)
def test_table_cells_show_no_code_or_exponent(site, name):
    problems = []
    for number, table in enumerate(soup(site / f"{name}.html").select("main table"), start=1):
        for cell in table.find_all(["th", "td"]):
            for literal in cell.find_all("code"):
                literal.extract()
            text = cell.get_text(" ", strip=True)
            problems += [f"table {number}: {token!r} in {text[:60]!r}" for token in CODE_TOKEN.findall(text)]
            if EXPONENT.search(text):
                problems.append(f"table {number}: an exponent in {text[:60]!r}")
    assert not problems, f"{name}:\n" + "\n".join(sorted(set(problems))[:30])


@pytest.mark.parametrize("name", [n for n in toc_pages() if n not in TABLE_PAGES])
def test_pages_outside_the_table_list_have_no_tables(site, name):
    assert not soup(site / f"{name}.html").select("main table"), f"{name} has a table: add it to TABLE_PAGES"


LONG = 15


def test_long_tables_are_folded(site):
    # a table of more than LONG rows shows a summary first: its rows sit in <details> (tables.fold)
    long = []
    for name in TABLE_PAGES:
        for table in soup(site / f"{name}.html").select("main table.book-table"):
            rows = len(table.select("tbody tr"))
            if rows > LONG and table.find_parent("details") is None:
                long.append(f"{name}: {rows} rows, not folded ({table.get_text(' ', strip=True)[:60]!r})")
    assert not long, "\n".join(long)


def test_internal_links_and_anchors_resolve(site):
    ids_cache: dict[Path, set[str]] = {}
    broken = []
    for page in pages(site):
        for tag in soup(page).find_all(["a", "link"], href=True):
            found = local_target(page, tag["href"], site)
            if found is None:
                continue
            target, fragment = found
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.relative_to(site)} -> {tag['href']}")
                continue
            if fragment and target.suffix == ".html":
                if target not in ids_cache:
                    ids_cache[target] = {t["id"] for t in soup(target).find_all(id=True)}
                if fragment not in ids_cache[target]:
                    broken.append(f"{page.relative_to(site)} -> {tag['href']} (no such anchor)")
    assert not broken, "broken links:\n" + "\n".join(broken)


def test_images_resolve_and_have_alt_text(site):
    problems = []
    for page in pages(site):
        for img in soup(page).find_all("img"):
            found = local_target(page, img.get("src", ""), site)
            if found is not None and not found[0].is_file():
                problems.append(f"{page.relative_to(site)}: missing image {img.get('src')}")
            if "logo" not in " ".join(img.get("class", [])) and not img.get("alt", "").strip():
                problems.append(f"{page.relative_to(site)}: image {img.get('src')} has no alt text")
    assert not problems, "\n".join(problems)


def test_no_execution_failure_is_reported(site):
    reports = site / "reports"
    assert not (reports.exists() and any(reports.iterdir())), f"execution reports found in {reports}"
    for page in pages(site):
        html = page.read_text(encoding="utf-8")
        assert "output traceback" not in html and "Traceback (most recent call last)" not in html, page.name


@pytest.mark.parametrize("name", sorted(f"chapters/{p.stem}" for p in (ROOT / "chapters").glob("*.ipynb")))
def test_glued_values_are_filled_in(site, name):
    # Every chapter states its numbers through glue; each pasted value must have rendered to some text.
    page = soup(site / f"{name}.html")
    pasted = page.find_all(class_="pasted-text")
    assert pasted, "no glued values on the page"
    assert all(span.get_text(strip=True) for span in pasted)
