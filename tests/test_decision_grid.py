"""The committed decision grid (data/synthetic/decision_grid.csv) is what the package computes today: a few cells
are recomputed with the grid's seed and compared, rounded (the same seed reproduces the Monte Carlo on any CPU up to
the last bits of a sum, so the comparison is relative, never of bytes). A change to the simulation, the worlds or
the assumptions fails here until `make grid` has rewritten the file."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from influencer_roi import decision_grid as dg
from influencer_roi.assumptions import ASSUMPTIONS

CELLS = [  # (budget, price elasticity, management cost, supply scale): both price ends, both budgets' ends
    (10_000.0, 0.4, 0.0, 1.0),
    (100_000.0, 1.0, 250.0, 1.0),
]
# Continuous results agree to 1e-4 relative (another CPU's exp and sums differ in the last bits of float32, far
# below this); P(best) counts worlds, so a world whose two best strategies tie to the last bit may move it by one
# world (1 / WORLDS), never more.
NUMBERS = ["expected_revenue_usd", "expected_spend_usd", "return_per_dollar", "p_loss", "evpi_usd"]


@pytest.fixture(scope="module")
def committed():
    return dg.committed_grid()


def test_the_grid_covers_every_setting(committed):
    sizes = [len(v) for v in dg.AXES.values()]
    settings = committed.groupby(["budget_usd", *dg.AXES]).ngroups
    assert settings == len(dg.BUDGETS) * int(np.prod(sizes))
    assert list(committed.columns) == list(dg.COLUMNS)
    # one best strategy per cell, and P(best) sums to one in each
    cells = committed.groupby(["budget_usd", *dg.AXES])
    assert (cells["best"].sum() == 1).all()
    assert np.allclose(cells["p_best"].sum(), 1.0)
    assert committed["p_loss"].between(0, 1).all()


def _stored(committed, budget, price, cost, scale, margin) -> pd.DataFrame:
    """The committed grid's rows at one setting, by strategy."""
    setting = dict(budget_usd=budget, price_elasticity=price, management_cost_usd=cost, supply_scale=scale)
    return dg.at(committed, **setting, gross_margin=margin).set_index("strategy")


@pytest.mark.parametrize("cell", CELLS)
def test_committed_cells_match_a_fresh_computation(committed, cell):
    budget, price, cost, scale = cell
    outcomes = dg.simulate_cell(budget, price, cost, scale)
    for margin in dg.AXES["gross_margin"]:
        fresh = dg.summarise_cell(outcomes, margin, budget).set_index("strategy")
        stored = _stored(committed, budget, price, cost, scale, margin)
        assert sorted(stored.index) == sorted(fresh.index)
        for column in NUMBERS:
            np.testing.assert_allclose(
                stored.loc[fresh.index, column].to_numpy(float), fresh[column].to_numpy(float), rtol=1e-4, atol=1e-6
            )
        np.testing.assert_allclose(
            stored.loc[fresh.index, "p_best"].to_numpy(float), fresh["p_best"].to_numpy(float), atol=1.01 / dg.WORLDS
        )
        assert stored.loc[stored["best"]].index[0] == fresh.loc[fresh["best"]].index[0]


def test_a_grid_from_another_design_is_refused(monkeypatch, tmp_path):
    source = dg.data_dir() / dg.COMMITTED
    (tmp_path / "synthetic").mkdir()
    (tmp_path / dg.COMMITTED).write_bytes(source.read_bytes())
    (tmp_path / dg.COMMITTED).with_suffix(".json").write_text('{"worlds": 1}')
    monkeypatch.setattr(dg, "data_dir", lambda: tmp_path)
    with pytest.raises(RuntimeError, match="make grid"):
        dg.committed_grid()


def test_margin_decides_loss_and_profit_not_revenue():
    outcomes = dg.simulate_cell(10_000.0, 1.0, 250.0, 1.0, n_worlds=4, inner=4)
    low, high = (dg.summarise_cell(outcomes, m, 10_000.0).set_index("strategy") for m in (0.3, 0.7))
    pd.testing.assert_series_equal(low["expected_revenue_usd"], high["expected_revenue_usd"])
    assert (low["p_loss"] >= high["p_loss"]).all()
    spends = low["expected_spend_usd"] > 0  # a strategy that books no one (all mega at $10k) earns nothing either way
    assert spends.any()
    assert (low.loc[spends, "expected_profit_usd"] < high.loc[spends, "expected_profit_usd"]).all()


def test_at_defaults_to_the_assumed_values(committed):
    rows = dg.at(committed)
    assert rows["price_elasticity"].eq(ASSUMPTIONS["price_elasticity"].value).all()
    assert rows["gross_margin"].eq(ASSUMPTIONS["gross_margin"].value).all()
    assert set(rows["budget_usd"]) == set(dg.BUDGETS)


