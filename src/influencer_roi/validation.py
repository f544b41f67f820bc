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

The convention (Convention) is the dot as decimal mark and the comma as thousands separator unless the reader states
another (--decimal, --thousands: 1.234,56 and 0,034 are read only then). Under the default, a value whose one
separator is followed by exactly three digits after one to three digits not starting with 0 (1.200, EUR 1.200,
1,200: one thousand two hundred or one point two) is ambiguous in amounts (either mark) and counts (the dot; 12,345 is
a count's thousands separator, as no count is 12.345), and is read only when the file's other values of its kind
(amounts: cost and revenue; counts: followers, likes ...) show the default convention and none shows another
(settle(): 12.5, 0.500 or 1,234.50 show it; 1.234.567, 1.234,56 or 0,5 show another); otherwise it is refused with
the rule AMBIGUOUS names, never guessed.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
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
class Convention:
    """How the file writes numbers: the decimal mark, the thousands separator ("" for none), and whether the reader
    stated it (--decimal, --thousands) or it is the default (then the one-group shape of AMBIGUOUS is checked)."""

    decimal: str = "."
    thousands: str = ","
    stated: bool = False

    @classmethod
    def from_options(cls, decimal: str | None, thousands: str | None) -> Convention:
        """--decimal and --thousands (either may be None; 'none' is no thousands separator). One stated implies the
        usual other: a decimal comma goes with a thousands dot, a thousands dot with a decimal comma. Raises
        ValueError when one mark would be both."""
        if decimal is None and thousands is None:
            return cls()
        thousands = "" if thousands == "none" else thousands
        if decimal is None:
            decimal = "," if thousands == "." else "."
        if thousands is None:
            thousands = "." if decimal == "," else ","
        if decimal not in (".", ",") or thousands not in (".", ",", ""):
            raise ValueError(f"--decimal {decimal!r} --thousands {thousands!r}: the marks are . and , (or none)")
        if decimal == thousands:
            raise ValueError(f"--decimal {decimal} and --thousands {thousands}: one mark cannot be both")
        return cls(decimal, thousands, stated=True)

    def said(self) -> str:
        thousands = f"{self.thousands!r}" if self.thousands else "none"
        return f"decimal mark {self.decimal!r}, thousands separator {thousands}"


DEFAULT = Convention()


@dataclass(frozen=True)
class NumberFormat:
    """What a number column accepts beyond a plain number, and the rule a value breaks when it is none of them."""

    name: str
    rule: str
    thousands: str = ""  # the thousands separator read ("," for 12,345 and 1,234,567.5; "." ; "" for none)
    abbreviated: bool = False  # 353.1K, 1.2M, 2B (counts rounded by the platform that exported them)
    currency: bool = False  # one symbol or code before or after the amount: $1,234.50, 1234 EUR
    missing: frozenset[str] = frozenset()  # markers of a missing value (lower case): missing, not unreadable
    decimal: str = "."
    # marks whose one-group shape (1.200, 1,200) is refused as ambiguous: those of the default convention, until
    # settle() finds the file's values of this kind show it (or the reader states a convention)
    ambiguous: str = ""
    noun: str = "number"  # "amount", "number": in the rule
    kind: str = "value"  # "amount", "count": in the ambiguity rule
    examples: tuple[str, ...] = ()  # the rule's examples, {d} the decimal mark and {t} the thousands separator


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" or {items[-1]}"


def _rule(fmt: NumberFormat) -> str:
    """'must be an amount such as 1234.50, 1,234.50 or $1,234.50', in the format's own convention."""
    said = dict.fromkeys(e.format(d=fmt.decimal, t=fmt.thousands) for e in fmt.examples)
    return f"must be {'an' if fmt.noun[0] in 'aeiou' else 'a'} {fmt.noun} such as {_listed(list(said))}"


def _made(fmt: NumberFormat) -> NumberFormat:
    return replace(fmt, rule=_rule(fmt))


def ambiguity_rule(fmt: NumberFormat, mark: str) -> str:
    """The rule a value of the one-group shape breaks (1.200: one thousand two hundred, or one point two?)."""
    return (
        f"ambiguous: one {'dot' if mark == '.' else 'comma'} then three digits (1{mark}200) could be one thousand two "
        f"hundred or one point two, and no other {fmt.kind} in the file shows which; say --thousands {mark} or "
        f"--decimal {mark}"
    )


def read_as(fmt: NumberFormat, convention: Convention) -> NumberFormat:
    """`fmt` in a stated convention (nothing is then ambiguous); unchanged for the default or for PLAIN."""
    if not convention.stated or not fmt.thousands:
        return fmt
    return _made(replace(fmt, decimal=convention.decimal, thousands=convention.thousands, ambiguous=""))


# How spreadsheets and exports write "no value": in a user's file these are missing values (reported as written
# where a value is required), never numbers or names.
MISSING_MARKERS = frozenset({"na", "n/a", "#n/a", "null", "none", "nan", "-", "--", "?", "missing"})

PLAIN = NumberFormat("plain", "must be a plain number (no units or commas)")
COUNT = _made(
    NumberFormat(
        "count",
        "",
        thousands=",",
        abbreviated=True,
        missing=MISSING_MARKERS,
        ambiguous=".",
        noun="number",
        kind="count",
        examples=("12345", "12{t}345", "353{d}1K"),
    )
)
MONEY = _made(
    NumberFormat(
        "money",
        "",
        thousands=",",
        currency=True,
        missing=MISSING_MARKERS,
        ambiguous=".,",
        noun="amount",
        kind="amount",
        examples=("1234{d}50", "1{t}234{d}50", "$1{t}234{d}50"),
    )
)

# the abbreviations of social-media exports: thousand, million, billion
UNITS = {"k": 3, "m": 6, "b": 9}
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


@dataclass(frozen=True)
class _Grammar:
    """The regular expressions of one convention (decimal mark d, thousands separator t or none)."""

    plain: str  # 12345, -0.5, 1e6 (with d)
    separated: str | None  # 12,345 and 1,234,567.5: groups of three after a first group of one to three digits
    abbreviated: str  # 353.1K
    money: str  # an amount, with its sign and symbol
    shape: dict[str, str]  # mark -> the one-group shape (1.200) as a count, and as an amount

    @staticmethod
    @functools.cache
    def of(decimal: str, thousands: str) -> _Grammar:
        d, t = re.escape(decimal), re.escape(thousands)
        # the first group does not start with 0, so that a decimal comma ("0,034", "0,5") is refused rather than
        # read as thousands (34, 5)
        grouped = rf"[1-9][0-9]{{0,2}}(?:{t}[0-9]{{3}})+(?:{d}[0-9]+)?" if thousands else None
        unsigned = rf"[0-9]+{d}?[0-9]*|{d}[0-9]+"
        number = f"{grouped}|{unsigned}" if grouped else unsigned
        amount = (
            rf"(?P<sign>[+-]?)\s?(?P<before>{_SYMBOL})?\s?(?P<sign2>[+-]?)(?P<number>{number})\s?(?P<after>{_SYMBOL})?"
        )
        shape = {
            mark: rf"[+-]?\s?(?:{_SYMBOL})?\s?[+-]?[1-9][0-9]{{0,2}}{re.escape(mark)}[0-9]{{3}}\s?(?:{_SYMBOL})?"
            for mark in ".,"
        }
        return _Grammar(
            plain=rf"[+-]?(?:{unsigned})(?:[eE][+-]?[0-9]+)?",
            separated=rf"[+-]?{grouped}" if grouped else None,
            abbreviated=rf"(?P<whole>[0-9]+)(?:{d}(?P<fraction>[0-9]+))?\s?(?P<unit>[kKmMbB])",
            money=amount,
            shape=shape,
        )


def _as_float(text: pd.Series, fmt: NumberFormat) -> np.ndarray:
    """Number text of `fmt`'s convention to floats: thousands separators removed, the decimal mark made a dot."""
    if fmt.thousands:
        text = text.str.replace(fmt.thousands, "", regex=False)
    if fmt.decimal != ".":
        text = text.str.replace(fmt.decimal, ".", regex=False)
    return text.astype(float).to_numpy()


# The evidence of a convention in a value (its sign and currency symbol removed): the default one (the dot a
# decimal mark, the comma a thousands separator) or another.
_BODY = re.compile(rf"[+-]?\s?(?:{_SYMBOL})?\s?[+-]?(?P<body>[0-9.,]+)\s?(?:{_SYMBOL})?")
_ONE_GROUP = r"[1-9][0-9]{0,2}[.,][0-9]{3}"
_SHOWS_DEFAULT = (
    r"[1-9][0-9]{0,2}(?:,[0-9]{3}){2,}"  # 1,234,567: the comma groups thousands
    r"|[1-9][0-9]{0,2}(?:,[0-9]{3})+\.[0-9]*"  # 1,234.56
    r"|[0-9]+\.[0-9]*|\.[0-9]+"  # 12.5, 0.500, 1234.567 (one dot not followed by one group: a decimal point)
)
_SHOWS_OTHER = (
    r"[1-9][0-9]{0,2}(?:\.[0-9]{3}){2,}"  # 1.234.567: the dot groups thousands
    r"|[1-9][0-9]{0,2}(?:\.[0-9]{3})+,[0-9]*"  # 1.234,56
    r"|[0-9]+,[0-9]*|,[0-9]+"  # 0,5, 12,34, 0,500 (one comma not followed by one group: a decimal comma)
)


def settle(columns: list[pd.Series], fmt: NumberFormat) -> NumberFormat:
    """`fmt` for a file's columns of one kind (its amounts, or its counts): with nothing ambiguous (`ambiguous` ""),
    when none of their values has the one-group shape of an ambiguous mark, or when their other values show the
    default convention (12.5, 0.500, 1,234,567, 1,234.50) and none shows another (1.234.567, 1.234,56, 0,5);
    unchanged otherwise, so that the shape is refused (ambiguity_rule)."""
    if not fmt.ambiguous:
        return fmt
    columns = [_bounded(column) for column in columns]
    shaped = [_shaped(column, fmt) for column in columns]
    if not any(mask.any() for masks in shaped for mask in masks.values()):
        return replace(fmt, ambiguous="")
    bodies = pd.concat([column.dropna().astype(str).str.strip() for column in columns], ignore_index=True)
    if fmt.currency:
        bodies = bodies.str.extract(f"^{_BODY.pattern}$")["body"].dropna()
    else:
        bodies = bodies[bodies.str.fullmatch(r"[+-]?[0-9.,]+")].str.lstrip("+-")
    bodies = bodies[~bodies.str.fullmatch(_ONE_GROUP)]
    default = bodies.str.fullmatch(_SHOWS_DEFAULT).any()
    other = bodies.str.fullmatch(_SHOWS_OTHER).any()
    return replace(fmt, ambiguous="") if default and not other else fmt


def _shaped(series: pd.Series, fmt: NumberFormat) -> dict[str, np.ndarray]:
    """Mark -> where the column's values have the one-group shape of that ambiguous mark (1.200, €1.200)."""
    grammar = _Grammar.of(fmt.decimal, fmt.thousands)
    out = {}
    arrow = _arrow(series)
    for mark in fmt.ambiguous:
        pattern = grammar.shape[mark] if fmt.currency else rf"[+-]?[1-9][0-9]{{0,2}}{re.escape(mark)}[0-9]{{3}}"
        if arrow is not None:
            import pyarrow.compute as pc

            hit = pc.match_substring_regex(arrow, rf"^\s*(?:{pattern})\s*$").fill_null(False)
            out[mark] = hit.to_numpy(zero_copy_only=False).astype(bool)
        else:
            text = series.astype(object).where(series.notna()).str.strip()
            out[mark] = text.str.fullmatch(pattern).fillna(False).to_numpy(bool)
    return out


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
    ambiguous: dict[str, np.ndarray] | None = None  # mark -> values refused as ambiguous (1.200), NaN in `values`

    def ambiguous_mask(self, mark: str) -> np.ndarray:
        found = (self.ambiguous or {}).get(mark)
        return np.zeros(len(self.values), bool) if found is None else found

    def unreadable_mask(self) -> np.ndarray:
        return np.zeros(len(self.values), bool) if self.unreadable is None else self.unreadable

    def missing_mask(self) -> np.ndarray:
        """Blank, or a missing-value marker."""
        blank = self.values.isna().to_numpy() & ~self.unreadable_mask()
        for mask in (self.ambiguous or {}).values():
            blank &= ~mask
        return blank if self.marker is None else blank | self.marker


# Parsed columns, kept for the length of one validate() call (or of a keep_parsed() block): several checks parse
# the same column, and pandera hands each check a new Series over the same array, so the array (and the format) is
# the key.
_PARSED: dict[tuple[int, NumberFormat], tuple[object, Parsed]] = {}
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


# No number the contract accepts is longer ("EUR 1,000,000,000,000.00" is 24 characters): a longer value is refused
# without being matched against the grammar, whose regular expressions take time growing with its length squared
# (a 50,000-digit cell took a minute).
MAX_NUMBER_CHARS = 64
_TOO_LONG = "#"  # stands for a too-long value: no pattern of the grammar matches it


def _bounded(series: pd.Series) -> pd.Series:
    """`series` with every value longer than MAX_NUMBER_CHARS replaced by a stand-in no pattern matches (the
    original is what messages quote: they read the file's values, not these)."""
    long = series.astype(object).where(series.notna()).str.len().gt(MAX_NUMBER_CHARS).fillna(False).to_numpy(bool)
    return series.mask(long, _TOO_LONG) if long.any() else series


def parse(series: pd.Series, fmt: NumberFormat = PLAIN) -> Parsed:
    """Text to numbers by `fmt`. Arrow's cast is tried first (about eight times faster than pandas on a million
    values); a column it cannot read whole, or that holds "inf" or "nan" (which it reads), goes through the
    grammar value by value. Values of an ambiguous one-group shape (fmt.ambiguous) are then set apart."""
    array = series.array
    key = (id(array), fmt)
    cached = _PARSED.get(key)
    if cached is not None and cached[0] is array and cached[1].values.index.equals(series.index):
        return cached[1]
    bounded = _bounded(series)
    parsed = _fast(bounded, fmt)
    if parsed is None:
        parsed = _by_grammar(bounded, fmt)
    if fmt.ambiguous:
        refused = ~parsed.unreadable_mask()
        if parsed.marker is not None:
            refused &= ~parsed.marker
        ambiguous = {mark: mask & refused for mark, mask in _shaped(bounded, fmt).items()}
        if any(mask.any() for mask in ambiguous.values()):
            values = parsed.values.to_numpy(dtype=float, copy=True)
            for mask in ambiguous.values():
                values[mask] = np.nan
            parsed.values = pd.Series(values, index=series.index, name=series.name)
            parsed.ambiguous = ambiguous
    _PARSED[key] = (array, parsed)
    return parsed


def to_number(series: pd.Series, fmt: NumberFormat = PLAIN) -> pd.Series:
    """Text to float; blank and unreadable both give NaN (the schema reports unreadable values itself)."""
    return parse(series, fmt).values


def _arrow(series: pd.Series):
    """The column as an Arrow string array (None when it is not text)."""
    import pyarrow as pa

    try:
        return (
            series.array.__arrow_array__()
            if hasattr(series.array, "__arrow_array__")
            else pa.array(series.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, TypeError):
        return None


def _fast(series: pd.Series, fmt: NumberFormat) -> Parsed | None:
    """pyarrow's string-to-double cast, when it reads every value and every value is finite (and, in a convention
    whose decimal mark is not the dot, no value has a dot); None otherwise."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arrow = _arrow(series)
    if arrow is None:
        return None
    if fmt.decimal != "." and pc.any(pc.match_substring(arrow, ".")).as_py():
        return None  # 1.200 is one thousand two hundred here: the grammar's to read
    try:
        values = pc.cast(arrow, pa.float64()).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, TypeError):
        return None
    finite = np.isfinite(values)
    if not (finite | series.isna().to_numpy()).all():
        return None  # "inf", "nan", 1e400: decided by the grammar
    return Parsed(pd.Series(values, index=series.index, name=series.name))


def _by_grammar(series: pd.Series, fmt: NumberFormat) -> Parsed:
    """The grammar, vectorised: plain numbers first (most values), then the formats `fmt` allows on the rest."""
    grammar = _Grammar.of(fmt.decimal, fmt.thousands)
    n = len(series)
    text = series.astype(object).where(series.notna())
    trimmed = text.str.strip()
    values = np.full(n, np.nan)
    present = trimmed.notna().to_numpy() & (trimmed != "").fillna(False).to_numpy(bool)
    marker = np.zeros(n, bool)
    if fmt.missing:
        marker = present & trimmed.str.lower().isin(fmt.missing).to_numpy(bool)
        present &= ~marker
    plain = trimmed.str.fullmatch(grammar.plain).fillna(False).to_numpy(bool) & present
    values[plain] = _as_float(trimmed[plain], replace(fmt, thousands=""))
    rest = present & ~plain
    abbreviated = np.zeros(n, bool)
    rounding = np.full(n, np.nan)
    separated = np.zeros(n, bool)
    symbol = None
    if rest.any() and grammar.separated:
        hit = trimmed[rest].str.fullmatch(grammar.separated).fillna(False)
        index = np.flatnonzero(rest)[hit.to_numpy(bool)]
        values[index] = _as_float(trimmed.iloc[index], fmt)
        separated[index] = True
        rest[index] = False
    if rest.any() and fmt.abbreviated:
        parts = trimmed[rest].str.extract(f"^{grammar.abbreviated}$")
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
        parts = trimmed[rest].str.extract(f"^{grammar.money}$")
        ok = (
            parts["number"].notna()
            & ~(parts["before"].notna() & parts["after"].notna())
            & ~((parts["sign"] != "") & (parts["sign2"] != ""))
        )
        index = np.flatnonzero(rest)[ok.to_numpy(bool)]
        parts = parts[ok]
        number = _as_float(parts["number"], fmt)
        negative = ((parts["sign"] == "-") | (parts["sign2"] == "-")).to_numpy(bool)
        values[index] = np.where(negative, -number, number)
        symbol = pd.Series(parts["before"].fillna(parts["after"]).to_numpy(object), index=series.index[index])
        separated[index] = (
            parts["number"].str.contains(fmt.thousands, regex=False).to_numpy(bool)
            if fmt.thousands
            else np.zeros(len(index), bool)
        )
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
        *(
            pa.Check(
                lambda s, mark=mark: ~pd.Series(parse(s, fmt).ambiguous_mask(mark), index=s.index),
                error=ambiguity_rule(fmt, mark),
            )
            for mark in fmt.ambiguous
        ),
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


# The evidence ledger's files are tens of kilobytes and the real posts three megabytes: a file read whole by
# read_text_csv (audit --evidence reads a user's copy of the ledger) is refused beyond this, after reading no more.
TEXT_MAX_BYTES = 64 * 1024 * 1024


def read_text_csv(path: Path, usecols=None, sep: str = ",") -> pd.DataFrame:
    """Every value as text, blanks as missing: the schema, not pandas' type guessing, decides what a value means.
    pyarrow's CSV reader is an order of magnitude faster than pandas' own on large files. A file that is not UTF-8
    CSV text (empty, binary, UTF-16, a byte of another encoding, an unclosed quote, a row with more fields than the
    header), or is larger than TEXT_MAX_BYTES, raises ValidationError naming the file, the line and the rule, before
    pandas sees it."""
    with open(path, "rb") as stream:
        data = stream.read(TEXT_MAX_BYTES + 1)
    if len(data) > TEXT_MAX_BYTES:
        raise ValidationError(
            f"{path}: more than {TEXT_MAX_BYTES:,} bytes; breaks rule: a table of the ledger is at most "
            f"{TEXT_MAX_BYTES:,} bytes (the book's are tens of kilobytes)"
        )
    problem = text_file_problem(data, sep)
    if problem:
        raise ValidationError(f"{path}: {problem}")
    frame = pd.read_csv(io.BytesIO(data), dtype=str, engine="pyarrow", usecols=usecols, sep=sep)
    frame = frame.mask(frame.apply(lambda column: column.str.strip().eq("")))
    frame.index = pd.RangeIndex(len(frame))
    return frame


def text_file_problem(data: bytes, sep: str = ",") -> str | None:
    """Why `data` is not a CSV file of UTF-8 text whose rows have the header's fields (None when it is): the line
    and the rule, in words."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "the file is UTF-16 text: save it as UTF-8"
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        return f"line {line}: a NUL byte: this is not a text file"
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        return f"line {line}: the byte 0x{data[err.start]:02X} is not UTF-8 text: save the file as UTF-8"
    if not text.strip():
        return "the file is empty: the first line must be the header (the column names)"
    if text.startswith("\ufeff"):
        return "line 1: two byte-order marks: save the file as UTF-8 once"
    if not text.splitlines()[0].strip():
        return "line 1 is blank: the first line must be the header (the column names)"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True)
    start = 1
    try:
        header = next(reader)
        for row in reader:
            if row and len(row) != len(header):
                return f"line {start + 1}: {len(row)} fields where the header has {len(header)}"
            start = reader.line_num
    except csv.Error:
        return f'line {start + 1}: a quoted value that is never closed (a " without its pair)'
    return None


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
