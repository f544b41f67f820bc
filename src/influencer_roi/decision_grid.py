"""The decision grid: for each budget, the best strategy, its chance of being best, its expected return per dollar
and its chance of a loss, over the inputs that decide it (price elasticity x management cost per creator x creator
supply x gross margin), each at the low end, the value and the high end of its stated range
(assumptions.ASSUMPTIONS). SIMULATED, across worlds of the evidence (worlds.draws at each price elasticity: the
measured slopes drawn, price entering once, as the axis).

The best strategy is the one with the highest expected margin, revenue x margin - spend (budget left unspent is not
lost), in each world for P(best) and on average over the worlds for `best`.

About three minutes of one core, so it is computed once, by `make grid`, into COMMITTED with its spec beside it; the
chapters read that file (committed_grid), and tests/test_decision_grid.py recomputes a few cells and compares."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd

from . import allocate, worlds
from .assumptions import ASSUMPTIONS, SUPPLY, scaled_supply
from .constants import SPREAD_HIGH, SPREAD_LOW
from .paths import data_dir

BUDGETS = (10_000.0, 100_000.0, 1_000_000.0)
# Each axis at the low end, the value and the high end of its stated range (the price elasticity's value is its high
# end, so its middle is taken instead).
AXES = {
    "price_elasticity": (0.4, 0.7, 1.0),
    "management_cost_usd": tuple(ASSUMPTIONS["management_cost"].__dict__[k] for k in ("low", "value", "high")),
    "supply_scale": tuple(ASSUMPTIONS["supply_scale"].__dict__[k] for k in ("low", "value", "high")),
    "gross_margin": tuple(ASSUMPTIONS["gross_margin"].__dict__[k] for k in ("low", "value", "high")),
}
WORLDS, INNER, SEED = 100, 20, 2026
# Two strategies whose expected margins differ by less than this share of the budget are one choice (deciders).
TIE_SHARE = allocate.TIE_SHARE
COMMITTED = Path("synthetic") / "decision_grid.csv"
# The one-way sensitivity (allocate.one_way_sensitivity) at SENSITIVITY_BUDGET in the central world, committed beside
# the grid so that both chapters read one computation.
SENSITIVITY = Path("synthetic") / "decision_sensitivity.csv"
SENSITIVITY_BUDGET, SENSITIVITY_DRAWS = 100_000.0, 2_000
# Where the best strategy changes along the elasticity of return per dollar at each budget (allocate.best_regions,
# central world, its defaults), committed beside the grid: the allocation, conclusions and benchmarks chapters read
# this one computation (about twenty seconds, most of it at $1M) instead of making it each.
REGIONS = Path("synthetic") / "decision_regions.csv"
REGION_DRAWS = 2_000
DIGITS = 12  # significant digits written: more than any table shows, fewer than the last bits CPUs differ in

# Every column of the file, with its meaning: data/README.md and the data dictionary say the same.
COLUMNS = {
    "budget_usd": "the budget spent (USD)",
    "price_elasticity": "follower elasticity of the price per post (assumption axis)",
    "management_cost_usd": "cost of managing one creator booked (USD, assumption axis)",
    "supply_scale": "suitable creators in the niche, times the assumed supply (assumption axis)",
    "supply_nano": "suitable nano creators at this supply",
    "supply_micro": "suitable micro creators at this supply",
    "supply_macro": "suitable macro creators at this supply",
    "supply_mega": "suitable mega creators at this supply",
    "gross_margin": "share of revenue left after the goods (assumption axis)",
    "strategy": "the strategy (allocate.strategies)",
    "expected_revenue_usd": "expected revenue over the worlds (USD)",
    "revenue_usd_p05": "expected revenue in the worlds' 5th percentile (USD)",
    "revenue_usd_p95": "expected revenue in the worlds' 95th percentile (USD)",
    "expected_spend_usd": "expected spend, prices plus management (USD)",
    "unspent_share": "share of the budget left unspent (no creator left to book)",
    "return_per_dollar": "expected revenue per dollar spent",
    "profit_per_dollar": "expected margin per dollar spent: return_per_dollar x gross_margin - 1",
    "expected_profit_usd": "expected margin: revenue x gross_margin - spend (USD), what strategies are ranked on",
    "profit_usd_p05": "expected margin in the worlds' 5th percentile (USD)",
    "profit_usd_p95": "expected margin in the worlds' 95th percentile (USD)",
    "p_loss": "chance that a campaign loses money (revenue x gross_margin below spend)",
    "p_best": "share of the worlds in which the strategy brings the highest expected margin",
    "best": "the strategy with the highest expected margin over the worlds (one per budget and inputs)",
    "evpi_usd": "expected value of perfect information in margin (USD), the same for every row of a cell",
}


def simulate_cell(
    budget: float,
    price_elasticity: float,
    management_cost: float,
    supply_scale: float,
    n_worlds: int = WORLDS,
    inner: int = INNER,
    seed: int = SEED,
) -> dict:
    """Every strategy's campaigns at one budget and one setting of the simulated axes, across `n_worlds` worlds
    (worlds.draws at this price elasticity), `inner` campaigns each, the same random numbers for every strategy.
    {strategy: tidy frame of world, half_a, revenue, expected_revenue, spent}."""
    market = allocate.Market.calibrated(
        price_elasticity=price_elasticity, management_cost=management_cost, supply=scaled_supply(supply_scale)
    )
    table = worlds.draws(n_worlds, seed=seed, price_elasticity=price_elasticity)
    params = allocate.world_parameters(market, table)
    repeated = params.loc[np.repeat(params.index.to_numpy(), inner)].reset_index(drop=True)
    world = np.repeat(np.arange(n_worlds), inner)
    half = np.tile(np.arange(inner) < inner // 2, n_worlds)
    out = {}
    for name, strategy in allocate.strategies(market).items():
        run = allocate.run(market, budget, strategy, draws=len(repeated), seed=seed, world=repeated)
        out[name] = run[["revenue", "expected_revenue", "spent", "reach", "creators"]].assign(world=world, half_a=half)
    return out


def summarise_cell(outcomes: dict, margin: float, budget: float) -> pd.DataFrame:
    """One cell of the grid at one gross margin, from simulate_cell: a row per strategy (COLUMNS from
    expected_revenue_usd on), ranked by allocate.margin_ranking (the command's rule)."""
    rows, by_world = [], []
    for name, frame in outcomes.items():
        by_world.append(allocate.per_world(frame, budget, 1 / margin).assign(budget=budget, strategy=name))
        revenue, spent = frame.groupby("world")["expected_revenue"].mean(), float(frame["spent"].mean())
        rpd = float(frame["expected_revenue"].mean()) / spent if spent > 0 else float("nan")
        rows.append(
            {
                "strategy": name,
                "expected_revenue_usd": float(revenue.mean()),
                "revenue_usd_p05": float(revenue.quantile(SPREAD_LOW)),
                "revenue_usd_p95": float(revenue.quantile(SPREAD_HIGH)),
                "expected_spend_usd": spent,
                "unspent_share": 1 - spent / budget,
                "return_per_dollar": rpd,
                "profit_per_dollar": rpd * margin - 1,
                "p_loss": float((frame["revenue"] * margin < frame["spent"]).mean()),
            }
        )
    worlds_table = pd.concat(by_world, ignore_index=True)
    ranking = allocate.margin_ranking(worlds_table).set_index("strategy")
    spread = worlds_table.groupby("strategy")["expected_margin"]
    table = pd.DataFrame(rows)
    table["expected_profit_usd"] = table["strategy"].map(ranking["mean_margin"])
    table["profit_usd_p05"] = table["strategy"].map(spread.quantile(SPREAD_LOW))
    table["profit_usd_p95"] = table["strategy"].map(spread.quantile(SPREAD_HIGH))
    table["p_best"] = table["strategy"].map(ranking["p_best"])
    table["best"] = table["strategy"].map(ranking["best"])
    table["evpi_usd"] = table["strategy"].map(ranking["evpi"])
    return table


def decision_grid(
    budgets=BUDGETS, axes: dict | None = None, n_worlds: int = WORLDS, inner: int = INNER, seed: int = SEED
) -> pd.DataFrame:
    """The grid over `budgets` and every combination of `axes` (AXES by default). Tidy: COLUMNS. SIMULATED."""
    axes = axes or AXES
    frames = []
    simulated = ("price_elasticity", "management_cost_usd", "supply_scale")
    for budget, *values in itertools.product(budgets, *(axes[k] for k in simulated)):
        setting = dict(zip(simulated, values))
        outcomes = simulate_cell(
            budget,
            setting["price_elasticity"],
            setting["management_cost_usd"],
            setting["supply_scale"],
            n_worlds=n_worlds,
            inner=inner,
            seed=seed,
        )
        supply = {f"supply_{t}": n for t, n in scaled_supply(setting["supply_scale"]).items()}
        for margin in axes["gross_margin"]:
            cell = summarise_cell(outcomes, margin, budget)
            frames.append(cell.assign(budget_usd=float(budget), **setting, **supply, gross_margin=float(margin)))
    return pd.concat(frames, ignore_index=True)[list(COLUMNS)]


def spec() -> dict:
    """What the committed grid was computed with, written beside it (decision_grid.json)."""
    return {
        "budgets": list(BUDGETS),
        "axes": {k: list(v) for k, v in AXES.items()},
        "supply_at_scale_1": SUPPLY,
        "worlds": WORLDS,
        "inner": INNER,
        "seed": SEED,
        "sensitivity": {"budget": SENSITIVITY_BUDGET, "draws": SENSITIVITY_DRAWS, "seed": SEED},
        "regions": {"budgets": list(BUDGETS), "draws": REGION_DRAWS},
        "central_world": worlds.central(),
        "columns": COLUMNS,
    }


def sensitivity() -> pd.DataFrame:
    """The committed one-way sensitivity, computed afresh (allocate.one_way_sensitivity at SENSITIVITY_BUDGET)."""
    return allocate.one_way_sensitivity(SENSITIVITY_BUDGET, draws=SENSITIVITY_DRAWS, seed=SEED)


def regions(budgets=BUDGETS) -> pd.DataFrame:
    """The committed regions, computed afresh: allocate.best_regions at each budget, the strategies of the
    calibrated market, REGION_DRAWS draws, the rest at best_regions' defaults. Tidy: budget, best, from_e, to_e."""
    market = allocate.Market.calibrated()
    named = allocate.strategies(market)
    return pd.concat(
        [allocate.best_regions(market, budget, named, draws=REGION_DRAWS) for budget in budgets], ignore_index=True
    )


def write_grid(folder: Path | None = None, grid: bool = True) -> Path:
    """Compute the grid, the one-way sensitivity and the regions and write them (CSV, and the spec as JSON) into the
    data folder: `make grid`. grid=False rewrites the sensitivity, the regions and the spec only."""
    path = (folder or data_dir()) / COMMITTED
    options = {"index": False, "lineterminator": "\n", "float_format": f"%.{DIGITS}g"}
    sensitivity().to_csv(path.parent / SENSITIVITY.name, **options)
    regions().to_csv(path.parent / REGIONS.name, **options)
    if grid:
        decision_grid().to_csv(path, **options)
    path.with_suffix(".json").write_text(json.dumps(spec(), indent=1) + "\n", encoding="utf-8")
    return path


def committed_grid(name: Path = COMMITTED) -> pd.DataFrame:
    """The grid (or, with name=SENSITIVITY or REGIONS, the one-way sensitivity or the regions) as committed
    (write_grid), checked against the spec it was computed with."""
    path = data_dir() / name
    spec_path = (data_dir() / COMMITTED).with_suffix(".json")
    written = json.loads(spec_path.read_text(encoding="utf-8"))
    if written != json.loads(json.dumps(spec())):
        raise RuntimeError(f"{path.name} was computed with another design: run `make grid`")
    return pd.read_csv(path)


def committed_sensitivity() -> pd.DataFrame:
    """The committed one-way sensitivity (write_grid)."""
    return committed_grid(SENSITIVITY)


def committed_regions() -> pd.DataFrame:
    """The committed regions (write_grid, regions): where the best strategy changes at each budget."""
    return committed_grid(REGIONS)


def at(grid: pd.DataFrame, **setting) -> pd.DataFrame:
    """The rows of the grid at one setting of some axes (by default each at its assumed value)."""
    assumed = {
        "price_elasticity": ASSUMPTIONS["price_elasticity"].value,
        "management_cost_usd": ASSUMPTIONS["management_cost"].value,
        "supply_scale": ASSUMPTIONS["supply_scale"].value,
        "gross_margin": ASSUMPTIONS["gross_margin"].value,
    }
    keep = np.ones(len(grid), dtype=bool)
    for key, value in {**assumed, **setting}.items():
        keep &= np.isclose(grid[key].to_numpy(float), float(value))
    return grid[keep]


def best_table(grid: pd.DataFrame, margin: float | None = None) -> pd.DataFrame:
    """The best strategy of every cell at one gross margin (by default the assumed one): budget_usd, the simulated
    axes, best (its name), p_best, return_per_dollar, profit_per_dollar, p_loss, evpi_usd."""
    margin = ASSUMPTIONS["gross_margin"].value if margin is None else margin
    rows = grid[grid["best"] & np.isclose(grid["gross_margin"], margin)]
    keep = ["budget_usd", "price_elasticity", "management_cost_usd", "supply_scale", "strategy"]
    keep += ["p_best", "return_per_dollar", "profit_per_dollar", "p_loss", "evpi_usd"]
    return rows[keep].rename(columns={"strategy": "best"}).reset_index(drop=True)


def deciders(grid: pd.DataFrame, tolerance: float = TIE_SHARE) -> pd.DataFrame:
    """For each budget and axis, the best strategy at each of the axis's grid values with every other axis at its
    assumed value, and whether the input changes the choice: somewhere along the axis, the strategy best at the
    assumed values brings less expected margin than the best there by more than `tolerance` of the budget (two
    strategies within it, such as all micro and micro first when micro creators do not run out, are one choice).
    Tidy: budget_usd, axis, low, middle, high (the best at each grid value), changes."""
    rows = []
    for budget in sorted(grid["budget_usd"].unique()):
        assumed = at(grid, budget_usd=budget)
        choice = assumed.loc[assumed["best"], "strategy"].iloc[0]
        for axis, values in AXES.items():
            best, gaps = [], []
            for v in values:
                cell = at(grid, budget_usd=budget, **{axis: v}).set_index("strategy")
                best.append(cell.index[cell["best"]][0])
                gaps.append(cell["expected_profit_usd"].max() - cell.loc[choice, "expected_profit_usd"])
            rows.append(
                {"budget_usd": budget, "axis": axis, "low": best[0], "middle": best[1], "high": best[2],
                 "changes": max(gaps) > tolerance * budget}
            )  # fmt: skip
    return pd.DataFrame(rows)


if __name__ == "__main__":
    print(f"wrote {write_grid()}")
