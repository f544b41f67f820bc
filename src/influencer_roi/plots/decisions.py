"""Charts of the deciding part: strategies across budgets and worlds, the flips, management cost and the frontier."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter
from matplotlib.transforms import blended_transform_factory

from ..formats import format_followers
from .style import SMALL, TIER_COLOURS, WIDTH, log_axis, money

STRATEGY_COLOURS = {
    "all mega": TIER_COLOURS["mega"],
    "all macro": TIER_COLOURS["macro"],
    "all micro": TIER_COLOURS["micro"],
    "all nano": TIER_COLOURS["nano"],
    "70/30 micro/mega": "#2A86C2",
    "pyramid": "#D55E00",
    "nano first": "#000000",
    "micro first": "#767676",
}


def _colour(name: str) -> str:
    return STRATEGY_COLOURS.get(name, "#3D3D3D")


def _budget_panels(table: pd.DataFrame, extra: float):
    """One panel per budget, stacked, sharing the x axis: (figure, [(axes, budget, rows by strategy)], strategies,
    their colours)."""
    budgets = sorted(table["budget"].unique())
    names = list(dict.fromkeys(table["strategy"]))
    height = (0.28 * len(names) + 0.7) * len(budgets) + extra
    fig, axes = plt.subplots(len(budgets), 1, figsize=(WIDTH, height), sharex=True, squeeze=False)
    panels = [
        (ax, budget, table[table["budget"] == budget].set_index("strategy").reindex(names))
        for ax, budget in zip(axes[:, 0], budgets)
    ]
    return fig, panels, names, [_colour(n) for n in names]


def strategies_chart(table: pd.DataFrame, note: str = "") -> plt.Figure:
    """allocate.compare's table: per budget (one panel each, stacked), each strategy's return per dollar, its 5th-95th
    percentile range as a bar and its expected value as a dot; strategies in a fixed colour."""
    fig, panels, names, colours = _budget_panels(table, 0.9)
    for ax, budget, rows in panels:
        y = np.arange(len(names))
        ax.hlines(y, rows["rpd_p05"], rows["rpd_p95"], colors=colours, lw=3, alpha=0.5)
        ax.scatter(rows["return_per_dollar"], y, c=colours, s=30, zorder=3, edgecolors="black", linewidths=0.5)
        ax.set_title(f"budget {money(budget)}", loc="left")
        ax.set_yticks(y, names)
        ax.set_ylim(len(names) - 0.5, -0.5)
        ax.grid(axis="y", visible=False)
    panels[-1][0].set_xlabel(
        "Revenue per dollar spent\n(dot: expected; bar: 5th to 95th percentile)" + (f"\n{note}" if note else "")
    )
    fig.tight_layout()
    return fig


def frontier_chart(mixes: pd.DataFrame, named: pd.DataFrame, note: str = "") -> plt.Figure:
    """Top: expected return per dollar against its 5th percentile for every mix (allocate.frontier), the efficient
    ones outlined; bottom: against reach. The named strategies (one row each in `named`) are labelled."""
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(WIDTH, 8.2))
    for ax, x, label in (
        (top, "rpd_p05", "5th percentile of revenue per dollar (worse ←)"),
        (bottom, "mean_reach", "People reached (log scale)"),
    ):
        ax.scatter(mixes[x], mixes["return_per_dollar"], s=14, color="#BBBBBB", lw=0, label="mixes in steps of 25%")
        efficient = mixes[mixes["efficient"]]
        ax.scatter(
            efficient[x],
            efficient["return_per_dollar"],
            s=22,
            facecolors="none",
            edgecolors="#555555",
            lw=1,
            label="efficient (top panel)",
        )
        for row in named.itertuples(index=False):
            ax.scatter(
                getattr(row, x),
                row.return_per_dollar,
                s=40,
                color=_colour(row.strategy),
                edgecolors="black",
                linewidths=0.5,
                zorder=3,
                label=row.strategy,
            )
        ax.set_xlabel(label)
        ax.set_ylabel("Expected revenue per dollar")
    log_axis(bottom, "x", format_followers)
    handles, labels = top.get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncols=2, bbox_to_anchor=(0.5, 0.0))
    if note:
        fig.suptitle(note, y=0.995)
    fig.tight_layout(rect=(0, 0.2, 1, 0.98))
    return fig


def management_chart(table: pd.DataFrame, note: str = "") -> plt.Axes:
    """allocate.management_sensitivity: expected return per dollar against management cost per creator."""
    fig, ax = plt.subplots(figsize=(WIDTH, 3.8))
    for name, rows in table.groupby("strategy", sort=False):
        ax.plot(rows["management_cost"], rows["return_per_dollar"], marker="o", ms=4, color=_colour(name), label=name)
    ax.set_xlabel("Management cost per creator, USD" + (f"\n{note}" if note else ""))
    ax.set_ylabel("Expected revenue per dollar")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"${v:,.0f}"))
    ax.legend()
    fig.tight_layout()
    return ax


def decision_chart(table: pd.DataFrame, note: str = "") -> plt.Figure:
    """allocate.decision_table: per budget (one panel each, stacked), each strategy's expected margin (revenue x
    margin - spend, what strategies are ranked on) per dollar of budget as a dot, with the 5th to 95th percentile
    across the worlds of the evidence as a bar, labelled with its probability of being best."""
    fig, panels, names, colours = _budget_panels(table, 1.2)
    for ax, budget, rows in panels:
        y = np.arange(len(names))
        ax.axvline(0, color="grey", lw=0.8)
        ax.hlines(y, rows["margin_p05"] / budget, rows["margin_p95"] / budget, colors=colours, lw=3, alpha=0.6)
        ax.scatter(rows["mean_margin"] / budget, y, c=colours, s=30, zorder=3, edgecolors="black", linewidths=0.5)
        for yi, (x, p) in enumerate(zip(rows["margin_p95"] / budget, rows["p_best"])):
            if p > 0:
                ax.text(x, yi, f" {p:.0%}", va="center")
        ax.set_yticks(y, names)
        ax.set_ylim(len(names) - 0.5, -0.5)
        ax.set_title(f"budget {money(budget)} (label: P(best))", loc="left")
        ax.grid(axis="y", visible=False)
    panels[-1][0].set_xlabel(
        "Expected margin per dollar of budget (dot),\n5th to 95th percentile across worlds (bar)"
        + (f"\n{note}" if note else "")
    )
    fig.tight_layout()
    return fig


def decision_alt(table: pd.DataFrame) -> str:
    """decision_chart's alt text, from the table it draws: per budget, the strategy with the most expected margin
    per dollar of budget, its P(best), and the strategies whose bar reaches below zero."""
    budgets = sorted(table["budget"].unique())
    parts = []
    for budget in budgets:
        rows = table[table["budget"] == budget]
        top = rows.loc[rows["mean_margin"].idxmax()]
        losing = rows.loc[rows["margin_p05"] < 0, "strategy"].tolist()
        parts.append(
            f"at {money(budget)}, {top['strategy']} has the highest dot ({top['mean_margin'] / budget:.2f} per dollar, "
            f"best in {top['p_best']:.0%} of worlds)"
            + (
                f"; {len(losing)} of the {len(rows)} bars reach below zero ({', '.join(losing)})"
                if 0 < len(losing) <= 3
                else f"; {len(losing)} of the {len(rows)} bars reach below zero"
                if losing
                else "; no bar reaches below zero"
            )
        )
    n = rows["strategy"].nunique()
    return (
        f"{len(budgets)} stacked panels, one per budget, each listing {n} strategies with a dot (expected margin per "
        f"dollar of budget) and a bar (5th to 95th percentile across worlds): " + "; ".join(parts) + "."
    )


def flip_alt(curves: pd.DataFrame, interval: tuple[float, float]) -> str:
    """flip_chart's alt text, from the curves it draws: per budget, the best strategy from the steep end of the
    drawn range to the flat end, in order, and whether the best changes inside the shaded interval."""
    budgets = sorted(curves["budget"].unique())
    parts = []
    for budget in budgets:
        rows = curves[curves["budget"] == budget]
        best = rows.loc[rows.groupby("e_rpd")["expected_margin"].idxmax()].sort_values("e_rpd")
        order = list(dict.fromkeys(best["strategy"]))
        inside = best[(best["e_rpd"] >= interval[0]) & (best["e_rpd"] <= interval[1])]["strategy"].nunique() > 1
        parts.append(
            f"at {money(budget)} the highest line is {' then '.join(order)}"
            + (", changing inside the grey interval" if inside else ", the same across the grey interval")
        )
    return (
        f"{len(budgets)} stacked panels of lines, one per strategy, against the elasticity of return per dollar, from "
        "steep (left) to flat (right); " + "; ".join(parts) + "."
    )


def flip_chart(curves: pd.DataFrame, interval: tuple[float, float], estimate: float, note: str = "") -> plt.Figure:
    """allocate.best_by_elasticity for one or more budgets (column budget): each strategy's expected margin per
    dollar of budget at each elasticity of return per dollar, one panel per budget, with the evidence's interval
    shaded and its estimate marked. The highest line is the best strategy there."""
    budgets = sorted(curves["budget"].unique())
    height = 2.3 * len(budgets) + 2.4
    fig, axes = plt.subplots(len(budgets), 1, figsize=(WIDTH, height), sharex=True, squeeze=False)
    for ax, budget in zip(axes[:, 0], budgets):
        rows = curves[curves["budget"] == budget]
        ax.axvspan(*interval, color="#DDDDDD", lw=0, zorder=0, label="the evidence's 95% interval")
        ax.axvline(estimate, color="black", lw=0.8, ls="--", label="its estimate")
        ax.axhline(0, color="grey", lw=0.8)
        for name, group in rows.assign(per_dollar=rows["expected_margin"] / budget).groupby("strategy", sort=False):
            ax.plot(group["e_rpd"], group["per_dollar"], color=_colour(name), lw=1.6, label=name)
        ax.set_ylabel("margin per $")
        ax.set_title(f"budget {money(budget)}", loc="left")
    axes[-1, 0].set_xlabel(
        "Elasticity of return per dollar with respect to\nfollowers (the rest central)" + (f"\n{note}" if note else "")
    )
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncols=2, bbox_to_anchor=(0.5, 0.0))
    fig.tight_layout(rect=(0, 1.6 / height, 1, 1))
    return fig


def tornado_chart(table: pd.DataFrame, note: str = "") -> plt.Figure:
    """allocate.one_way_sensitivity: one bar per assumption, from its low to its high end, of the margin per dollar
    of the strategy best at the assumed values, widest on top, each end's dot in the colour of the strategy best
    there; above it, each end's setting and that strategy (low | high), in bold where one is not the assumed best
    (the assumption moves the decision)."""
    order = list(dict.fromkeys(table["assumption"]))
    fig, ax = plt.subplots(figsize=(WIDTH, 0.7 * len(order) + 1.4))
    values = table["assumed_best_profit_per_dollar"]
    span = float(values.max() - values.min()) or 1.0
    for y, name in enumerate(order):
        rows = table[table["assumption"] == name].set_index("end")
        ends = sorted(
            (("low", rows.loc["low"]), ("high", rows.loc["high"])), key=lambda e: e[1]["assumed_best_profit_per_dollar"]
        )
        xs = [row["assumed_best_profit_per_dollar"] for _, row in ends]
        ax.plot(xs, [y, y], color="#999999", lw=6, solid_capstyle="butt")
        for _end, row in ends:
            ax.scatter([row["assumed_best_profit_per_dollar"]], [y], color=_colour(row["best"]), s=40, zorder=3)
        low, high = rows.loc["low"], rows.loc["high"]
        ax.text(
            0.5,
            y - 0.22,
            f"{low['setting']:,.4g}: {low['best']}  |  {high['setting']:,.4g}: {high['best']}",
            transform=blended_transform_factory(ax.transAxes, ax.transData),
            ha="center",
            va="bottom",
            fontsize=SMALL,
            fontweight="bold" if bool(rows["changes_decision"].any()) else "normal",
        )
    labels = [table.loc[table["assumption"] == n, "label"].iloc[0] for n in order]
    ax.set_yticks(range(len(order)), ["\n".join(textwrap.wrap(t, 26)) for t in labels], fontsize=SMALL)
    ax.set_ylim(len(order) - 0.5, -0.8)
    ax.set_xlim(float(values.min()) - 0.1 * span, float(values.max()) + 0.1 * span)
    best = table["assumed_best"].iloc[0]
    ax.set_xlabel(f"Margin per dollar of {best}\n(the best at the assumed values)" + (f"\n{note}" if note else ""))
    ax.grid(axis="y", visible=False)
    fig.tight_layout()
    return fig
