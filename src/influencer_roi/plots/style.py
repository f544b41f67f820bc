"""The house style for figures: a log follower axis, the same tier bands, one colour-blind-safe palette, and text
that stays legible on a phone.

A figure is drawn WIDTH inches wide with no text under SMALL points: a phone about 390 px wide shows a figure
about 340 px wide, so an SVG of WIDTH inches and its margins (about 360 user units) is shown at about 0.95 of its
size, and SMALL becomes about 9.5 px on the screen. Multi-panel figures stack their panels rather than set them
side by side.

    >>> fig, ax = plt.subplots()
    >>> follower_axis(ax)
    >>> tier_bands(ax)
"""

from __future__ import annotations

import math
from typing import cast

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, Formatter, FuncFormatter, NullFormatter

from ..constants import FOLLOWER_CAP, FOLLOWER_FLOOR
from ..formats import format_followers
from ..tiers import CANONICAL, TIERS

WIDTH = 4.8  # inches: every figure of the book (saved with a 0.1 in margin each side)
SMALL = 10.0  # points: the smallest text in a figure (ticks, legends, notes)
TEXT = 10.5  # points: axis labels
TITLE = 11.0  # points: panel titles

# Okabe and Ito's colour-blind-safe palette, for reference: its orange, sky blue and yellow are too light for a
# line or a point on white (2.3:1, 2.3:1 and 1.3:1; WCAG asks 3:1 of a graphical object).
OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"]
# The lines' palette (seaborn's default here): Okabe-Ito's hues with the orange and the sky blue darkened and the
# yellow left out, so every colour is at least MIN_LINE_CONTRAST against the white background (a unit test computes
# each ratio).
LINE_COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#000000", "#AD7700", "#2A86C2", "#767676"]
MIN_LINE_CONTRAST = 3.0
BACKGROUND = "#FFFFFF"
# One fixed colour per tier across the whole book, from LINE_COLOURS (nano's orange darkened).
TIER_COLOURS = dict(zip(TIERS, ["#AD7700", "#0072B2", "#009E73", "#CC79A7"]))
# The same hues darkened for text (tier labels on white): each at least 4.5:1 against white (WCAG AA; a unit test
# computes the ratios). The fills above stay for bands, bars and points.
TIER_TEXT_COLOURS = dict(zip(TIERS, ["#946700", "#0072B2", "#007F5D", "#B84685"]))
OTHER_BAND = "#999999"  # a source's band with no canonical tier name (IAB UK's "mid-tier")
FOLLOWER_LIMITS = (100, 100_000_000)
# The book's follower range, where a chart needs a finite end for the open mega tier.
FOLLOWER_RANGE = (FOLLOWER_FLOOR, FOLLOWER_CAP)
# Fixed colours for source grades (A best), audit verdicts and platforms, from the same Okabe-Ito palette.
GRADE_COLOURS = {"A": "#0072B2", "B": "#56B4E9", "C": "#E69F00", "D": "#D55E00"}
VERDICT_COLOURS = {"consistent": "#009E73", "inconsistent": "#D55E00", "unverifiable": "#999999"}
PLATFORM_COLOURS = {"instagram": "#0072B2", "tiktok": "#D55E00", "youtube": "#009E73", "any": "#000000"}
PLATFORM_MARKERS = {"instagram": "o", "tiktok": "s", "youtube": "^", "any": "D"}
NOTE_GREY = "#555555"  # text in grey (a note, a threshold's label): 7.5:1 on white


def set_style() -> None:
    """Apply the house style to matplotlib and seaborn (called by book.setup())."""
    import seaborn as sns  # here, not at the top: the command line draws without it and starts faster

    sns.set_theme(style="whitegrid", palette=LINE_COLOURS)
    mpl.rcParams.update(
        {
            "figure.figsize": (WIDTH, 3.4),
            "figure.dpi": 96,
            "font.size": TEXT,
            "axes.labelsize": TEXT,
            "axes.titlesize": TITLE,
            "axes.titleweight": "bold",
            "xtick.labelsize": SMALL,
            "ytick.labelsize": SMALL,
            "legend.fontsize": SMALL,
            "legend.title_fontsize": SMALL,
            "figure.titlesize": TITLE,
            "figure.labelsize": TEXT,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "legend.frameon": False,
            # SVG: small, sharp on a phone, and text stays text; a fixed salt makes the file byte-identical
            # between runs, so strict nbval compares figures too.
            "svg.fonttype": "none",
            "svg.hashsalt": "does-smaller-pay",
        }
    )


