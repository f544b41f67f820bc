"""One way to display a table in the book: readable headers, units, thousands separators, "< 0.001", blanks instead
of NaN, text that wraps, and a scroll cue where a table is wider than a phone.

Text cells are read too: a cell that is a code of the package (`engagement_rate`, `nano_vs_macro`, `gamma_glm`) shows
its label (influencer_roi.labels, the one mapping the command's report uses too), a cell of ledger claim ids
(`A001_05`, `L12, L13`) links each to its row of the evidence ledger (LEDGER_PAGE), and a number written in text
(`-0.44 to -0.08`) gets true minus signs. Only the display changes: frames, CSV and JSON keep codes and hyphens.
The kind "code" is for literal text a reader types (a column name, an input form): shown as code, untouched.

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

from .display import LEDGER_PAGE, claim_anchor, claim_ids, display_text, fmt_p_value, signed
from .formats import fmt_count, round_whole

KINDS = ("text", "code", "integer", "number", "percent", "currency", "p-value", "ratio")
SNAKE_CASE = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")
INLINE_CODE = re.compile(r"`([^`]+)`")


@dataclass(frozen=True)
class Column:
    """How one column is shown.

    label   the header a reader sees ("Followers", not "followers"); snake_case is refused
    kind    text | integer | number | percent | currency | p-value | ratio
    digits  decimals (number, percent, currency, ratio; p-values use 3 and show "< 0.001" below that)
    unit    appended to the header in parentheses, e.g. unit="USD" -> "Cost (USD)"
    symbol  the currency sign in cells ("$" by default; "" for none)
    significant  round currency and integers to this many significant digits (a simulated amount: its last
            digits are Monte Carlo noise, so prose and table show the same rounded value, as formats.fmt_whole)

    percent takes fractions (0.25 -> "25%"); ratio shows "1.50×"; integer and number use thousands separators;
    a p-value shows 2 significant digits, or "< 0.001".
    """

    label: str
    kind: str = "text"
    digits: int | None = None
    unit: str | None = None
    symbol: str = "$"
    anchor: bool = False  # the ledger's own table: its claim ids are the targets of the links, not links
    significant: int | None = None

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
        if self.kind == "code":
            return str(value)
        if self.kind == "text":
            return display_text(str(value))
        number = float(value)
        if math.isinf(number):
            return "∞" if number > 0 else "−∞"
        if self.significant is not None and self.kind in ("currency", "integer") and number != 0:
            number = round_whole(number, self.significant)
        return FORMATS[self.kind](number, self)


def _digits(column: Column, default: int) -> int:
    return default if column.digits is None else column.digits


def _p_value(x: float, column: Column) -> str:
    """2 significant digits (0.012, 0.50), "< 0.001" below that: a p-value is read by its order, not its digits."""
    return fmt_p_value(x)


def _cell_html(column: Column, value) -> str:
    text = column.format(value)
    if column.kind == "code":
        return f"<code>{html.escape(text)}</code>" if text else ""
    ids = claim_ids(text) if column.kind == "text" else []
    if ids and column.anchor:
        return ", ".join(f'<span id="{claim_anchor(i)}">{html.escape(i)}</span>' for i in ids)
    if ids:
        return ", ".join(f'<a href="{LEDGER_PAGE}#{claim_anchor(i)}">{html.escape(i)}</a>' for i in ids)
    # `name` in a text (a column name in a sentence) is literal: shown as code, like kind "code"
    return INLINE_CODE.sub(r"<code>\1</code>", html.escape(text))


def _currency(x: float, column: Column) -> str:
    text = f"{column.symbol}{abs(x):,.{_digits(column, 0)}f}"
    return f"−{text}" if x < 0 else text


FORMATS: dict[str, Callable[[float, Column], str]] = {
    "integer": lambda x, c: signed(round(x), 0),
    "number": lambda x, c: signed(x, _digits(c, 2)),
    "percent": lambda x, c: signed(100 * x, _digits(c, 0)) + "%",
    "currency": _currency,
    "p-value": _p_value,
    "ratio": lambda x, c: signed(x, _digits(c, 2)) + "×",
}


def _table(frame: pd.DataFrame, columns: Mapping[str, Column], caption: str | None) -> str:
    missing = [name for name in columns if name not in frame.columns]
    if missing:
        raise KeyError(
            f"no such column to show: {', '.join(map(repr, missing))} (the frame has "
            f"{', '.join(map(repr, map(str, frame.columns)))})"
        )
    css = {name: _css(c, frame[name]) for name, c in columns.items()}
    head = "".join(f'<th scope="col" class="{css[n]}">{html.escape(c.header)}</th>' for n, c in columns.items())
    rows = []
    for values in frame[list(columns)].itertuples(index=False, name=None):
        cells = "".join(f'<td class="{css[n]}">{_cell_html(c, v)}</td>' for (n, c), v in zip(columns.items(), values))
        rows.append(f"<tr>{cells}</tr>")
    caption_html = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    body = "\n".join(rows)
    return (
        f'<div class="book-table-scroll" tabindex="0">\n<table class="book-table">{caption_html}\n'
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>\n</div>"
    )


# a text column with a cell longer than this is long text (a quote, a description): class book-long gives it the
# width to wrap into readable lines on a phone instead of a narrow strip of one or two words
LONG_TEXT = 60


def _css(column: Column, values: pd.Series) -> str:
    if column.kind not in ("text", "code"):
        return "book-number"
    longest = max((len(column.format(v)) for v in values), default=0)
    return "book-text book-long" if longest > LONG_TEXT else "book-text"


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
    label = label or (lambda group, n: f"{display_text(str(group))}: {fmt_count(n, 'row')}")
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
