"""Charts of posts' engagement: the real Instagram posts, and a reader's own posts (influencer-roi engagement)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, NullFormatter

from ..constants import FOLLOWER_FLOOR
from ..formats import format_followers
from .style import FOLLOWER_RANGE, TIER_COLOURS, WIDTH, follower_axis, log_axis, percent, tier_bands, tight


def _engagement_axes(ax: plt.Axes, limits: tuple[float, float], ylabel: str, note: str) -> None:
    log_axis(ax, "y", percent)
    ax.set_ylabel(ylabel)
    follower_axis(ax, limits=limits, label="Followers (log scale)" + (f"\n{note}" if note else ""))
    ax.legend(loc="lower left")
    tight(ax)


def engagement_density_chart(
    data: pd.DataFrame,
    line: pd.DataFrame,
    note: str = "",
    gridsize: int = 40,
    limits: tuple[float, float] = (FOLLOWER_FLOOR, 100_000_000),
) -> plt.Figure:
    """Engagement rate against followers as a density (hexagonal bins on log-log axes, counts on a log colour scale)
    rather than one dot per post, with the fitted elasticity and its 95% band, over the tier bands. Inputs:
    post_table.prepare and engagement.fitted_line."""
    from matplotlib.colors import LogNorm

    fig, ax = plt.subplots(figsize=(WIDTH, 4.6))
    tier_bands(ax, alpha=0.07, limits=limits)
    cells = ax.hexbin(
        data["followers"],
        data["engagement_rate"],
        xscale="log",
        yscale="log",
        gridsize=gridsize,
        mincnt=1,
        cmap="Blues",
        norm=LogNorm(),
        linewidths=0,
        zorder=1,
        rasterized=True,
    )
    ax.fill_between(line["followers"], line["ci_low"], line["ci_high"], color="#D55E00", alpha=0.35, lw=0, zorder=2)
    ax.plot(line["followers"], line["fitted"], color="#D55E00", lw=2, zorder=3, label="fitted elasticity (95% band)")
    bar = fig.colorbar(cells, ax=ax, orientation="horizontal", pad=0.2, fraction=0.05, aspect=40)
    bar.set_label("posts per cell (log scale)")
    _engagement_axes(ax, limits, "Engagement rate per post (log scale)", note)
    return fig


def sponsored_chart(table: pd.DataFrame, note: str = "") -> plt.Axes:
    """engagement.sponsored_penalty: sponsored engagement as a multiple of the same accounts' organic engagement,
    per tier (and for all tiers together), with 95% intervals; 1 means no difference. Each row is labelled with the
    number of accounts that have both kinds of post."""
    fig, ax = plt.subplots(figsize=(WIDTH, 0.55 * len(table) + 1.5))
    y = np.arange(len(table))
    colours = [TIER_COLOURS.get(t, "#000000") for t in table["term"]]
    ax.axvline(1, color="grey", lw=1)
    ax.hlines(y, table["ratio_ci_low"], table["ratio_ci_high"], colors=colours, lw=3)
    ax.scatter(table["ratio"], y, color=colours, edgecolors="black", linewidths=0.5, s=40, zorder=3)
    ax.set_yticks(
        y, [f"{'all tiers' if t == 'all' else t}\n({a:,} accounts)" for t, a in zip(table["term"], table["accounts"])]
    )
    ax.set_ylim(len(table) - 0.5, -0.5)
    ax.set_xscale("log")
    ax.set_xticks([0.4, 0.6, 0.8, 1, 1.25, 1.6])
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:g}×"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("Sponsored ÷ organic engagement rate,\nsame accounts (log scale)" + (f"\n{note}" if note else ""))
    ax.grid(axis="y", visible=False)
    fig.tight_layout()
    return ax


def engagement_chart(
    data: pd.DataFrame,
    line: pd.DataFrame,
    medians: pd.DataFrame,
    max_points: int = 4_000,
    seed: int = 0,
    note: str = "",
) -> plt.Figure:
    """Engagement rate of each post against followers (log-log; a seeded sample above `max_points` posts, the fits
    use all), the fitted elasticity with its 95% band, and each tier's median account with its 95% interval,
    placed at the tier's median follower count. Inputs: post_table.prepare, fitted_line, tier_medians."""
    shown = data if len(data) <= max_points else data.sample(max_points, random_state=seed)
    fig, ax = plt.subplots(figsize=(WIDTH, 4.2))
    tier_bands(ax, alpha=0.07, limits=FOLLOWER_RANGE)
    ax.scatter(
        shown["followers"],
        shown["engagement_rate"],
        s=4,
        alpha=0.25,
        color="#555555",
        lw=0,
        rasterized=True,
        label="posts",
    )
    ax.fill_between(line["followers"], line["ci_low"], line["ci_high"], color="#D55E00", alpha=0.3, lw=0)
    ax.plot(line["followers"], line["fitted"], color="#D55E00", lw=2, label="fitted elasticity")
    where = data.groupby("tier", observed=True)["followers"].median()
    for row in medians.itertuples(index=False):
        x = where.get(row.term, np.nan)
        err = np.array([[row.estimate - row.ci_low], [row.ci_high - row.estimate]])
        ax.errorbar(
            x,
            row.estimate,
            yerr=None if np.isnan(err).any() else err,
            fmt="o",
            ms=7,
            capsize=4,
            color=TIER_COLOURS[row.term],
            mec="black",
            mew=0.6,
            zorder=5,
        )
    ax.errorbar([], [], yerr=[], fmt="o", color="#999999", mec="black", label="tier median account (95% CI)")
    _engagement_axes(ax, FOLLOWER_RANGE, "Engagement rate (log scale)", note)
    return fig


