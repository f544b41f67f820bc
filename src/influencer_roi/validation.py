"""Schema validation with pandera, and messages a person can act on.

Files are read as text and every value is checked before any is used, so a bad value is reported as itself,
with the file, where it is in the file (its physical line, the header being line 1 and blank lines and multi-line
quoted values counted; or its row, in a Parquet file), the column, the value as written and the rule it breaks.
Used for the evidence ledger (evidence.py) and for users' campaign and post files (schema.py).

Numbers are read by an explicit grammar (NumberFormat), with the digits 0-9 only: a plain number everywhere
(12345, -0.5, 1e6); counts may also be written with thousands separators (12,345) or abbreviated (353.1K, 1.2M,
2B); money may also carry thousands separators and a currency symbol ($1,234.50, 1 234 is not accepted). "inf",
"NaN" and the like are not numbers, and a number too large for a float (1e400) breaks the rule "must be a finite
number".
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors


class ValidationError(ValueError):
    """A file breaks its schema. The message lists each bad value with file, line, column, value and rule."""


# A value from the user's file quoted into a message is shown up to this many characters, then "…": a header of 64k
# characters or a huge cell names itself without flooding the terminal (the command caps each line it says, too).
QUOTED_MAX = 80
LISTED_MAX = 300  # a list of such values (every header of a file), joined


def shorten(text: str, limit: int = QUOTED_MAX) -> str:
    """`text` as it is if it has at most `limit` characters; else its first limit - 1 and "…"."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def quoted(value, limit: int = QUOTED_MAX) -> str:
    """repr(value) for a message, a long string shortened first: quoted("x" * 100_000) -> 'xxx…' (80 characters
    of it). A value that is not a string is shown by its repr, as before."""
    return repr(shorten(value, limit)) if isinstance(value, str) else shorten(repr(value), limit)


def listed(values, limit: int = LISTED_MAX) -> str:
    """Values quoted and joined by commas for a message ("none" if there are none), at most `limit` characters."""
    return shorten(", ".join(quoted(v) for v in values), limit) or "none"


def text(**kwargs) -> pa.Column:
    return pa.Column(str, **kwargs)


# ---- Numbers as written


@dataclass(frozen=True)
class NumberFormat:
    """What a number column accepts beyond a plain number, and the rule a value breaks when it is none of them."""

    name: str
    rule: str
    thousands: bool = False  # 12,345 and 1,234,567.5
    abbreviated: bool = False  # 353.1K, 1.2M, 2B (counts rounded by the platform that exported them)
    currency: bool = False  # one symbol or code before or after the amount: $1,234.50, 1234 EUR
    missing: frozenset[str] = frozenset()  # markers of a missing value (lower case): missing, not unreadable


# How spreadsheets and exports write "no value": in a user's file these are missing values (reported as written
# where a value is required), never numbers or names.
MISSING_MARKERS = frozenset({"na", "n/a", "#n/a", "null", "none", "nan", "-", "--", "?", "missing"})

PLAIN = NumberFormat("plain", "must be a plain number (no units or commas)")
COUNT = NumberFormat(
    "count",
    "must be a number such as 12345, 12,345 or 353.1K",
    thousands=True,
    abbreviated=True,
    missing=MISSING_MARKERS,
)
MONEY = NumberFormat(
    "money",
    "must be an amount such as 1234.50, 1,234.50 or $1,234.50",
    thousands=True,
    currency=True,
    missing=MISSING_MARKERS,
)

