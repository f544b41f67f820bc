"""No injection through the reports (issue 28): a value from the user's file (a platform, a brand, an id, a column
header, the file's own name) reaches report.html and the SVG figure as text, never as markup; every report forbids
scripts with a Content-Security-Policy; a CSV the tool writes holds no cell a spreadsheet would run as a formula;
and no line the command says is longer than 500 characters, whatever the file holds."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib
import pandas as pd
import pytest
from bs4 import BeautifulSoup
from commandline import run, scratch
from hypothesis import given, settings
from hypothesis import strategies as st

from influencer_roi import cli, plots, report, simulate, templates
from influencer_roi.evidence import evidence_dir

matplotlib.use("Agg")

SCRIPT = "<script>alert(1)</script>"
IMAGE = '"><img src=x onerror=alert(1)>'
TEMPLATE = "{{7*7}}"
HOSTILE = (SCRIPT, IMAGE, TEMPLATE)
# The file's own name: a name cannot hold "/", so the <img> payload stands for the markup
HOSTILE_NAME = IMAGE + TEMPLATE + ".csv"


def hostile(values: pd.Series, with_id: bool = False) -> pd.Series:
    """Each value replaced by one of the hostile strings, in turn (with_id: followed by the value, so that ids stay
    distinct)."""
    codes = pd.factorize(values)[0]
    return pd.Series([HOSTILE[c % len(HOSTILE)] + (f" {v}" if with_id else "") for c, v in zip(codes, values)])


def campaigns() -> pd.DataFrame:
    frame = simulate.simulate(200, seed=3)
    for column in ("campaign_id", "influencer_id"):
        frame[column] = hostile(frame[column], with_id=True)
    for column in ("brand", "platform", "niche"):
        frame[column] = hostile(frame[column])
    return frame


def posts() -> pd.DataFrame:
    frame = simulate.simulate_posts(60, seed=3)
    frame["account_id"] = hostile(frame["account_id"], with_id=True)
    frame["platform"] = hostile(frame["account_id"].str[-1])  # several platforms: the report lists them
    return frame


@pytest.fixture(scope="module")
def reports() -> dict[str, dict[str, str]]:
    """Each report (analyze, engagement, allocate --campaigns) made from a file whose every text field is hostile,
    named hostilely, with a header mapped by --column from a hostile header: {command: {file name: text}}."""
    made = {}
    with scratch() as folder:
        table = campaigns().rename(columns={"followers": SCRIPT})
        table.to_csv(folder / HOSTILE_NAME, index=False)
        posts().to_csv(folder / ("posts" + HOSTILE_NAME), index=False)
        runs = {
            "analyze": ["analyze", HOSTILE_NAME, "--column", f"followers={SCRIPT}", "--out", "a"],
            "engagement": ["engagement", "posts" + HOSTILE_NAME, "--out", "e"],
            "allocate": ["allocate", "--budget", "50000", "--draws", "200", "--campaigns", HOSTILE_NAME]
            + ["--column", f"followers={SCRIPT}", "--out", "l"],
        }
        for name, argv in runs.items():
            code, _, err = run(argv)
            assert code == 0, err
            out = folder / argv[-1]
            made[name] = {p.name: p.read_text(encoding="utf-8") for p in out.iterdir() if p.suffix in (".html", ".svg")}
    return made


def assert_inert(text: str) -> BeautifulSoup:
    """No hostile markup came through as markup: not in the source, no script element, no element with an
    onerror attribute, no img element."""
    for payload in (SCRIPT, "<img src=x"):
        assert payload not in text
    soup = BeautifulSoup(text, "html.parser")
    assert soup.find("script") is None
    assert soup.find(attrs={"onerror": True}) is None and soup.find("img") is None
    return soup


def assert_inert_svg(svg: str) -> list[str]:
    """The SVG is XML that parses, with no script element and no event attribute in it; returns its texts."""
    for payload in (SCRIPT, "<img src=x"):
        assert payload not in svg
    texts = []
    for element in ET.fromstring(svg.encode("utf-8")).iter():
        assert element.tag.rpartition("}")[2] not in ("script", "foreignObject")
        assert not any(name.rpartition("}")[2].startswith("on") for name in element.attrib)
        if element.tag.rpartition("}")[2] == "text":
            texts.append("".join(element.itertext()))
    return texts


def csp(soup: BeautifulSoup) -> str:
    meta = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})
    assert meta is not None, "no Content-Security-Policy"
    return meta["content"]


@pytest.mark.parametrize("command", ["analyze", "engagement", "allocate"])
def test_a_hostile_file_reaches_the_report_as_text_and_scripts_are_forbidden(reports, command):
    files = dict(reports[command])
    page = files.pop("report.html")
    soup = assert_inert(page)
    policy = csp(soup)
    assert "default-src 'none'" in policy and "script-src" not in policy and "'unsafe-eval'" not in policy
    text = soup.get_text()
    # the file's name is shown, as text, in the title, the body and the footer (and never rendered as a template)
    assert HOSTILE_NAME.removesuffix(".csv") in soup.title.get_text() or command == "allocate"
    assert soup.footer.find("code").get_text().endswith(HOSTILE_NAME)
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and TEMPLATE in text  # {{7*7}} as written, not 49
    for svg in files.values():  # the figure, as its own file
        assert_inert_svg(svg)


def test_the_engagement_report_lists_hostile_platforms_as_text(reports):
    page = reports["engagement"]["report.html"]
    soup = assert_inert(page)
    sentence = next(p.get_text() for p in soup.find_all("p") if "Platform levels" in p.get_text())
    assert f"Platform levels ({', '.join(sorted(HOSTILE))}) are controlled for." in " ".join(sentence.split())
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_matplotlib_writes_user_text_into_the_svg_escaped():
    """The figure is inserted into the page as it is (templates.figure): that is safe only because matplotlib's SVG
    backend escapes every text it writes, labels and legend entries included."""
    plots.set_style()
    fig, ax = matplotlib.pyplot.subplots()
    for payload in HOSTILE + ("--><script>alert(2)</script><!--",):
        ax.plot([1, 2], [1, 2], label=payload)
    ax.legend()
    ax.set_title(SCRIPT)
    ax.set_xlabel(IMAGE)
    svg = report.svg_file(fig, "x.svg", {})
    texts = assert_inert_svg(svg)
    assert "alert(2)</script>" not in svg
    assert SCRIPT in texts and IMAGE in texts and TEMPLATE in texts  # drawn as the text it is


def test_tables_are_escaped_by_pandas_even_if_asked_not_to():
    frame = pd.DataFrame({SCRIPT: [IMAGE], "b": [1.5]})
    html = str(templates.table(frame, index=False, escape=False))
    assert_inert(html)
    assert "&lt;script&gt;" in html


# ---- Property: any text in a field the report shows leaves the page's structure as it is


def page_shape(page: str) -> list[tuple[str, tuple[str, ...]]]:
    """The page's elements and their attribute names, in order, outside the figure (whose SVG is the same)."""
    soup = BeautifulSoup(page, "html.parser")
    for svg in soup.find_all("svg"):
        svg.decompose()
    return [(e.name, tuple(sorted(e.attrs))) for e in soup.find_all(True)]