def tier_slope_chart(
    spline: pd.DataFrame, separate: pd.DataFrame | None = None, pooled: float | None = None, note: str = ""
) -> plt.Axes:
    """The engagement-rate elasticity in each tier with its 95% interval: the spline's local slope
    (engagement.tier_slopes; `sample` column optional, one marker per sample) and, beside it, a separate fit inside
    the tier (engagement.tier_fits) as a check; a dashed line at the pooled slope and a line at zero."""
    fig, ax = plt.subplots(figsize=(WIDTH, 4.4))
    spline = spline[spline["reported"]] if "reported" in spline.columns else spline
    groups = list(spline.groupby("sample", sort=False)) if "sample" in spline.columns else [("spline", spline)]
    series = [(f"spline: {label}" if "sample" in spline.columns else label, g) for label, g in groups]
    if separate is not None:
        series.append(("separate fit in the tier", separate))
    markers = ["o", "s", "D", "^"]
    width = 0.6 / max(len(series), 1)
    tiers = list(dict.fromkeys(spline["tier"]))
    ax.axhline(0, color="grey", lw=1)
    if pooled is not None:
        ax.axhline(pooled, color="black", lw=1, ls="--")
    for k, (_label, table) in enumerate(series):
        table = table[table["tier"].isin(tiers)]
        x = np.array([tiers.index(t) for t in table["tier"]]) + (k - (len(series) - 1) / 2) * width
        colours = [TIER_COLOURS.get(t, "#000000") for t in table["tier"]]
        ax.vlines(x, table["ci_low"], table["ci_high"], colors=colours, lw=2)
        ax.scatter(
            x,
            table["estimate"],
            color=colours,
            marker=markers[k % len(markers)],
            edgecolors="black",
            s=36,
            linewidths=0.5,
            zorder=3,
        )
    ax.set_xticks(range(len(tiers)), tiers)
    ax.set_xlim(-0.6, len(tiers) - 0.4)
    ax.set_ylabel("Elasticity of engagement rate\n(slope in log followers)")
    ax.set_xlabel("Canonical tier" + (f"\n{note}" if note else ""))
    ax.grid(axis="x", visible=False)
    # the legend in grey (the colours are the tiers'), above the axes, where it hides no interval
    handles = [
        Line2D([], [], marker=markers[k % len(markers)], color="grey", markeredgecolor="black", ls="none", label=label)
        for k, (label, _table) in enumerate(series)
    ]
    if pooled is not None:
        handles.insert(0, Line2D([], [], color="black", lw=1, ls="--", label=f"one slope for all ({pooled:.3f})"))
    ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, 1.02), frameon=False, borderaxespad=0)
    fig.tight_layout()
    return ax


