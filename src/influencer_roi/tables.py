"""One way to display a table in the book: readable headers, units, thousands separators, "< 0.001", blanks instead
of NaN, text that wraps, and a scroll cue where a table is wider than a phone.

    from influencer_roi.tables import Column, show, fold

    show(frame, {
        "source": Column("Source", "text"),
        "followers": Column("Followers", "integer"),
        "roi": Column("ROI", "ratio", digits=2),
        "p_value": Column("p", "p-value"),
    })
    fold(audit, by="verdict", columns={...})   # a summary line per verdict, each group's rows folded under it

Both return an IPython HTML object (myst-nb renders it as it is; the same inputs give the same bytes, so strict
nbval can compare it). Only the columns named in the specs are shown, in their order; a frame's index is not
shown (reset_index() first to show it). The styles are in the book's _static/book.css (`book-table`).
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd
from IPython.display import HTML

KINDS = ("text", "integer", "number", "percent", "currency", "p-value", "ratio")
SNAKE_CASE = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")


@dataclass(frozen=True)
class Column:
    """How one column is shown.

    label   the header a reader sees ("Followers", not "followers"); snake_case is refused
    kind    text | integer | number | percent | currency | p-value | ratio
    digits  decimals (number, percent, currency, ratio; p-values use 3 and show "< 0.001" below that)
    unit    appended to the header in parentheses, e.g. unit="USD" -> "Cost (USD)"
    symbol  the currency sign in cells ("$" by default; "" for none)

    percent takes fractions (0.25 -> "25%"); ratio shows "1.50×"; integer and number use thousands separators.
    """

    label: str
    kind: str = "text"
    digits: int | None = None
    unit: str | None = None
    symbol: str = "$"

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"column {self.label!r}: kind must be one of {', '.join(KINDS)}, not {self.kind!r}")
        if not self.label.strip() or SNAKE_CASE.match(self.label.strip()):
            raise ValueError(f"column label {self.label!r} is not readable: write it as a reader would")

    @property
    def header(self) -> str:
        return f"{self.label} ({self.unit})" if self.unit else self.label

    def format(self, value) -> str:
        """One cell as text; missing values (None, NaN, NA) are blank."""
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return ""
        if self.kind == "text":
            return str(value)
        number = float(value)
        if math.isinf(number):
            return "∞" if number > 0 else "−∞"
        return FORMATS[self.kind](number, self)


def _digits(column: Column, default: int) -> int:
    return default if column.digits is None else column.digits


def _number(x: float, digits: int) -> str:
    text = f"{x:,.{digits}f}"
    return text.replace("-", "−") if x < 0 else text


def _p_value(x: float, column: Column) -> str:
    digits = _digits(column, 3)
    floor = 10**-digits
    return f"< {floor:.{digits}f}" if x < floor else f"{x:.{digits}f}"


def _currency(x: float, column: Column) -> str:
    text = f"{column.symbol}{abs(x):,.{_digits(column, 0)}f}"
    return f"−{text}" if x < 0 else text


FORMATS: dict[str, Callable[[float, Column], str]] = {
    "integer": lambda x, c: _number(round(x), 0),
    "number": lambda x, c: _number(x, _digits(c, 2)),
    "percent": lambda x, c: _number(100 * x, _digits(c, 0)) + "%",
    "currency": _currency,
    "p-value": _p_value,
    "ratio": lambda x, c: _number(x, _digits(c, 2)) + "×",
}


def _table(frame: pd.DataFrame, columns: Mapping[str, Column], caption: str | None) -> str:
    missing = [name for name in columns if name not in frame.columns]
    if missing:
        raise KeyError(
            f"no such column to show: {', '.join(map(repr, missing))} (the frame has "
            f"{', '.join(map(repr, map(str, frame.columns)))})"
        )
    head = "".join(f'<th scope="col" class="{_css(c)}">{html.escape(c.header)}</th>' for c in columns.values())
    rows = []
    for values in frame[list(columns)].itertuples(index=False, name=None):
        cells = "".join(
            f'<td class="{_css(c)}">{html.escape(c.format(v))}</td>' for c, v in zip(columns.values(), values)
        )
        rows.append(f"<tr>{cells}</tr>")
    caption_html = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    body = "\n".join(rows)
    return (
        f'<div class="book-table-scroll" tabindex="0">\n<table class="book-table">{caption_html}\n'
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>\n</div>"
    )


def _css(column: Column) -> str:
    return "book-text" if column.kind == "text" else "book-number"


def show(frame: pd.DataFrame, columns: Mapping[str, Column], caption: str | None = None) -> HTML:
    """The frame's `columns` (name -> Column spec), formatted, as an HTML table for the page."""
    return HTML(_table(frame, columns, caption))


def fold(
    frame: pd.DataFrame,
    by: str,
    columns: Mapping[str, Column],
    order: list | None = None,
    label: Callable[[object, int], str] | None = None,
) -> HTML:
    """A long table summarised by group: one folded section per value of `by` (in `order`, else in order of
    appearance), its summary line naming the group and its number of rows, its rows shown with `columns` when
    opened. `label(group, n)` writes the summary line (default: "group: n rows")."""
    if by not in frame.columns:
        raise KeyError(f"no column {by!r} to fold by")
    groups = list(order) if order is not None else list(dict.fromkeys(frame[by]))
    unknown = set(frame[by]) - set(groups)
    if unknown:
        raise ValueError(f"values of {by!r} missing from order: {sorted(map(str, unknown))}")
    label = label or (lambda group, n: f"{group}: {n:,} row{'s' if n != 1 else ''}")
    parts = []
    for group in groups:
        rows = frame[frame[by] == group]
        if rows.empty:
            continue
        summary = html.escape(label(group, len(rows)))
        parts.append(
            f'<details class="book-fold">\n<summary>{summary}</summary>\n{_table(rows, columns, None)}\n</details>'
        )
    return HTML('<div class="book-folded-table">\n' + "\n".join(parts) + "\n</div>")
