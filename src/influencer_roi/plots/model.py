"""Charts of the model part: the regressions on simulated campaigns, their diagnostics and coverage, and the
robustness checks (tier boundaries, power, fake followers)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter

from ..constants import CONFIDENCE
from .style import FOLLOWER_RANGE, LINE_COLOURS, NOTE_GREY, VERDICT_COLOURS, WIDTH, follower_axis, log_axis, tier_bands


def roi_fit_chart(
    data: pd.DataFrame,
    roas_line: pd.DataFrame,
    revenue_line: pd.DataFrame,
    cost_line: pd.DataFrame,
    max_points: int = 4_000,
    seed: int = 0,
    note: str = "",
) -> plt.Figure:
    """Top: return per dollar of each campaign against followers, with the fitted elasticity and its 95% band.
    Bottom: the decomposition, revenue and cost per campaign, each with its fitted line. Above `max_points`
    campaigns a seeded random sample is drawn (the fits use all). Points are rasterised to keep the file small.
    The figure's axes are (return per dollar, revenue and cost), in that order."""
    shown = data if len(data) <= max_points else data.sample(max_points, random_state=seed)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(WIDTH, 6.6), sharex=True)
    for ax in (top, bottom):
        tier_bands(ax, alpha=0.07, limits=FOLLOWER_RANGE, label=ax is top)
    top.scatter(shown["followers"], shown["roas"], s=4, alpha=0.25, color="#555555", rasterized=True, lw=0)
    top.fill_between(
        roas_line["followers"], roas_line["ci_low"], roas_line["ci_high"], color="#D55E00", alpha=0.3, lw=0
    )
    top.plot(roas_line["followers"], roas_line["fitted"], color="#D55E00", lw=2)
    log_axis(top, "y")
    top.set_ylabel("Revenue ÷ cost (log scale)")
    top.set_title("Return per dollar", pad=18, loc="left")
    for line, colour, label, column in (
        (revenue_line, "#0072B2", "revenue", "revenue"),
        (cost_line, "#E69F00", "cost", "cost"),
    ):
        bottom.scatter(shown["followers"], shown[column], s=3, alpha=0.15, color=colour, rasterized=True, lw=0)
        bottom.fill_between(line["followers"], line["ci_low"], line["ci_high"], color=colour, alpha=0.3, lw=0)
        bottom.plot(line["followers"], line["fitted"], color=colour, lw=2, label=label)
    log_axis(bottom, "y")
    bottom.set_ylabel("USD per campaign (log scale)")
    bottom.set_title("Revenue and cost", loc="left")
    bottom.legend(loc="upper left")
    for ax in (top, bottom):
        follower_axis(ax, limits=FOLLOWER_RANGE, label="")
    bottom.set_xlabel("Followers (log scale)" + (f"\n{note}" if note else ""))
    fig.tight_layout()
    return fig


def diagnostics_chart(diagnostics: pd.DataFrame, max_points: int = 4_000) -> plt.Figure:
    """Top: residuals against fitted values. Bottom: Cook's distance against followers, with the common 4/n
    threshold. Input: models.ols_diagnostics."""
    shown = diagnostics if len(diagnostics) <= max_points else diagnostics.sample(max_points, random_state=0)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(WIDTH, 6.4))
    top.scatter(shown["fitted"], shown["residual"], s=4, alpha=0.3, color="#555555", lw=0, rasterized=True)
    top.axhline(0, color="#D55E00", lw=1)
    top.set_xlabel("Fitted log return per dollar")
    top.set_ylabel("Residual")
    top.set_title("Residuals", loc="left")
    tier_bands(bottom, label=False, alpha=0.07, limits=FOLLOWER_RANGE)
    bottom.scatter(shown["followers"], shown["cooks_distance"], s=4, alpha=0.4, color="#0072B2", lw=0, rasterized=True)
    bottom.axhline(4 / len(diagnostics), color="#D55E00", lw=1, ls="--", label="4 / n")
    follower_axis(bottom, limits=FOLLOWER_RANGE)
    bottom.set_yscale("log")
    bottom.set_ylabel("Cook's distance (log scale)")
    bottom.set_title("Influence", loc="left")
    bottom.legend(loc="lower left")
    fig.tight_layout()
    return fig


def coverage_chart(summary: pd.DataFrame, nominal: float = CONFIDENCE) -> plt.Axes:
    """Coverage of each model's 95% intervals (dot) with its Wilson interval, one row per model and scenario."""
    fig, ax = plt.subplots(figsize=(WIDTH, 0.5 * len(summary) + 1.2))
    labels = summary["model"] + "\n" + summary["scenario"]
    y = np.arange(len(summary))
    ax.axvline(nominal, color="grey", lw=1)
    colours = np.where(
        summary["coverage_ci_high"] < nominal, VERDICT_COLOURS["inconsistent"], VERDICT_COLOURS["consistent"]
    )
    ax.hlines(y, summary["coverage_ci_low"], summary["coverage_ci_high"], color=colours, lw=2)
    ax.scatter(summary["coverage"], y, color=colours, zorder=3, s=25)
    ax.set_yticks(y, labels)
    ax.set_ylim(len(summary) - 0.5, -0.5)
    ax.set_xlim(0, 1.02)
    ax.set_xlabel("Share of 95% intervals that contain\nthe true elasticity")
    ax.grid(axis="y", visible=False)
    fig.tight_layout()
    return ax