FRAGMENTS = st.sampled_from(
    ["<", ">", '"', "'", "&", "&amp;", "<script>", "</script>", "</p>", "<!--", "-->", "{{", "}}", "{%", "%}",
     "onerror=", "javascript:", "<svg onload=alert(1)>", "]]>", "\\", " "]
)  # fmt: skip
HOSTILE_TEXT = st.lists(
    st.one_of(FRAGMENTS, st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=5)),
    min_size=1,
    max_size=8,
).map("".join)


@pytest.fixture(scope="module")
def engagement_page():
    """A real engagement record and figure, with its strings replaceable (render_engagement_html)."""
    with scratch() as folder:
        posts().assign(account_id=lambda f: f["account_id"].str[-3:], platform="a").to_csv("p.csv", index=False)
        code, _, err = run(["engagement", "p.csv", "--out", "o"])
        assert code == 0, err
        record = json.loads((folder / "o" / "results.json").read_text())
        svg = (folder / "o" / "engagement_fit.svg").read_text()
    fits = pd.DataFrame(record["models"])
    return record, svg, fits


@settings(max_examples=60, derandomize=True, database=None, deadline=None)
@given(platforms=st.lists(HOSTILE_TEXT, min_size=2, max_size=4, unique=True), name=HOSTILE_TEXT, note=HOSTILE_TEXT)
def test_any_text_in_a_field_is_shown_as_itself_and_changes_no_element(engagement_page, platforms, name, note):
    record, svg, fits = engagement_page
    benign = {**record, "platform_levels": ["a", "b"], "input": "posts.csv", "notes": ["note"]}
    benign["run"] = {**record["run"], "input": "posts.csv"}
    changed = {**benign, "platform_levels": platforms, "input": name, "notes": [note]}
    changed["run"] = {**benign["run"], "input": name}
    page = report.render_engagement_html(changed, svg, fits)
    assert page_shape(page) == page_shape(report.render_engagement_html(benign, svg, fits))
    soup = BeautifulSoup(page, "html.parser")
    assert soup.title.get_text() == f"influencer-roi engagement: {name}"
    assert soup.footer.find("code").get_text() == name
    assert f"Platform levels ({', '.join(platforms)}) are controlled for." in soup.get_text()
    assert note in [li.get_text() for li in soup.find_all("li")]