_PLAIN = r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
# Thousands separators: groups of three after a first group of one to three digits that does not start with 0, so
# that a decimal comma ("0,034", "0,5") is refused rather than read as thousands (34, 5).
_THOUSANDS = r"[1-9][0-9]{0,2}(?:,[0-9]{3})+(?:\.[0-9]+)?"
# the abbreviations of social-media exports: thousand, million, billion
UNITS = {"k": 3, "m": 6, "b": 9}
_ABBREVIATED = re.compile(r"(?P<whole>[0-9]+)(?:\.(?P<fraction>[0-9]+))?\s?(?P<unit>[kKmMbB])", re.ASCII)
CURRENCY_SYMBOLS = (
    "$",
    "€",
    "£",
    "¥",
    "₹",
    "₩",
    "₽",
    "₺",
    "₦",
    "₱",
    "₫",
    "₪",
    "฿",
    "R$",
    "US$",
    "A$",
    "C$",
    "CA$",
    "AU$",
    "NZ$",
    "HK$",
    "S$",
    "Fr.",
    "kr",
    "zł",
)
_SYMBOL = "|".join(re.escape(s) for s in sorted(CURRENCY_SYMBOLS, key=len, reverse=True)) + "|[A-Z]{3}"
_MONEY = re.compile(
    rf"(?P<sign>[+-]?)\s?(?P<before>{_SYMBOL})?\s?(?P<sign2>[+-]?)"
    rf"(?P<number>{_THOUSANDS}|[0-9]+\.?[0-9]*|\.[0-9]+)\s?(?P<after>{_SYMBOL})?",
    re.ASCII,
)
_SEPARATED = re.compile(rf"[+-]?{_THOUSANDS}", re.ASCII)


@dataclass
class Parsed:
    """One column's numbers: `values` (NaN where blank or unreadable), `unreadable` (text that is no number of
    the format), and what was expanded: `abbreviated` (353.1K), its relative `rounding` (half a unit of the last
    digit over the value: 353.1K is 353,100 +/- 50), `separated` (12,345) and `symbol` (the currency symbol of
    each value that had one), and `marker` (a missing-value marker such as N/A). The masks are None when the
    column was all plain numbers."""

    values: pd.Series
    unreadable: np.ndarray | None = None
    marker: np.ndarray | None = None
    abbreviated: np.ndarray | None = None
    rounding: np.ndarray | None = None
    separated: np.ndarray | None = None
    symbol: pd.Series | None = None

    def unreadable_mask(self) -> np.ndarray:
        return np.zeros(len(self.values), bool) if self.unreadable is None else self.unreadable

    def missing_mask(self) -> np.ndarray:
        """Blank, or a missing-value marker."""
        blank = self.values.isna().to_numpy() & ~self.unreadable_mask()
        return blank if self.marker is None else blank | self.marker


# Parsed columns, kept for the length of one validate() call (or of a keep_parsed() block): several checks parse
# the same column, and pandera hands each check a new Series over the same array, so the array (and the format) is
# the key.
_PARSED: dict[tuple[int, str], tuple[object, Parsed]] = {}
_KEEP: list[bool] = []


@contextmanager
def keep_parsed() -> Iterator[None]:
    """Keep parsed columns across several validate() calls and conversions of one file (each parse of a million
    values costs tens of milliseconds); forget them at the end."""
    _KEEP.append(True)
    try:
        yield
    finally:
        _KEEP.pop()
        if not _KEEP:
            _PARSED.clear()


def _forget() -> None:
    if not _KEEP:
        _PARSED.clear()


def parse(series: pd.Series, fmt: NumberFormat = PLAIN) -> Parsed:
    """Text to numbers by `fmt`. Arrow's cast is tried first (about eight times faster than pandas on a million
    values); a column it cannot read whole, or that holds "inf" or "nan" (which it reads), goes through the
    grammar value by value."""
    array = series.array
    key = (id(array), fmt.name)
    cached = _PARSED.get(key)
    if cached is not None and cached[0] is array and cached[1].values.index.equals(series.index):
        return cached[1]
    parsed = _fast(series)
    if parsed is None:
        parsed = _by_grammar(series, fmt)
    _PARSED[key] = (array, parsed)
    return parsed


def to_number(series: pd.Series, fmt: NumberFormat = PLAIN) -> pd.Series:
    """Text to float; blank and unreadable both give NaN (the schema reports unreadable values itself)."""
    return parse(series, fmt).values