class LogLabels(Formatter):
    """Tick labels for a log axis: every power of ten, and where the axis spans fewer than `few` decades also the
    minor ticks at 2 and 5 times a power of ten (and 3, within about a decade): one or two labels say too little
    about the scale.
    Use one instance for the major and another for the minor ticks: log_axis() does."""

    def __init__(self, text=lambda v: f"{v:,g}", minor: bool = False, few: float = 2.5):
        self.text, self.minor, self.few = text, minor, few

    def __call__(self, value, pos=None):
        if value <= 0:
            return ""
        if not self.minor:
            return self.text(value)
        low, high = sorted(self.axis.get_view_interval())
        decades = math.log10(high / low) if low > 0 else math.inf
        if decades > self.few:
            return ""
        mantissa = value / 10 ** math.floor(math.log10(value) + 1e-9)
        labelled = (2, 3, 5) if decades < 1.2 else (2, 5)
        return self.text(value) if any(abs(mantissa - m) < 1e-6 for m in labelled) else ""


def tight(ax: plt.Axes) -> None:
    """tight_layout on the figure that holds ax (always a Figure: the charts draw no subfigures)."""
    cast(Figure, ax.figure).tight_layout()


def log_axis(ax: plt.Axes, axis: str = "y", text=lambda v: f"{v:,g}", few: float = 2.5) -> plt.Axes:
    """Make `axis` of `ax` a log axis labelled with `text(value)`, its minor ticks labelled when it spans few
    decades (LogLabels)."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    (ax.set_yscale if axis == "y" else ax.set_xscale)("log")
    target.set_major_formatter(LogLabels(text))
    target.set_minor_formatter(LogLabels(text, minor=True, few=few))
    return ax


def percent(value: float) -> str:
    """A fraction as a tick label: 0.02 -> '2%'."""
    return f"{100 * value:g}%"


def follower_axis(
    ax: plt.Axes, axis: str = "x", limits: tuple[float, float] = FOLLOWER_LIMITS, label: str = "Followers (log scale)"
) -> plt.Axes:
    """Make `axis` of `ax` a log follower axis with ticks at each power of ten, labelled 1k, 10k, 1M."""
    set_scale, set_lim, set_label, target = (
        (ax.set_xscale, ax.set_xlim, ax.set_xlabel, ax.xaxis)
        if axis == "x"
        else (ax.set_yscale, ax.set_ylim, ax.set_ylabel, ax.yaxis)
    )
    set_scale("log")
    set_lim(*limits)
    decades = 10.0 ** np.arange(np.floor(np.log10(limits[0])), np.ceil(np.log10(limits[1])) + 1)
    target.set_major_locator(FixedLocator(decades.tolist()))
    target.set_major_formatter(FuncFormatter(format_followers))
    target.set_minor_formatter(NullFormatter())
    set_label(label)
    return ax


def tier_bands(
    ax: plt.Axes,
    scheme: pd.DataFrame = CANONICAL,
    label: bool = True,
    alpha: float = 0.10,
    limits: tuple[float, float] = FOLLOWER_LIMITS,
) -> plt.Axes:
    """Shade each tier of `scheme` (canonical by default) behind the data on a log follower x axis; its name on
    top, in the tier's text colour."""
    for row in scheme.itertuples(index=False):
        lo = max(row.min_followers if pd.notna(row.min_followers) else limits[0], limits[0])
        hi = min(row.max_followers if pd.notna(row.max_followers) else limits[1], limits[1])
        ax.axvspan(lo, hi, color=TIER_COLOURS[str(row.tier)], alpha=alpha, lw=0, zorder=0)
        if label:
            ax.text(
                np.sqrt(lo * hi),
                1.0,
                str(row.tier),
                transform=ax.get_xaxis_transform(),
                ha="center",
                va="bottom",
                fontsize=SMALL,
                color=TIER_TEXT_COLOURS[str(row.tier)],
                fontweight="bold",
            )
    return ax


def money(value: float) -> str:
    """A budget in a title: 100000 -> '$100k'."""
    return f"${format_followers(value)}"
