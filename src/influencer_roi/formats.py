"""How numbers read on the page: in prose (glued strings), on figure axes and in band labels.

One module with no imports from the package, so every other module (tiers, plots, tables, book) can use it
without an import cycle.

    >>> fmt_int(12345), fmt_num(-0.004), fmt_interval(-0.44, -0.08), fmt_pct(0.4567)
    ('12,345', '0.00', '-0.44 to -0.08', '46%')
    >>> format_followers(2_500_000), band_label(10_000, 100_000), band_label(1_000_000, float("inf"))
    ('2.5M', '10k to 100k', '1M and up')
"""

from __future__ import annotations

import math

import pandas as pd


def fmt_int(value) -> str:
    """12345 -> '12,345'."""
    return f"{int(round(value)):,}"


def fmt_whole(value: float, digits: int = 4) -> str:
    """A large simulated amount or count in prose, whole and rounded to `digits` significant digits: the Monte Carlo's
    last digits are noise, and CPUs differ in them. 161476 -> '161,500'; 467.2 -> '467'; 10055414 -> '10,060,000'."""
    if not math.isfinite(value) or value == 0:
        return fmt_int(value) if math.isfinite(value) else str(value)
    return f"{int(round_whole(value, digits)):,}"


def round_whole(value: float, digits: int = 4) -> float:
    """`value` whole and rounded to `digits` significant digits (fmt_whole's number; tables.Column's significant)."""
    if not math.isfinite(value) or value == 0:
        return value
    keep = digits - 1 - math.floor(math.log10(abs(value)))
    return float(round(value, min(keep, 0)))


P_FLOOR = 0.001  # below it a p-value is written "< 0.001": its digits say nothing more


def fmt_p_value(p: float) -> str:
    """A p-value in a table cell: 2 significant digits (0.012, 0.50), '< 0.001' below that, never '3e-43'."""
    if _missing(p):
        return "–"
    return f"< {P_FLOOR:g}" if p < P_FLOOR else f"{p:#.2g}"


def fmt_p(p: float) -> str:
    """A p-value in prose, with its 'p': 'p < 0.001', 'p = 0.012'."""
    text = fmt_p_value(p)
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def fmt_count(n: int, noun: str, plural: str | None = None) -> str:
    """A count with its noun, singular for one: (1, 'parameter') -> '1 parameter', (12, 'row') -> '12 rows'."""
    return f"{fmt_int(n)} {noun if n == 1 else (plural or noun + 's')}"


def fmt_followers(value: float) -> str:
    """Follower counts in prose: 10000 -> '10,000'."""
    return fmt_int(value)


def fmt_num(value: float, digits: int = 2) -> str:
    """-0.263 -> '-0.26'; never '-0.00' (a value that rounds to zero is written without a sign)."""
    text = f"{value:.{digits}f}"
    return text.lstrip("-") if float(text) == 0 else text


def fmt_interval(low: float, high: float, digits: int = 2) -> str:
    """An interval in prose: '-0.44 to -0.08'."""
    return f"{fmt_num(low, digits)} to {fmt_num(high, digits)}"


def _missing(value) -> bool:
    return value is None or not math.isfinite(value)


def fmt_pct(fraction: float, digits: int = 0) -> str:
    """0.4567 -> '46%'; a missing value is a dash."""
    return "–" if _missing(fraction) else f"{100 * fraction:.{digits}f}%"


def fmt_money(value: float, currency: str | None = "$", digits: int = 0) -> str:
    """412345.6 -> '$412,346'; with a code or a word ('EUR', 'kr') it follows the number; a missing value is a
    dash."""
    if _missing(value):
        return "–"
    number = f"{abs(value):,.{digits}f}"
    sign = "−" if value < 0 else ""
    if not currency:
        return f"{sign}{number}"
    return f"{sign}{currency}{number}" if not currency[-1].isalpha() else f"{sign}{number} {currency}"


def fmt_times(value: float) -> str:
    """A ratio as read aloud: 0.042, 0.8, 3.3, 12."""
    if _missing(value):
        return "–"
    if value < 0.095:
        return f"{value:.2g}"
    return f"{value:.1f}" if value < 9.95 else f"{value:,.0f}"


def fmt_ratio(value: float) -> str:
    """3.31 -> '3.3x'."""
    return f"{fmt_times(value)}x"


def fmt_number(value: float) -> str:
    """A number in the command's tables: whole above 100 (12,345), three significant digits below (0.0412)."""
    if _missing(value):
        return "–"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def format_followers(value: float, _pos=None) -> str:
    """Follower counts where space is short (axes, band labels): 1,000 -> '1k', 2,500,000 -> '2.5M'. The second
    argument lets matplotlib use it as a tick formatter."""
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:g}{suffix}"
    return f"{value:g}"


def band_label(lower: float, upper: float) -> str:
    """A band in words, with the compact follower format: '10k to 100k', 'under 10k', '1M and up'."""
    lower_open = pd.isna(lower) or lower == 0
    upper_open = pd.isna(upper) or math.isinf(upper)
    if lower_open and upper_open:
        return "any size"
    if lower_open:
        return f"under {format_followers(upper)}"
    if upper_open:
        return f"{format_followers(lower)} and up"
    return f"{format_followers(lower)} to {format_followers(upper)}"
