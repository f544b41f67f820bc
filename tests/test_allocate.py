"""The budget Monte Carlo against answers it must give."""

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from influencer_roi import allocate, simulate

COMMAND = str(Path(sys.executable).with_name("influencer-roi"))
EVERY_TIER = {"nano": 0.25, "micro": 0.25, "macro": 0.25, "mega": 0.25}


def plain_market(**changes) -> allocate.Market:
    """No noise, no saturation, no management cost, unlimited supply: revenue and price both proportional to
    followers ** 0.8, so every creator returns exactly revenue_ref / price_ref per dollar."""
    base = dict(
        revenue_ref=1_000.0,
        e_revenue=0.8,
        sd_revenue=0.0,
        price_ref=250.0,
        e_price=0.8,
        sd_price=0.0,
        supply={t: 10**9 for t in ("nano", "micro", "macro", "mega")},
        management_cost=0.0,
        niche_audience=1e15,
    )
    base.update(changes)
    return allocate.Market(**base)


def test_when_revenue_and_price_scale_alike_every_strategy_returns_the_same():
    market = plain_market()
    for strategy in (EVERY_TIER, {"nano": 1.0}, {"mega": 1.0}, allocate.NANO_FIRST):
        outcomes = allocate.run(market, 1_000_000, strategy, draws=200)
        assert outcomes["return_per_dollar"].to_numpy() == pytest.approx(4.0, rel=1e-4)


def test_spend_never_exceeds_the_budget_and_supply_caps_bookings():
    market = allocate.Market.calibrated()
    for strategy in (EVERY_TIER, {"nano": 1.0}, allocate.NANO_FIRST, allocate.MICRO_FIRST):
        outcomes = allocate.run(market, 2_000_000, strategy, draws=300)
        assert (outcomes["spent"] <= 2_000_000 + 1e-6).all() and (outcomes["unspent"] >= -1e-6).all()
    nano_only = allocate.run(market, 1_000_000, {"nano": 1.0}, draws=300)
    assert (nano_only["creators"] == market.supply["nano"]).all()  # nano runs out ...
    assert nano_only["unspent"].min() > 250_000  # ... with much of the budget unspent
    first = allocate.run(market, 1_000_000, allocate.NANO_FIRST, draws=300)
    assert (first["creators"] > market.supply["nano"]).all()  # nano first moves on to micro
    assert first["unspent"].mean() < nano_only["unspent"].mean() / 10


def test_saturation_caps_reach_and_lowers_revenue():
    open_niche = plain_market()
    small_niche = plain_market(niche_audience=1e6)
    big = allocate.run(open_niche, 1_000_000, {"mega": 1.0}, draws=100)
    small = allocate.run(small_niche, 1_000_000, {"mega": 1.0}, draws=100)
    assert (small["reach"] <= 1e6).all()
    assert small["revenue"].mean() < 0.5 * big["revenue"].mean()
    x = big["reach"] / 1e6  # without saturation reach equals impressions; with it, 1 - exp(-x) of the audience
    assert small["reach"].to_numpy() == pytest.approx(1e6 * -np.expm1(-x.to_numpy()), rel=1e-6)


def test_management_cost_decides_between_nano_and_micro():
    """Revenue rises more slowly than price in the central world, so per dollar of price nano wins; a fixed cost
    per creator weighs most on the cheapest creators and reverses it."""
    market = allocate.Market.calibrated()
    table = allocate.management_sensitivity(
        market, 100_000, [0, 500], {"nano": {"nano": 1.0}, "micro": {"micro": 1.0}}, draws=500
    )
    rpd = table.set_index(["management_cost", "strategy"])["return_per_dollar"]
    assert rpd[(0.0, "nano")] > rpd[(0.0, "micro")]
    assert rpd[(500.0, "nano")] < rpd[(500.0, "micro")]


def test_a_tests_cost_is_whole_campaigns_at_median_price_plus_management():
    market = allocate.Market.calibrated()
    per_round = sum(allocate.median_price(market, t) + market.management_cost for t in ("micro", "macro"))
    assert allocate.cost_of_test(market, 41.2) == pytest.approx(42 * per_round)
    cheaper = replace(market, management_cost=0.0)
    assert allocate.cost_of_test(cheaper, 42, ("nano",)) == pytest.approx(42 * allocate.median_price(market, "nano"))


def test_a_market_fitted_to_simulated_campaigns_recovers_the_model():
    market = allocate.Market.fitted(simulate.simulate(50_000, seed=3))
    truth = simulate.true_elasticities(simulate.Params())
    assert market.e_revenue == pytest.approx(truth["revenue"], abs=0.02)
    assert market.e_price == pytest.approx(truth["cost"], abs=0.01)
    assert market.price_ref == pytest.approx(simulate.Params().price_ref, rel=0.03)