def test_best_table_and_deciders_read_the_grid(committed):
    best = dg.best_table(committed)
    assert len(best) == len(dg.BUDGETS) * 27
    deciders = dg.deciders(committed)
    assert set(deciders["axis"]) == set(dg.AXES)
    assumed = {"price_elasticity": 1.0, "management_cost_usd": 250.0, "supply_scale": 1.0, "gross_margin": 0.5}
    for row in deciders.itertuples():
        # the best at the axis's assumed value is the best of the assumed cell, whatever the axis
        cell = dg.at(committed, budget_usd=row.budget_usd)
        position = dg.AXES[row.axis].index(assumed[row.axis])
        assert (row.low, row.middle, row.high)[position] == cell.loc[cell["best"], "strategy"].iloc[0]
        # an input that leaves the best strategy the same everywhere cannot change the choice
        if row.low == row.middle == row.high:
            assert not row.changes


def test_the_committed_sensitivity_matches_a_fresh_computation():
    from influencer_roi import allocate

    committed = dg.committed_sensitivity()
    fresh = allocate.one_way_sensitivity(
        dg.SENSITIVITY_BUDGET, names=("e_reach",), draws=dg.SENSITIVITY_DRAWS, seed=dg.SEED
    ).set_index("end")
    stored = committed[committed["assumption"] == "e_reach"].set_index("end").loc[fresh.index]
    assert list(stored["best"]) == list(fresh["best"])
    for column in ("best_profit_per_dollar", "assumed_best_profit_per_dollar", "best_p_loss"):
        np.testing.assert_allclose(stored[column].to_numpy(float), fresh[column].to_numpy(float), rtol=1e-4)
    assert set(committed["assumption"]) == set(ASSUMPTIONS)  # every assumption of the market, one at a time


def test_the_committed_regions_match_a_fresh_computation():
    committed = dg.committed_regions()
    assert sorted(committed["budget"].unique()) == sorted(dg.BUDGETS)
    # the two smaller budgets afresh (a few seconds; $1M alone takes fifteen)
    fresh = dg.regions(dg.BUDGETS[:2])
    stored = committed[committed["budget"].isin(dg.BUDGETS[:2])].reset_index(drop=True)
    assert list(stored["best"]) == list(fresh["best"])
    # the edges are roots found to 1e-6 (allocate._crossing): another CPU's last bits may move them that far
    np.testing.assert_allclose(
        stored[["from_e", "to_e"]].to_numpy(float), fresh[["from_e", "to_e"]].to_numpy(float), rtol=0, atol=1e-5
    )
    for _, rows in committed.groupby("budget"):  # regions tile best_regions' bounds, one after another
        assert rows["from_e"].iloc[0] == -1.0 and rows["to_e"].iloc[-1] == 0.5
        assert (rows["to_e"].to_numpy()[:-1] == rows["from_e"].to_numpy()[1:]).all()


def test_every_column_is_documented():
    readme = (dg.data_dir() / "README.md").read_text(encoding="utf-8")
    for column, meaning in dg.COLUMNS.items():
        assert f"| `{column}` | {meaning} |" in readme, column


def test_the_command_ranks_as_the_grid_does(committed, tmp_path):
    """`allocate` with the grid's worlds, campaigns and seed at one of its settings gives the grid's expected margins,
    chances of being best and best strategy (one rule: allocate.margin_ranking), so the explorer, which reads the
    grid, and the command agree."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    budget, price, cost, scale, margin = 10_000.0, 0.4, 0.0, 1.0, 0.3
    command = str(Path(sys.executable).with_name("influencer-roi"))
    setting = ["--budget", f"{budget:g}", "--price-elasticity", f"{price:g}", "--management-cost", f"{cost:g}"]
    grid_run = ["--worlds", str(dg.WORLDS), "--inner", str(dg.INNER), "--seed", str(dg.SEED), "--draws", "100"]
    out = tmp_path / "out"
    result = subprocess.run(
        [command, "allocate", *setting, "--margin", f"{margin:g}", *grid_run, "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    record = json.loads((out / "results.json").read_text())
    said = pd.DataFrame(record["results"]).set_index("strategy")
    stored = _stored(committed, budget, price, cost, scale, margin)
    np.testing.assert_allclose(said.loc[stored.index, "margin_worlds"], stored["expected_profit_usd"], rtol=1e-4)
    np.testing.assert_allclose(said.loc[stored.index, "p_best"], stored["p_best"], atol=1.01 / dg.WORLDS)
    assert record["evidence"]["best"] == stored.index[stored["best"]][0]
    assert f"The best strategy for $10,000 is {record['evidence']['best']}" in result.stdout