def _fast(series: pd.Series) -> Parsed | None:
    """pyarrow's string-to-double cast, when it reads every value and every value is finite; None otherwise."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        arrow = (
            series.array.__arrow_array__()
            if hasattr(series.array, "__arrow_array__")
            else pa.array(series.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
        )
        values = pc.cast(arrow, pa.float64()).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, TypeError):
        return None
    finite = np.isfinite(values)
    if not (finite | series.isna().to_numpy()).all():
        return None  # "inf", "nan", 1e400: decided by the grammar
    return Parsed(pd.Series(values, index=series.index, name=series.name))


def _by_grammar(series: pd.Series, fmt: NumberFormat) -> Parsed:
    """The grammar, vectorised: plain numbers first (most values), then the formats `fmt` allows on the rest."""
    n = len(series)
    text = series.astype(object).where(series.notna())
    trimmed = text.str.strip()
    values = np.full(n, np.nan)
    present = trimmed.notna().to_numpy() & (trimmed != "").fillna(False).to_numpy(bool)
    marker = np.zeros(n, bool)
    if fmt.missing:
        marker = present & trimmed.str.lower().isin(fmt.missing).to_numpy(bool)
        present &= ~marker
    plain = trimmed.str.fullmatch(_PLAIN).fillna(False).to_numpy(bool) & present
    values[plain] = trimmed[plain].astype(float).to_numpy()
    rest = present & ~plain
    abbreviated = np.zeros(n, bool)
    rounding = np.full(n, np.nan)
    separated = np.zeros(n, bool)
    symbol = None
    if rest.any() and fmt.thousands:
        hit = trimmed[rest].str.fullmatch(_SEPARATED).fillna(False)
        index = np.flatnonzero(rest)[hit.to_numpy(bool)]
        values[index] = trimmed.iloc[index].str.replace(",", "", regex=False).astype(float).to_numpy()
        separated[index] = True
        rest[index] = False
    if rest.any() and fmt.abbreviated:
        parts = trimmed[rest].str.extract(f"^{_ABBREVIATED.pattern}$")
        hit = parts["whole"].notna().to_numpy()
        index = np.flatnonzero(rest)[hit]
        parts = parts[hit]
        fraction = parts["fraction"].fillna("")
        digits = (parts["whole"] + fraction).astype(float).to_numpy()
        # 353.1K: digits 3531, shifted by 3 - 1 places. Exact for whole results (a power of ten below 10**22 is
        # exact, and so is the product of two integers below 2**53), so 353.1K is 353,100 and not 353,100.00001.
        shift = parts["unit"].str.lower().map(UNITS).to_numpy(int) - fraction.str.len().to_numpy(int)
        values[index] = np.where(
            shift >= 0, digits * 10.0 ** np.maximum(shift, 0), digits / 10.0 ** np.maximum(-shift, 0)
        )
        with np.errstate(divide="ignore", invalid="ignore"):  # 0K: no relative rounding
            rounding[index] = np.where(values[index] > 0, 0.5 * 10.0**shift / values[index], np.nan)
        abbreviated[index] = True
        rest[index] = False
    if rest.any() and fmt.currency:
        parts = trimmed[rest].str.extract(f"^{_MONEY.pattern}$")
        ok = (
            parts["number"].notna()
            & ~(parts["before"].notna() & parts["after"].notna())
            & ~((parts["sign"] != "") & (parts["sign2"] != ""))
        )
        index = np.flatnonzero(rest)[ok.to_numpy(bool)]
        parts = parts[ok]
        number = parts["number"].str.replace(",", "", regex=False).astype(float).to_numpy()
        negative = ((parts["sign"] == "-") | (parts["sign2"] == "-")).to_numpy(bool)
        values[index] = np.where(negative, -number, number)
        symbol = pd.Series(parts["before"].fillna(parts["after"]).to_numpy(object), index=series.index[index])
        separated[index] = parts["number"].str.contains(",", regex=False).to_numpy(bool)
        rest[index] = False
    return Parsed(
        pd.Series(values, index=series.index, name=series.name),
        unreadable=rest,
        marker=marker,
        abbreviated=abbreviated,
        rounding=rounding,
        separated=separated,
        symbol=symbol,
    )


def _bound(value: float) -> str:
    """1e12 -> '1,000,000,000,000', 0.01 -> '0.01': a bound as a person writes it."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:g}"