def boundary_heatmap(table: pd.DataFrame, labels: pd.Series | dict | None = None, note: str = "") -> plt.Axes:
    """Tier ratios (robustness.boundary_sensitivity) as a heat map: one row per scheme, one column per contrast,
    each cell annotated with its ratio; blank where the scheme does not define both tiers. A log colour scale, so
    that 2x and 0.5x are equally far from 1; light colours only, so the dark annotations read on every cell."""
    import seaborn as sns
    from matplotlib.colors import LinearSegmentedColormap, LogNorm

    labels = dict(labels or {})
    grid = table.pivot(index="scheme_id", columns="contrast", values="ratio")
    order = ["canonical"] + [s for s in grid.index if s != "canonical"]
    columns = [
        c
        for c in ("nano_vs_micro", "micro_vs_macro", "macro_vs_mega", "micro_vs_mega", "nano_vs_mega")
        if c in grid.columns
    ]
    grid = grid.loc[order, columns].astype(float)
    grid.index = [labels.get(s, s) for s in grid.index]
    grid.columns = [c.replace("_vs_", "\n÷ ") for c in grid.columns]
    light = LinearSegmentedColormap.from_list("light", plt.get_cmap("Blues")(np.linspace(0.05, 0.5, 64)))
    fig, ax = plt.subplots(figsize=(WIDTH, 0.45 * len(grid) + 1.8))
    sns.heatmap(
        grid,
        annot=True,
        fmt=".2f",
        cmap=light,
        norm=LogNorm(vmin=1, vmax=max(grid.max().max(), 2)),
        annot_kws={"color": "#262626"},
        cbar=False,
        linewidths=0.5,
        linecolor="white",
        ax=ax,
    )
    ax.set_xlabel("Ratio of geometric-mean return per dollar" + (f"\n{note}" if note else ""))
    ax.set_ylabel("")
    ax.tick_params(axis="x", rotation=0)
    fig.tight_layout()
    return ax


def power_chart(table: pd.DataFrame, target: float = 0.8, note: str = "") -> plt.Axes:
    """Power against campaigns per tier (log axis): simulated points and the analytic t-test line, one colour per
    true ratio (column `ratio`), with the usual 80% target."""
    fig, ax = plt.subplots(figsize=(WIDTH, 4.0))
    for colour, (ratio, group) in zip(LINE_COLOURS, table.groupby("ratio", sort=True)):
        ax.plot(group["campaigns_per_tier"], group["power_analytic"], color=colour, lw=1.5)
        ax.scatter(
            group["campaigns_per_tier"],
            group["power_simulated"],
            color=colour,
            s=22,
            zorder=3,
            label=f"{ratio:g}x difference",
        )
    ax.axhline(target, color=NOTE_GREY, lw=1, ls="--")
    ax.text(table["campaigns_per_tier"].min(), target + 0.02, f"{target:.0%} power", color=NOTE_GREY)
    log_axis(ax, "x")
    ax.set_xlabel("Campaigns in each of the two tiers (log scale)" + (f"\n{note}" if note else ""))
    ax.set_ylabel("Chance of detecting it (p < 0.05)")
    ax.set_ylim(0, 1.02)
    ax.legend(loc="lower right", title="true ratio\n(points: simulated; lines: t-test)")
    fig.tight_layout()
    return ax


def estimates_chart(table: pd.DataFrame, group: str, group_label: str, note: str = "") -> plt.Figure:
    """Estimated elasticities with 95% intervals against their truth, one panel per metric (column `metric`),
    stacked, one point per value of `group` (robustness.fake_followers)."""
    metrics = list(dict.fromkeys(table["metric"]))
    fig, axes = plt.subplots(len(metrics), 1, figsize=(WIDTH, 2.1 * len(metrics) + 0.8), sharex=True)
    axes = np.atleast_1d(axes)
    for ax, metric in zip(axes, metrics):
        rows = table[table["metric"] == metric]
        ax.errorbar(
            rows[group],
            rows["estimate"],
            yerr=[rows["estimate"] - rows["ci_low"], rows["ci_high"] - rows["estimate"]],
            fmt="o",
            color="#0072B2",
            capsize=3,
            label="estimated",
        )
        ax.axhline(rows["truth"].iloc[0], color="#D55E00", lw=1.5, ls="--", label="true (no fakes)")
        ax.set_title(metric.replace("_", " "), loc="left")
        ax.set_ylabel("Elasticity")
    axes[0].legend(loc="best")
    axes[-1].set_xlabel(group_label + (f"\n{note}" if note else ""))
    axes[-1].xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:g}"))
    fig.tight_layout()
    return fig