# ---- Alt texts: what each chart shows, in words, from the same values it draws (tests/test_alt_text.py checks that a
# chapter's alt text with a number is one of these, glued).


def _pct(value: float) -> str:
    return f"{100 * value:.2g}%"


def _followers(value: float) -> str:
    """A follower count to two significant digits, as the axis writes it: 96,476,007 -> '96M'."""
    return format_followers(float(f"{value:.2g}"))


def engagement_density_alt(data: pd.DataFrame, line: pd.DataFrame) -> str:
    """engagement_density_chart's alt text: the posts' follower range and middle half, and where the fitted line
    (engagement.fitted_line, the one the chart draws) starts and ends, with its band's widest half-width."""
    low, high = data["followers"].quantile([0.25, 0.75])
    first, last = line.iloc[0], line.iloc[-1]
    half = float(((line["ci_high"] - line["fitted"]) / line["fitted"]).max())
    return (
        f"A dense cloud of {len(data):,} posts from {_followers(data['followers'].min())} to "
        f"{_followers(data['followers'].max())} followers, half of them between {_followers(low)} and "
        f"{_followers(high)}; the fitted line falls from about {_pct(first['fitted'])} at "
        f"{_followers(first['followers'])} followers to about {_pct(last['fitted'])} at "
        f"{_followers(last['followers'])}, inside a 95% band at most {half:.0%} either side of it."
    )


def tier_slope_alt(spline: pd.DataFrame, pooled: float | None = None) -> str:
    """tier_slope_chart's alt text, from the spline table it draws (the reported tiers; one point per sample)."""
    spline = spline[spline["reported"]] if "reported" in spline.columns else spline
    tiers = list(dict.fromkeys(spline["tier"]))
    samples = list(dict.fromkeys(spline["sample"])) if "sample" in spline.columns else []
    first = spline[spline["sample"] == samples[0]] if samples else spline
    steep, flat = first.loc[first["estimate"].idxmin()], first.loc[first["estimate"].idxmax()]
    per_tier = (
        f"{len(samples)} points with vertical 95% intervals, one per sample of posts ({', '.join(samples)})"
        if samples
        else "a point with its vertical 95% interval"
    )
    return (
        f"The {len(tiers)} tiers ({', '.join(tiers)}) along the horizontal axis and the elasticity on the vertical "
        f"axis. For each tier, {per_tier}, coloured by tier. On {samples[0] if samples else 'the posts'}, the "
        f"slope runs from {steep['estimate']:.2f} ({steep['tier']}) to {flat['estimate']:.2f} ({flat['tier']})"
        + (f"; a dashed horizontal line marks the single pooled slope, {pooled:.2f}" if pooled is not None else "")
        + "; a grey line marks zero."
    )


def sponsored_alt(table: pd.DataFrame) -> str:
    """sponsored_chart's alt text: each row's multiple and interval, and where the interval lies against 1×."""

    def where(lo: float, hi: float) -> str:
        return "below 1×" if hi < 1 else "above 1×" if lo > 1 else "across 1×"

    rows = [
        f"{'all tiers' if r.term == 'all' else r.term} {r.ratio:.2f}× ({r.ratio_ci_low:.2f}× to "
        f"{r.ratio_ci_high:.2f}×, {where(r.ratio_ci_low, r.ratio_ci_high)}, {r.accounts:,} accounts)"
        for r in table.itertuples(index=False)
    ]
    return (
        f"{len(rows)} rows of a point with an interval on a log axis around 1× (no difference): "
        + "; ".join(rows)
        + "."
    )