def numeric(
    minimum: float | None = None,
    maximum: float | None = None,
    whole: bool = False,
    fmt: NumberFormat = PLAIN,
    above: float | None = None,
    missing_rule: str | None = None,
    **kwargs,
) -> pa.Column:
    """A number column checked as text, so that "10k" is reported as itself with its row, converted afterwards.
    whole: the number must also be a whole number (counts, followers). above: the number must be greater than
    this (a cost of 0 has no return per dollar). missing_rule: the value is required, and a blank or a marker of
    `fmt` (N/A) breaks this rule, quoted as written. Values too large for a float (1e400) break "must be a finite
    number" and no other rule."""
    kwargs.setdefault("nullable", True)

    def number(s: pd.Series) -> pd.Series:
        return parse(s, fmt).values

    def finite_or_missing(s: pd.Series) -> pd.Series:
        return ~np.isinf(number(s))

    checks = [
        pa.Check(lambda s: ~pd.Series(parse(s, fmt).unreadable_mask(), index=s.index), error=fmt.rule),
        pa.Check(finite_or_missing, error="must be a finite number"),
    ]
    if missing_rule:
        kwargs["nullable"] = True  # the rule below reports blanks and markers alike, each once
        checks.insert(
            0,
            pa.Check(
                lambda s: ~pd.Series(parse(s, fmt).missing_mask(), index=s.index), ignore_na=False, error=missing_rule
            ),
        )
    if above is not None:
        checks.append(pa.Check(lambda s: ~(number(s) <= above), error=f"must be above {above:g}"))
    if minimum is not None:
        checks.append(pa.Check(lambda s: ~(number(s) < minimum), error=f"must be at least {_bound(minimum)}"))
    if maximum is not None:
        checks.append(
            pa.Check(lambda s: ~(number(s) > maximum) | np.isinf(number(s)), error=f"must be at most {_bound(maximum)}")
        )
    if whole:
        checks.append(
            pa.Check(
                lambda s: number(s).isna() | np.isinf(number(s)) | (number(s) == number(s).round()),
                error="must be a whole number",
            )
        )
    return pa.Column(str, checks=checks, **kwargs)


# Rules that compare columns of one row, and the columns each one concerns: pandera reports a failed row-level
# check once per column of the row, and the message should name only the columns the rule is about.
_ROW_RULES: dict[str, tuple[str, ...]] = {}


def row_rule(columns: tuple[str, ...], test, error: str) -> pa.Check:
    _ROW_RULES[error] = columns
    return pa.Check(test, error=error)


def unique_together(*columns: str) -> pa.Check:
    return row_rule(
        columns,
        lambda df: ~df.duplicated(list(columns), keep=False),
        f"({', '.join(columns)}) must be unique: this row repeats another",
    )


def read_text_csv(path: Path, usecols=None, sep: str = ",") -> pd.DataFrame:
    """Every value as text, blanks as missing: the schema, not pandas' type guessing, decides what a value means.
    pyarrow's CSV reader is an order of magnitude faster than pandas' own on large files."""
    frame = pd.read_csv(path, dtype=str, engine="pyarrow", usecols=usecols, sep=sep)
    frame = frame.mask(frame.apply(lambda column: column.str.strip().eq("")))
    frame.index = pd.RangeIndex(len(frame))
    return frame


# ---- Where a row is in its file


class Lines:
    """Row number (0 = the first row after the header) -> where a person finds it in the file: "line 7", the
    physical line its record starts on (the header is line 1; blank lines and line breaks inside quoted values
    are counted, as an editor counts them), or "row 5" for a Parquet file, which has no lines. Computed only
    when a message needs it, by reading the file again with Python's csv module up to the last row asked for."""

    def __init__(
        self, path: Path, delimiter: str = ",", opener: Callable[[], io.TextIOBase] | None = None, lines: bool = True
    ) -> None:
        self.path, self.delimiter, self.lines = Path(path), delimiter, lines
        self.opener = opener or (lambda: open(self.path, encoding="utf-8-sig", errors="replace", newline=""))
        self._known: dict[int, int] = {}

    def __call__(self, rows: Iterable[int]) -> dict[int, str]:
        rows = sorted({int(r) for r in rows})
        if not self.lines:
            return {r: f"row {r + 1}" for r in rows}
        wanted = [r for r in rows if r not in self._known]
        if wanted:
            self._known.update(self._scan(set(wanted), max(wanted)))
        return {r: f"line {self._known[r]}" if r in self._known else f"row {r + 1}" for r in rows}

    def _scan(self, wanted: set[int], last: int) -> dict[int, int]:
        found: dict[int, int] = {}
        with self.opener() as stream:
            reader = csv.reader(stream, delimiter=self.delimiter)
            previous, record = 0, -1  # record -1 is the header
            for fields in reader:
                start, previous = previous + 1, reader.line_num
                if not fields:
                    continue  # a blank line: not a record, but a line
                if record in wanted:
                    found[record] = start
                if record >= last:
                    break
                record += 1
        return found


