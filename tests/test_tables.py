import math

import numpy as np
import pandas as pd
import pytest
from bs4 import BeautifulSoup
from hypothesis import given
from hypothesis import strategies as st

from influencer_roi.display import LEDGER_PAGE, display_text, readable, significant
from influencer_roi.formats import fmt_p_value, fmt_whole
from influencer_roi.labels import LABELS
from influencer_roi.tables import SNAKE_CASE, Column, fold, show


def cells(html_object):
    page = BeautifulSoup(html_object.data, "html.parser")
    return (
        [th.get_text() for th in page.find_all("th")],
        [[td.get_text() for td in tr.find_all("td")] for tr in page.find("tbody").find_all("tr")],
    )


@pytest.mark.parametrize(
    "kind, digits, value, shown",
    [
        ("integer", None, 1234567.4, "1,234,567"),
        ("integer", None, -1500, "−1,500"),
        ("number", None, 1234.5678, "1,234.57"),
        ("number", 1, 0.25, "0.2"),
        ("percent", None, 0.456, "46%"),
        ("percent", 1, 0.4567, "45.7%"),
        ("currency", None, 12500, "$12,500"),
        ("currency", 2, -3.5, "−$3.50"),
        ("p-value", None, 0.0004, "< 0.001"),
        ("p-value", None, 0.0123, "0.012"),
        ("p-value", None, 0.001, "0.0010"),
        ("p-value", None, 0.5, "0.50"),
        ("p-value", None, 3e-43, "< 0.001"),
        ("ratio", None, 2.5, "2.50×"),
        ("integer", None, float("inf"), "∞"),
        ("text", None, "nano", "nano"),
    ],
)
def test_each_kind_formats_its_values(kind, digits, value, shown):
    assert Column("Value", kind, digits=digits).format(value) == shown


@pytest.mark.parametrize("missing", [None, np.nan, pd.NA, pd.NaT])
def test_missing_values_are_blank(missing):
    assert Column("Value", "number").format(missing) == ""
    assert Column("Value", "text").format(missing) == ""


def test_show_formats_selected_columns_in_order_with_readable_headers():
    frame = pd.DataFrame(
        {"tier": ["nano", "mega"], "median_followers": [5_000, 2_500_000], "roi": [3.2, np.nan], "unused": [1, 2]}
    )
    headers, rows = cells(
        show(
            frame,
            {
                "median_followers": Column("Median", "integer", unit="followers"),
                "tier": Column("Tier"),
                "roi": Column("ROI", "ratio", digits=1),
            },
        )
    )
    assert headers == ["Median (followers)", "Tier", "ROI"]
    assert rows == [["5,000", "nano", "3.2×"], ["2,500,000", "mega", ""]]


def test_show_escapes_text_and_is_stable():
    frame = pd.DataFrame({"quote": ["<b>10k–100k</b> & up"]})
    first = show(frame, {"quote": Column("Quote")}).data
    assert "&lt;b&gt;" in first and "<b>" not in first
    assert first == show(frame.copy(), {"quote": Column("Quote")}).data  # same bytes for nbval


def test_show_wraps_the_table_for_the_phone_scroll_cue():
    page = BeautifulSoup(show(pd.DataFrame({"a": [1]}), {"a": Column("A", "integer")}).data, "html.parser")
    assert page.select_one("div.book-table-scroll > table.book-table")
    assert page.select_one("td.book-number") and page.select_one("th.book-number")


@pytest.mark.parametrize("label", ["median_followers", "", "  "])
def test_unreadable_labels_are_refused(label):
    with pytest.raises(ValueError, match="not readable"):
        Column(label)


def test_unknown_kind_and_missing_column_are_refused():
    with pytest.raises(ValueError, match="kind must be one of"):
        Column("Value", "percentage")
    with pytest.raises(KeyError, match="no such column to show: 'cost'"):
        show(pd.DataFrame({"a": [1]}), {"cost": Column("Cost", "currency")})


def test_fold_summarises_each_group_and_folds_its_rows():
    frame = pd.DataFrame({"verdict": ["fail", "pass", "fail"], "claim": ["a", "b", "c"], "ratio": [1.0, 2.0, 3.0]})
    columns = {"claim": Column("Claim"), "ratio": Column("Ratio", "ratio", digits=1)}
    page = BeautifulSoup(fold(frame, "verdict", columns, order=["pass", "fail", "unclear"]).data, "html.parser")
    folds = page.find_all("details")
    assert [d.summary.get_text() for d in folds] == ["pass: 1 row", "fail: 2 rows"]  # empty groups left out
    assert [[td.get_text() for td in tr.find_all("td")] for tr in folds[1].tbody.find_all("tr")] == [
        ["a", "1.0×"],
        ["c", "3.0×"],
    ]
    with pytest.raises(ValueError, match="missing from order"):
        fold(frame, "verdict", columns, order=["pass"])


# ---- one formatter: codes by their labels, ledger ids linked, true minus signs, no exponents


def test_codes_in_text_cells_show_their_labels_and_data_keeps_them():
    frame = pd.DataFrame({"model": ["gamma_glm", "ols_log_roas"], "term": ["nano_vs_macro", "log_followers_q90"]})
    _, rows = cells(show(frame, {"model": Column("Model"), "term": Column("Term")}))
    assert rows == [
        ["Gamma GLM", "nano vs macro"],
        ["OLS on log return per dollar (HC3)", "log followers (90th percentile)"],
    ]
    assert frame["model"].tolist() == ["gamma_glm", "ols_log_roas"]  # display only