def test_the_pyramid_and_mixes():
    market = allocate.Market.calibrated()
    shares = allocate.pyramid_shares(market)
    assert sum(shares.values()) == pytest.approx(1.0) and set(shares) == {"micro", "macro", "mega"}
    grid = allocate.mixes(0.25)
    assert len(grid) == 35 and all(sum(m.values()) == pytest.approx(1.0) for m in grid)
    with pytest.raises(ValueError, match="add up to 1"):
        allocate.parse_mix("nano=0.5,micro=0.6")
    with pytest.raises(ValueError, match="TIER=SHARE"):
        allocate.parse_mix("giga=1")


def test_the_same_seed_gives_the_same_draws():
    market = allocate.Market.calibrated()
    a = allocate.run(market, 50_000, EVERY_TIER, draws=500, seed=4)
    b = allocate.run(market, 50_000, EVERY_TIER, draws=500, seed=4)
    assert a.equals(b)


def test_the_command_prints_and_writes_the_comparison(tmp_path):
    result = subprocess.run(
        [
            COMMAND,
            "allocate",
            "--budget",
            "50000",
            "--draws",
            "500",
            "--worlds",
            "20",
            "--strategy",
            "nano=0.5,micro=0.5",
            "--out",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={"CI": "1", "PATH": ""},
    )
    assert result.returncode == 0, result.stderr
    assert "pyramid" in result.stdout and "custom nano=0.5,micro=0.5" in result.stdout
    assert "20 worlds of the evidence" in result.stdout and "chance of being best" in result.stdout
    record = json.loads((tmp_path / "out" / "results.json").read_text())
    assert record["simulated"] is True and len(record["results"]) == 9
    # evidence uncertainty: the probabilities of being best add up to one, and the condition lies in the interval
    assert sum(r["p_best"] for r in record["results"]) == pytest.approx(1.0)
    lo, hi = record["evidence"]["interval"]
    parts = record["evidence"]["best_by_elasticity"]
    assert parts[0]["from_e"] == pytest.approx(lo) and parts[-1]["to_e"] == pytest.approx(hi)
    assert record["breakeven"] == allocate.BREAKEVEN  # one loss threshold, the chapter's
    bad = subprocess.run([COMMAND, "allocate", "--budget", "-5"], capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and "must be above 0" in bad.stderr and "Traceback" not in bad.stderr


# ---- Decisions across worlds


@pytest.fixture(scope="module")
def world_table():
    from influencer_roi import worlds

    market = allocate.Market.calibrated()
    named = {
        k: v for k, v in allocate.strategies(market).items() if k in ("all mega", "all macro", "all micro", "pyramid")
    }
    return allocate.compare_worlds(market, [20_000, 200_000], named, worlds.draws(60, seed=2), inner=20, seed=1)


def test_the_probabilities_of_being_best_sum_to_one(world_table):
    table = allocate.probability_best(world_table)
    assert table.groupby("budget")["p_best"].sum().to_numpy() == pytest.approx([1.0, 1.0])
    assert set(table["strategy"]) == set(world_table["strategy"])  # every strategy listed, if never best with 0
    # recomputed directly from each world's revenue and spend: the strategy with the most margin at a 50% margin
    margin = world_table["expected_revenue"] / allocate.BREAKEVEN - world_table["spent"]
    direct = world_table.assign(m=margin).pivot_table(index=["budget", "world"], columns="strategy", values="m")
    share = direct.idxmax(axis=1).groupby(level=0).value_counts(normalize=True)
    for (budget, strategy), value in share.items():
        assert table.set_index(["budget", "strategy"]).loc[(budget, strategy), "p_best"] == pytest.approx(value)


def test_evpi_is_not_negative_and_zero_when_one_strategy_always_wins(world_table):
    table = allocate.evpi(world_table)
    assert (table["evpi"] >= 0).all()
    alone = world_table[world_table["strategy"] == "all micro"]
    assert allocate.evpi(alone)["evpi"].to_numpy() == pytest.approx([0.0, 0.0])


def test_flip_thresholds_match_a_direct_recomputation():
    market = allocate.Market.calibrated()
    named = {"all micro": {"micro": 1.0}, "all macro": {"macro": 1.0}}
    table = allocate.flip_thresholds(market, 100_000, named, draws=1_000, seed=5)
    assert len(table) == 1
    e = table["threshold"].iloc[0]
    # recomputed from scratch: a market whose revenue elasticity puts return per dollar exactly at the threshold,
    # where the two bring the same expected margin (revenue x 50% - spend)

    def margin(moved, strategy):
        out = allocate.run(moved, 100_000, strategy, draws=1_000, seed=5)
        return out["expected_revenue"].mean() / allocate.BREAKEVEN - out["spent"].mean()

    at = replace(market, e_revenue=market.e_price + e)
    assert margin(at, named["all micro"]) == pytest.approx(margin(at, named["all macro"]), rel=1e-6)
    for side, winner in ((e - 0.05, table["steeper"].iloc[0]), (e + 0.05, table["flatter"].iloc[0])):
        moved = replace(market, e_revenue=market.e_price + side)
        margins = {n: margin(moved, s) for n, s in named.items()}
        assert max(margins, key=margins.get) == winner
    regions = allocate.best_regions(market, 100_000, named, draws=1_000, seed=5)
    assert regions["from_e"].iloc[1] == pytest.approx(e, abs=1e-5)


def test_shared_brand_effects_widen_a_campaigns_interval():
    """The same total spread, once shared by a campaign's creators and once each creator's own: with many creators
    the own spread averages out, the shared one does not."""
    market = allocate.Market.calibrated()
    total = np.sqrt(market.sd_revenue**2 + market.sd_shared**2)
    shared = replace(market, sd_revenue=market.sd_revenue, sd_shared=market.sd_shared)
    independent = replace(market, sd_revenue=total, sd_shared=0.0)
    width = {}
    for name, m in (("shared", shared), ("independent", independent)):
        rpd = allocate.run(m, 100_000, {"micro": 1.0}, draws=2_000, seed=8)["return_per_dollar"]
        width[name] = rpd.quantile(0.95) / rpd.quantile(0.05)
    assert width["shared"] > 1.5 * width["independent"]


def test_expected_revenue_integrates_out_the_noise():
    market = allocate.Market.calibrated()
    out = allocate.run(market, 100_000, {"micro": 1.0}, draws=4_000, seed=9)
    assert out["revenue"].mean() == pytest.approx(out["expected_revenue"].mean(), rel=0.05)
    assert out["expected_revenue"].std() < out["revenue"].std()


def test_the_recommendation_is_clipped_to_the_interval():
    regions = pd.DataFrame(
        {"budget": 1.0, "best": ["a", "b", "c"], "from_e": [-1.0, -0.3, 0.1], "to_e": [-0.3, 0.1, 0.5]}
    )
    assert allocate.regions_inside(regions, (-0.4, -0.1)) == [
        {"best": "a", "from_e": -0.4, "to_e": -0.3},
        {"best": "b", "from_e": -0.3, "to_e": -0.1},
    ]
    assert [p["best"] for p in allocate.regions_inside(regions, (-0.2, -0.1))] == ["b"]


def regions_of(*rows):
    return pd.DataFrame(rows, columns=["budget", "best", "from_e", "to_e"])


def test_the_recommendation_names_every_region_inside_the_interval():
    regions = regions_of(
        (10_000.0, "all micro", -1.0, -0.3),
        (10_000.0, "all macro", -0.3, 0.5),
        (1e6, "all micro", -1.0, -0.6),
        (1e6, "pyramid", -0.6, -0.35),
        (1e6, "all macro", -0.35, 0.5),
        (1e5, "all micro", -1.0, 0.5),
    )
    said = allocate.recommendation(regions, (-0.45, -0.1))
    assert said[10_000.0] == (
        "all micro if your elasticity of return per dollar is below -0.30 (return per dollar "
        "falls faster with size); all macro if it is above -0.30"
    )
    assert said[1e5] == "all micro across the book's whole interval"
    # the first region ends inside the interval, the pyramid's starts outside it: only two regions overlap
    assert said[1e6] == (
        "pyramid if your elasticity of return per dollar is below -0.35 (return per dollar falls "
        "faster with size); all macro if it is above -0.35"
    )
    wide = allocate.recommendation(regions, (-0.7, -0.1))[1e6]
    assert "pyramid between -0.60 and -0.35" in wide and wide.startswith("all micro if")
    assert allocate.best_at(regions, -0.5) == {10_000.0: "all micro", 1e6: "pyramid", 1e5: "all micro"}


# ---- Inputs of the decision (issue 26): price once, the level calibrated to means, every input echoed


def test_price_enters_once_as_the_axis():
    from influencer_roi import worlds

    measured = worlds.draws(50, seed=4)
    axis = worlds.draws(50, seed=4, price_elasticity=0.55)
    # the measured slopes are the same draws; the drawn price slope is not used on top of the axis
    pd.testing.assert_series_equal(measured["e_er"], axis["e_er"])
    pd.testing.assert_series_equal(measured["e_cr"], axis["e_cr"])
    assert (axis["e_price"] == 0.55).all()
    np.testing.assert_allclose(axis["e_rpd"], 1 + axis["e_er"] + axis["e_cr"] - 0.55)
    assert not np.allclose(measured["e_price"], 0.55)
    assert allocate.Market.calibrated(price_elasticity=0.55).e_price == 0.55


@pytest.mark.parametrize("sd_revenue", [None, 0.5, 1.5])
def test_the_level_is_calibrated_to_the_mean_not_the_median(sd_revenue):
    """Beichert et al. report means: mean revenue per creator at F_ref over mean price there is the world's level,
    whatever the spread; checked by drawing the lognormals, not by the formula that set it."""
    market = allocate.Market.calibrated(sd_revenue=sd_revenue)
    rng = np.random.default_rng(3)
    n = 2_000_000
    revenue = market.revenue_ref * np.exp(rng.normal(0, market.sd_revenue, n) + rng.normal(0, market.sd_shared, n))
    price = market.price_ref * np.exp(rng.normal(0, market.sd_price, n))
    assert revenue.mean() / price.mean() == pytest.approx(market.level_ref, rel=0.02)
    # the median is below the level by the lognormal factor (about 2 at the model's spreads)
    factor = np.exp((market.sd_revenue**2 + market.sd_shared**2 - market.sd_price**2) / 2)
    assert np.median(revenue) / np.median(price) == pytest.approx(market.level_ref / factor, rel=0.02)
    if sd_revenue is None:
        assert factor > 1.9


def test_the_command_takes_and_echoes_every_input():
    from commandline import run, scratch

    with scratch() as folder:
        code, stdout, stderr = run(
            [
                "allocate", "--budget", "20000", "--draws", "200", "--worlds", "2",
                "--supply", "nano=50,micro=900", "--price-elasticity", "0.6", "--margin", "0.4",
                "--management-cost", "80", "--niche-audience", "3e6", "--reach-share", "0.1",
                "--e-reach", "0.3", "--sd-revenue", "0.9", "--out", "out",
            ]
        )  # fmt: skip
        assert code == 0, stderr
        out = folder / "out"
        used = json.loads((out / "results.json").read_text())["assumptions"]
        assert used["supply"]["value"] == {"nano": 50, "micro": 900, "macro": 60, "mega": 8}
    assert used["price_elasticity"]["value"] == 0.6 and used["price_elasticity"]["range"] == [0.4, 1.0]
    assert used["gross_margin"]["value"] == pytest.approx(0.4) and used["breakeven"]["value"] == pytest.approx(2.5)
    values = {
        k: used[k]["value"] for k in ("management_cost", "niche_audience", "reach_share", "e_reach", "sd_revenue")
    }
    assert values == {
        "management_cost": 80,
        "niche_audience": 3e6,
        "reach_share": 0.1,
        "e_reach": 0.3,
        "sd_revenue": 0.9,
    }
    assert all("source" in entry for entry in used.values() if entry is not used["breakeven"])
    assert "loss = revenue below 2.5 x spend" in stdout


def test_the_nearest_flip_is_a_region_edge_closest_to_the_estimate():
    market = allocate.Market.calibrated()
    regions = allocate.best_regions(market, 100_000, allocate.strategies(market), draws=300)
    edges = regions["from_e"].iloc[1:].to_numpy()
    assert len(edges) >= 2  # more than one flip, so that "nearest" is tested
    for estimate in (edges[0] - 0.01, edges[-1] + 0.01):
        flip = allocate.nearest_flips(regions, estimate)[100_000.0]
        assert flip == edges[np.abs(edges - estimate).argmin()]


def test_the_decisive_flip_skips_an_edge_between_strategies_that_are_one_choice():
    market = allocate.Market.calibrated()
    named = allocate.strategies(market)
    regions = allocate.best_regions(market, 100_000, named, draws=300)
    at = regions.set_index("best")
    # inside all micro's region, nearer its edge with micro first than its edge with all macro (as the book's
    # estimate at $100,000 is)
    estimate = at.loc["all micro", "from_e"] + 0.25 * (at.loc["all micro", "to_e"] - at.loc["all micro", "from_e"])
    margins = {
        name: allocate.margin_curve(market, 100_000, named[name], 1 / allocate.BREAKEVEN, draws=300)(estimate)
        for name in ("micro first", "all micro", "all macro")
    }
    assert margins["all micro"] - margins["micro first"] < allocate.TIE_SHARE * 100_000  # one choice
    assert margins["all micro"] - margins["all macro"] > allocate.TIE_SHARE * 100_000
    flip = allocate.decisive_edge(market, regions, estimate, named, draws=300)
    assert flip == at.loc["all macro", "from_e"]
    # the nearest edge is the tie's, not the one a test must tell the estimate from
    assert allocate.nearest_edge(regions, estimate) == at.loc["micro first", "to_e"]