def lines_of(path: Path) -> Lines:
    """The locator for a plain CSV file."""
    return Lines(path)


def _format_errors(
    path: Path,
    frame: pd.DataFrame,
    err: SchemaErrors,
    limit: int = 10,
    where: Callable[[Iterable[int]], dict[int, str]] | None = None,
) -> str:
    cases = err.failure_cases
    # in file order: pandera lists failures check by check
    cases = cases.assign(_order=cases["index"].astype("float64")).sort_values(
        "_order", kind="stable", na_position="first"
    )
    groups = list(cases.groupby(["_order", "check"], sort=False, dropna=False))
    locate = where or lines_of(path)
    shown_rows = [int(i) for (i, _), _ in groups[:limit] if pd.notna(i)]
    places = locate(shown_rows) if shown_rows else {}
    lines = []
    for (index, check), group in groups:
        place = places.get(int(index), "") if pd.notna(index) else "every row"
        columns = _ROW_RULES.get(check)
        if columns and pd.notna(index):
            # one line per column the rule compares, values read from the row itself (pandera leaves blanks out)
            pairs = [(c, frame.at[int(index), c]) for c in columns]
        else:
            pairs = list(zip(group["column"], group["failure_case"]))
        for column, value in pairs:
            shown = "blank" if pd.isna(value) or not str(value).strip() else quoted(value)
            lines.append(
                f"  {shorten(path.name)}, {place}, column {shorten(str(column))}: value {shown} breaks rule: {check}"
            )
    shown = "\n".join(lines[:limit])
    more = f"\n  ... and {len(lines) - limit} more" if len(lines) > limit else ""
    return f"{path} does not match its schema ({len(lines)} problem(s)):\n{shown}{more}"


def validate(
    frame: pd.DataFrame,
    schema: pa.DataFrameSchema,
    path: Path,
    error: type[ValidationError] = ValidationError,
    where: Callable[[Iterable[int]], dict[int, str]] | None = None,
) -> pd.DataFrame:
    """Validate `frame` (read from `path`) against `schema`; raise `error` naming every bad value. `where` maps row
    numbers to places in the file (Lines; by default the physical lines of a CSV file)."""
    try:
        return schema.validate(frame, lazy=True)
    except SchemaErrors as err:
        raise error(_format_errors(path, frame, err, where=where)) from None
    finally:
        _forget()


def split_valid(
    frame: pd.DataFrame,
    schema: pa.DataFrameSchema,
    path: Path,
    error: type[ValidationError] = ValidationError,
    where: Callable[[Iterable[int]], dict[int, str]] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows that pass, a tidy table of what was dropped: row, line, column, value, rule; `line` is where the row is
    in the file, as in messages). A problem that is not about one row (a missing column) still raises `error`."""
    try:
        return schema.validate(frame, lazy=True), pd.DataFrame(columns=["row", "line", "column", "value", "rule"])
    except SchemaErrors as err:
        cases = err.failure_cases
        if cases["index"].isna().any():
            raise error(_format_errors(path, frame, err, where=where)) from None
        rows = cases["index"].astype(int)
        places = (where or lines_of(path))(rows)
        report = pd.DataFrame(
            {
                "row": rows.to_numpy(),
                "line": rows.map(places).to_numpy(),
                "column": cases["column"].to_numpy(),
                "value": cases["failure_case"].to_numpy(),
                "rule": cases["check"].to_numpy(),
            }
        )
        _forget()
        kept = frame.drop(index=sorted(set(rows)))
        return schema.validate(kept, lazy=True), report.sort_values("row", kind="stable").reset_index(drop=True)
    finally:
        _forget()