def test_ledger_ids_link_to_their_rows_of_the_ledger():
    frame = pd.DataFrame({"claim": ["A001_05", "L12, L13", "A001_05 says"]})
    page = BeautifulSoup(show(frame, {"claim": Column("Claim")}).data, "html.parser")
    links = [a["href"] for a in page.find_all("a")]
    assert links == [f"{LEDGER_PAGE}#claim-a001-05", f"{LEDGER_PAGE}#claim-l12", f"{LEDGER_PAGE}#claim-l13"]
    ledger = BeautifulSoup(show(frame.head(1), {"claim": Column("Claim", anchor=True)}).data, "html.parser")
    assert ledger.find(id="claim-a001-05") and not ledger.find("a")


def test_model_terms_of_codes_read_as_words():
    assert display_text("engagement_rate:level") == "engagement rate, level"
    assert display_text("engagement_rate:platform[tiktok]") == "engagement rate, platform tiktok"
    assert display_text("Note: see below") == "Note: see below"


def test_text_numbers_get_true_minus_signs_but_ranges_and_dates_keep_hyphens():
    assert display_text("-0.44 to -0.08") == "−0.44 to −0.08"
    assert display_text("10k-100k") == "10k-100k"
    assert display_text("2024-05-01") == "2024-05-01"


def test_code_kind_is_literal():
    frame = pd.DataFrame({"name": ["influencer_id"], "forms": ["1.2e6, -3"]})
    page = BeautifulSoup(
        show(frame, {"name": Column("Column", "code"), "forms": Column("Forms", "code")}).data, "html.parser"
    )
    assert [c.get_text() for c in page.find_all("code")] == ["influencer_id", "1.2e6, -3"]
    sentence = show(pd.DataFrame({"m": ["repeats `campaign_id`"]}), {"m": Column("M")})
    sentence = BeautifulSoup(sentence.data, "html.parser")
    assert sentence.find("code").get_text() == "campaign_id"


@given(st.from_regex(r"[a-z]{1,8}(_[a-z0-9]{1,8}){1,4}", fullmatch=True))
def test_no_code_reaches_the_reader(code):
    shown = display_text(code)
    assert not SNAKE_CASE.search(shown), f"{code!r} shows as {shown!r}"


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15))
def test_numbers_never_show_an_exponent_or_a_hyphen_minus(x):
    for text in (significant(x), Column("V", "number").format(x), fmt_p_value(abs(x) / 1e15)):
        assert "e" not in text.lower() and "-" not in text, text


def test_every_code_the_package_produces_has_a_label_of_its_own():
    """labels.label() makes any code readable, but a made-up label ("sd er") is no better than the code: every
    metric, model, term, tidy column and simulation parameter the package produces has an entry."""
    import dataclasses

    from influencer_roi import evidence, models, simulate
    from influencer_roi.paths import data_dir
    from influencer_roi.schema import load_campaigns

    fits = models.fit_all(load_campaigns(data_dir() / "synthetic" / "campaigns.csv"))
    bare = {t.rsplit("_q", 1)[0] if t.rsplit("_q", 1)[-1].isdigit() else t for t in fits["term"]}
    ledger = evidence.load_ledger()
    codes = (
        set(ledger["metrics"]["metric"])
        | {u for u in ledger["claims"]["unit"] if "_" in u}
        | set(fits["model"])
        | {t for t in bare if "_vs_" not in t}
        | set(fits.columns)
        | {f.name for f in dataclasses.fields(simulate.Params)}
    )
    missing = sorted(c for c in codes if c not in LABELS)
    assert not missing, f"codes without a label in influencer_roi.labels: {missing}"


def test_readable_turns_a_tidy_table_into_what_a_reader_reads():
    fits = pd.DataFrame(
        {
            "model": ["ppml", "tier_contrasts"],
            "term": ["log_followers", "nano_vs_mega"],
            "estimate": [-0.2571, 12.5],
            "p_value": [3e-43, 0.0456],
            "converged": [True, None],
        }
    )
    shown = readable(fits)
    assert list(shown.columns) == ["Model", "Term", "Estimate", "P", "Converged"]
    assert shown.to_dict("list") == {
        "Model": ["PPML", "tier contrasts"],
        "Term": ["log followers", "nano vs mega"],
        "Estimate": ["−0.2571", "12.50"],
        "P": ["< 0.001", "0.046"],
        "Converged": ["yes", ""],
    }


def test_fold_counts_in_words():
    frame = pd.DataFrame({"kind": ["a", "b", "b"], "x": [1, 2, 3]})
    page = BeautifulSoup(fold(frame, by="kind", columns={"x": Column("X", "integer")}).data, "html.parser")
    assert [s.get_text() for s in page.find_all("summary")] == ["a: 1 row", "b: 2 rows"]


@given(value=st.floats(min_value=-1e12, max_value=1e12, allow_nan=False), digits=st.integers(1, 6))
def test_a_whole_rounded_amount_keeps_its_significant_digits(value, digits):
    """fmt_whole: a whole number within half a unit of its last kept significant digit (or of 1, for small values)."""
    shown = int(fmt_whole(value, digits).replace(",", ""))
    unit = max(10 ** (math.floor(math.log10(abs(value))) - digits + 1), 1) if value else 1
    assert abs(shown - value) <= unit / 2 + 1e-9 * abs(value), (value, digits, shown)


@given(value=st.floats(min_value=-1e12, max_value=1e12, allow_nan=False))
def test_a_simulated_amount_in_a_table_reads_as_in_prose(value):
    """Column(..., significant=4) shows a simulated amount as fmt_whole does in prose: one value per quantity on a
    page, whether the reader meets it in a sentence or in a table."""
    cell = Column("Expected margin", "currency", significant=4).format(value)
    prose = fmt_whole(value)
    assert cell.replace("$", "").replace("−", "-") == ("0" if prose in ("0", "-0") else prose)
