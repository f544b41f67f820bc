import numpy as np
import pandas as pd
import pytest
from bs4 import BeautifulSoup

from influencer_roi.tables import Column, fold, show


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
        ("p-value", None, 0.001, "0.001"),
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