# ---- CSV files: no formulas


@given(
    st.lists(st.one_of(HOSTILE_TEXT, st.sampled_from(["=1+1", "+A1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])), min_size=1)
)
@settings(max_examples=100, derandomize=True, database=None, deadline=None)
def test_a_text_cell_a_spreadsheet_would_run_gets_a_quote_and_numbers_stay_numbers(cells):
    frame = pd.DataFrame({"text": cells, "number": [-1.5] * len(cells)})
    safe = cli.spreadsheet_safe(frame)
    assert safe["number"].tolist() == frame["number"].tolist()
    for before, after in zip(cells, safe["text"]):
        if before.startswith(cli.FORMULA_STARTS) and not re.fullmatch(cli.PLAIN_NUMBER, before):
            assert after == "'" + before
        else:
            assert after == before


def test_text_that_is_a_plain_number_is_left_as_it_is():
    frame = pd.DataFrame({"mixed": ["-0.385", "+2", "-1e-3", "-0.4 to -0.3", "=1", None, 3]})
    assert cli.spreadsheet_safe(frame)["mixed"].tolist() == ["-0.385", "+2", "-1e-3", "'-0.4 to -0.3", "'=1", None, 3]


def test_the_audit_csv_neutralises_formulas_from_the_ledger(tmp_path):
    folder = tmp_path / "evidence"
    shutil.copytree(evidence_dir(), folder)
    checks = folder / "audit_checks.csv"
    table = pd.read_csv(checks, dtype=str, keep_default_na=False)
    table.loc[0, "explanation"] = '=HYPERLINK("http://example.com","click")'
    table.to_csv(checks, index=False)
    code, _, err = run(["audit", "--evidence", str(folder), "--out", str(tmp_path / "audit.csv")])
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO((tmp_path / "audit.csv").read_text(encoding="utf-8"))))
    assert rows[0]["explanation"] == "'" + table.loc[0, "explanation"]
    for row in rows:
        for value in row.values():
            assert not value.startswith(cli.FORMULA_STARTS) or value.lstrip("+-").replace(".", "", 1).isdigit()


# ---- Messages: at most 500 characters a line


def said(argv: list[str]) -> str:
    code, out, err = run(argv)
    assert code == 2
    for line in (out + err).splitlines():
        assert len(line) <= cli.MAX_LINE, line[:100]
    return err


def test_a_header_of_30000_characters_is_named_shortened():
    # (a first line longer than the 64 KiB the delimiter is looked for in is refused as no header: test_bounds.py)
    with scratch():
        header = "x" * 30_000
        Path("wide.csv").write_text(f"followers,cost,{header}\n1000,10,20\n", encoding="utf-8")
        err = said(["analyze", "wide.csv", "--out", "o"])
        assert "missing required column(s)" in err and "xxx…" in err and len(err) < 1_000
        err = said(["analyze", "wide.csv", "--column", f"revenue={header}y", "--out", "o"])
        assert "…" in err
        Path("twins.csv").write_text(f"{header},{header}\n1,2\n", encoding="utf-8")
        err = said(["engagement", "twins.csv", "--column", f"account_id={header}", "--out", "o"])
        assert "…" in err


def test_a_header_of_100000_characters_is_refused_in_a_short_message():
    with scratch():
        Path("wide.csv").write_text(f"followers,cost,{'x' * 100_000}\n1000,10,20\n", encoding="utf-8")
        err = said(["analyze", "wide.csv", "--out", "o"])
        assert "wide.csv, line 1" in err and "header" in err and len(err) < 500


def test_a_huge_cell_is_named_shortened():
    frame = simulate.simulate(40, seed=1)[["influencer_id", "followers", "cost", "revenue"]].astype(str)
    # 2,000 characters, well over a line: the number grammar takes quadratic time on a digit run (50,000 take minutes)
    frame.loc[3, "followers"] = "9" * 2_000 + "x"
    with scratch():
        frame.to_csv("huge.csv", index=False)
        err = said(["analyze", "huge.csv", "--out", "o"])
        assert "line 5, column followers: value '999" in err and "…" in err
        err = said(["analyze", "huge.csv", "--out", "o", "--drop-invalid", "--max-drop-share", "0"])
        assert "…" in err


def test_a_long_path_is_cut_in_the_message():
    err = said(["analyze", "/".join(["n" * 200] * 15) + ".csv", "--out", "o"])
    assert err.rstrip().endswith("…") and len(err.rstrip()) == cli.MAX_LINE
