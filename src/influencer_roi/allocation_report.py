"""What `influencer-roi allocate` writes and prints: the strategies table in words, the answer sentence (best strategy,
ties, chance of being best, the condition under which it flips), and results.json, strategies.svg and report.html,
on report's page machinery (templates: every value escaped, no script allowed)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from . import paths, plots, templates
from .allocate import TIE_SHARE, condition
from .formats import fmt_money, fmt_num, fmt_number, fmt_pct
from .report import run_info, strict_json, svg_file
from .tiers import TIERS

# How each column of allocate.compare's table is shown: heading and kind of number. A column not listed here is
# still shown, formatted by its name (p_* and *_share as percents, *revenue*, *spent*, *cost* as money, others as
# numbers), so that a new column of compare() appears without a change here; list it for a better heading.
ALLOCATION_COLUMNS = {
    "return_per_dollar": ("return per $", "ratio"),
    "rpd_p05": ("5th pct", "ratio"),
    "rpd_p50": ("median", "ratio"),
    "rpd_p95": ("95th pct", "ratio"),
    "p_loss": ("chance of loss", "percent"),
    "mean_revenue": ("expected revenue", "money"),
    "revenue_se": ("± (simulation)", "money"),
    "mean_reach": ("people reached", "count"),
    "mean_creators": ("creators", "decimal"),
    "unspent_share": ("unspent", "percent"),
    "expected_margin": ("expected margin", "money"),
    "margin_worlds": ("margin over worlds", "money"),
    "p_best": ("chance of being best", "percent"),
    "revenue_worlds_p05": ("revenue, 5% of worlds", "money"),
    "revenue_worlds_p95": ("revenue, 95% of worlds", "money"),
}
HIDDEN_COLUMNS = ("budget", "strategy")


def _kind_of(column: str) -> str:
    if column in ALLOCATION_COLUMNS:
        return ALLOCATION_COLUMNS[column][1]
    if column.startswith("p_") or column.endswith(("_share", "_probability")):
        return "percent"
    if any(word in column for word in ("revenue", "spent", "cost", "budget")):
        return "money"
    return "number"


def _formatter(kind: str, currency: str | None) -> Callable[[float], str]:
    return {
        "ratio": lambda v: "–" if not np.isfinite(v) else f"{v:.2f}",
        "percent": lambda v: fmt_pct(v, 1),
        "money": lambda v: fmt_money(v, currency),
        "count": lambda v: fmt_money(v, None),
        "decimal": lambda v: "–" if not np.isfinite(v) else f"{v:,.1f}",
        "number": fmt_number,
    }[kind]


def format_allocation(table: pd.DataFrame, currency: str | None = "$") -> pd.DataFrame:
    """allocate.compare's table as text a reader reads: one row per strategy, headings in words, money with the
    currency and thousands separators, shares as percents. Every column is shown (see ALLOCATION_COLUMNS)."""
    shown = table.set_index("strategy").drop(
        columns=[c for c in HIDDEN_COLUMNS if c in table.columns and c != "strategy"]
    )
    out = pd.DataFrame(index=shown.index)
    for column in shown.columns:
        heading = ALLOCATION_COLUMNS.get(column, (column.replace("_", " "), None))[0]
        values = pd.to_numeric(shown[column], errors="coerce").astype(float)
        out[heading] = [_formatter(_kind_of(column), currency)(v) for v in values]
    out.index.name = "strategy"
    return out


def allocation_answer(record: dict, table: pd.DataFrame, currency: str | None = "$") -> str:
    """The first sentence names the best strategy in words: the most expected margin (revenue x gross margin -
    spend; over the worlds of the evidence when there are some, as the book's decision grid ranks), with that
    margin, its revenue, its return per dollar and its chance of a loss; then the ones within TIE_SHARE of the budget
    of it (one choice), its chance of being best, the condition under which it flips, and the all-small against the
    all-large strategy."""
    spent = table[table["mean_creators"] > 0]
    budget = record["budget"]
    if spent.empty:
        return (
            f"No strategy could book a single creator with {fmt_money(budget, currency)}; the "
            "budget is below the price of one creator plus the management cost."
        )
    evidence = record.get("evidence")
    key = "margin_worlds" if evidence and "margin_worlds" in spent.columns else "expected_margin"
    best = spent.loc[spent[key].idxmax()]
    loss = best["p_loss"]
    risk = (
        "no draw lost money"
        if loss == 0
        else "under 1% of draws lost money"
        if loss < 0.01
        else f"{fmt_pct(loss, 0)} of draws lost money"
    )
    across = bool(evidence) and key == "margin_worlds"
    where = f" averaged over {(evidence or {}).get('worlds', 0):,} worlds of the evidence" if across else ""
    sentence = (
        f"The best strategy for {fmt_money(budget, currency)} is {best['strategy']}: the most expected margin "
        f"(revenue x {fmt_pct(1 / record['breakeven'], 0)} gross margin - spend), "
        f"{fmt_money(best[key], currency)}{where}; "
        + ("in the central world, " if across else "")
        + f"expected revenue {fmt_money(best['mean_revenue'], currency)}, "
        f"{best['return_per_dollar']:.2f} per dollar spent; {risk} (SIMULATED)."
    )
    if best[key] < 0:
        sentence += (
            " No strategy pays at this margin: every one loses money on average, and keeping the budget (a margin"
            " of 0) does better than any."
        )
    others = [
        s for s, m in zip(spent["strategy"], spent[key]) if s != best["strategy"] and best[key] - m < TIE_SHARE * budget
    ]
    if others:
        sentence += (
            f" Within {fmt_pct(TIE_SHARE, 0)} of the budget in margin it is tied with {', '.join(others)}: one choice."
        )
    by_name = spent.set_index("strategy")
    if evidence and "p_best" in by_name.columns:
        sentence += f" It is the best in {fmt_pct(by_name.loc[best['strategy'], 'p_best'], 0)} of the worlds."
        sentence += " " + allocation_condition(evidence)
    sentence += extrapolation_warning(record)
    if {"all nano", "all mega"} <= set(by_name.index):
        sentence += (
            f" All nano returned {by_name.loc['all nano', 'return_per_dollar']:.2f} per dollar, all mega "
            f"{by_name.loc['all mega', 'return_per_dollar']:.2f}."
        )
    return sentence


def extrapolation_warning(record: dict) -> str:
    """' Warning: ...' when a market fitted to the user's file reaches tiers in which the file has no campaigns
    (record['tiers_without_campaigns']): their rows rest on the fitted curve alone, which the file cannot check."""
    missing = record.get("tiers_without_campaigns") or []
    if not missing:
        return ""
    covered = [t for t in TIERS if t not in missing]
    names = ", ".join(missing[:-1]) + (" and " if len(missing) > 1 else "") + missing[-1]
    return (
        f" Warning: the file has no campaigns in {names}; the strategies that spend there are extrapolated from "
        f"the curves fitted to {', '.join(covered)} campaigns, which the file cannot check: compare only the "
        "strategies that stay within the tiers it covers."
    )


def allocation_condition(evidence: dict) -> str:
    """The recommendation's condition, in words: which strategy is best where, inside the book's interval for the
    elasticity of return per dollar (allocate.condition, as the chapter states it)."""
    parts = evidence["best_by_elasticity"]
    lo, hi = evidence["interval"]
    if len(parts) == 1:
        return (
            f"It stays the best across the evidence's interval for how fast return per dollar falls with size "
            f"(elasticity {fmt_num(lo)} to {fmt_num(hi)}), other things at their central values."
        )
    return (
        "In the central world, other things at their central values, which strategy is best depends on how fast "
        f"your return per dollar falls with size, and the evidence's interval ({fmt_num(lo)} to {fmt_num(hi)}) "
        f"does not settle it: {condition(parts)}."
    )


def allocation_files(record: dict, table: pd.DataFrame, currency: str | None = "$") -> dict:
    """{file name: content} for `allocate`: results.json, strategies.svg, report.html."""
    svg = svg_file(plots.strategies_chart(table, note="SIMULATED"), "strategies.svg", record)
    budget = fmt_money(record["budget"], currency)
    page = templates.render(
        "allocate.html",
        f"influencer-roi allocate: {budget}",
        record["run"],
        record=record,
        budget=budget,
        answer=allocation_answer(record, table, currency),
        management_cost=fmt_money(record["market"]["management_cost"], currency),
        svg=templates.figure(svg),
        table=templates.table(format_allocation(table, currency).reset_index(), index=False),
    )
    return {"strategies.svg": svg, "report.html": page, "results.json": strict_json(record)}


def write_allocation(out: Path, record: dict, table: pd.DataFrame) -> None:
    """Write results.json, strategies.svg and report.html for `influencer-roi allocate`, all or nothing."""
    record = {"run": run_info(None), **record}
    paths.publish(
        {Path(out) / name: content for name, content in allocation_files(record, table).items()}, make_folder=True
    )
