"""Numbers as exported, generated (hypothesis): every count and amount of a campaign file written in one convention
(the dot or the comma as decimal mark, thousands separators or none, a currency symbol before or after), then read.
Each value is read as exactly the number intended, or refused with its line, column and value as written: never
silently read as another number. When the reader states the file's convention (--decimal, --thousands), every
value is read exactly."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from influencer_roi import schema, validation

PROFILE = settings(
    max_examples=150,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
CONVENTIONS = [(".", ","), (".", ""), (",", "."), (",", "")]
SYMBOLS = [("", ""), ("$", ""), ("€", ""), ("EUR ", ""), ("", " €"), ("", "€"), ("£", "")]


def written(units: int, scale: int, decimals: int, decimal: str, thousands: str, grouped: bool) -> str:
    """units / 10**scale written with `decimals` digits after the decimal mark (trailing zeros as needed; fewer
    only when the value ends in zeros), the whole part grouped by `thousands` if `grouped`."""
    scaled = units * 10 ** (decimals - scale) if decimals >= scale else units // 10 ** (scale - decimals)
    whole, fraction = divmod(scaled, 10**decimals)
    head = f"{whole:,}".replace(",", thousands) if grouped and thousands else str(whole)
    return head + (decimal + str(fraction).rjust(decimals, "0") if decimals else "")


@st.composite
def number(draw, scale: int, low: int, high: int, decimal: str, thousands: str) -> tuple[float, str]:
    """(intended value, as written): an integer number of 1/10**scale units, with as many decimals as the value
    allows, or one more (1.200 is 1.2 written with three)."""
    # whole amounts half the time: a file of them has no decimal to show its convention
    units = draw(st.integers(low, high) | st.integers(max(low, 1), high // 10**scale).map(lambda u: u * 10**scale))
    allowed = [d for d in range(0, scale + 2) if d >= scale or units % 10 ** (scale - d) == 0]
    decimals = draw(st.sampled_from(allowed))
    return units / 10**scale, written(units, scale, decimals, decimal, thousands, draw(st.booleans()))


@st.composite
def campaign_file(draw):
    decimal, thousands = draw(st.sampled_from(CONVENTIONS[:2] * 2 + CONVENTIONS))  # mostly the default's marks
    before, after = draw(st.sampled_from(SYMBOLS))
    n = draw(st.integers(1, 8))
    rows = []
    for _ in range(n):
        followers = draw(number(0, 1, 3_000_000_000, decimal, thousands))
        cost = draw(number(2, 1, 10**11, decimal, thousands))
        revenue = draw(number(2, 0, 10**11, decimal, thousands))
        rows.append((followers, (cost[0], before + cost[1] + after), (revenue[0], before + revenue[1] + after)))
    return decimal, thousands, rows


def write(path: Path, rows) -> pd.DataFrame:
    text = pd.DataFrame(
        {
            "influencer_id": [f"I{i}" for i in range(len(rows))],
            "followers": [r[0][1] for r in rows],
            "cost": [r[1][1] for r in rows],
            "revenue": [r[2][1] for r in rows],
        }
    )
    text.to_csv(path, index=False)
    return text


INTENDED = {"followers": 0, "cost": 1, "revenue": 2}
PROBLEM = re.compile(
    r"  (?P<file>[^,]+), line (?P<line>\d+), column (?P<column>\w+): value (?P<value>'.*'|blank) breaks rule"
)


def assert_refusal_names_what_was_written(message: str, path: Path, text: pd.DataFrame) -> None:
    """Every problem listed names the file, a line, a column and the value written there."""
    problems = [PROBLEM.match(line) for line in message.splitlines()[1:] if not line.startswith("  ...")]
    assert problems and all(problems), message
    for found in problems:
        assert found["file"] == path.name
        assert found["value"] == repr(text.at[int(found["line"]) - 2, found["column"]]), message


def assert_exact(frame: pd.DataFrame, rows) -> None:
    for row in frame.index:
        for column, k in INTENDED.items():
            assert frame.at[row, column] == rows[row][k][0], (column, rows[row][k][1], frame.at[row, column])


@PROFILE
@given(file=campaign_file())
def test_each_number_is_read_exactly_or_refused_where_it_is(tmp_path_factory, file):
    """The convention unstated: what the file's other values show decides a value such as 1.200, or it is
    refused (with its line, column and value); nothing is read as a number other than the one intended, whole or
    with the refused rows dropped (--drop-invalid)."""
    decimal, thousands, rows = file
    path = tmp_path_factory.mktemp("numbers") / "campaigns.csv"
    text = write(path, rows)
    try:
        assert_exact(schema.load_campaigns(path), rows)
        event("read whole")
        return
    except schema.InputError as err:
        assert "does not match its schema" in str(err), str(err)
        assert_refusal_names_what_was_written(str(err), path, text)
        event("refused" + (", ambiguous" if "ambiguous" in str(err) else ""))
    try:
        frame = schema.load_campaigns(path, drop_invalid=True)
    except schema.InputError as err:
        assert "every row breaks a rule" in str(err), str(err)
        return
    for r in frame.attrs["dropped"].itertuples():
        assert r.value == text.at[r.row, r.column] and r.line == f"line {r.row + 2}"
    event("read with rows dropped")
    assert_exact(frame, rows)


@PROFILE
@given(file=campaign_file())
def test_a_stated_convention_reads_every_number_exactly(tmp_path_factory, file):
    decimal, thousands, rows = file
    path = tmp_path_factory.mktemp("numbers") / "campaigns.csv"
    write(path, rows)
    convention = validation.Convention.from_options(decimal, thousands or "none")
    assert_exact(schema.load_campaigns(path, convention=convention), rows)


@pytest.mark.parametrize(
    "units, scale, decimals, decimal, thousands, grouped, expected",
    [
        (1200, 0, 0, ",", ".", True, "1.200"),
        (12, 1, 3, ".", ",", False, "1.200"),
        (123456, 2, 2, ",", ".", True, "1.234,56"),
        (34, 3, 3, ",", "", False, "0,034"),
        (5, 2, 2, ".", ",", True, "0.05"),
    ],
)
def test_the_generator_writes_what_it_means(units, scale, decimals, decimal, thousands, grouped, expected):
    assert written(units, scale, decimals, decimal, thousands, grouped) == expected
