"""The budget Monte Carlo against answers it must give."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from influencer_roi import allocate, simulate

COMMAND = str(Path(sys.executable).with_name("influencer-roi"))
EVERY_TIER = {"nano": 0.25, "micro": 0.25, "macro": 0.25, "mega": 0.25}


def plain_market(**changes) -> allocate.Market:
    """No noise, no saturation, no management cost, unlimited supply: revenue and price both proportional to
    followers ** 0.8, so every creator returns exactly revenue_ref / price_ref per dollar."""
    base = dict(revenue_ref=1_000.0, e_revenue=0.8, sd_revenue=0.0, price_ref=250.0, e_price=0.8, sd_price=0.0,
                supply={t: 10**9 for t in ("nano", "micro", "macro", "mega")}, management_cost=0.0,
                niche_audience=1e15)
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
    """Revenue rises more slowly than price (0.55 < 0.85), so per dollar of price nano wins; a fixed cost per
    creator weighs most on the cheapest creators and reverses it."""
    market = allocate.Market.calibrated()
    table = allocate.management_sensitivity(market, 100_000, [0, 500],
                                            {"nano": {"nano": 1.0}, "micro": {"micro": 1.0}}, draws=500)
    rpd = table.set_index(["management_cost", "strategy"])["return_per_dollar"]
    assert rpd[(0.0, "nano")] > rpd[(0.0, "micro")]
    assert rpd[(500.0, "nano")] < rpd[(500.0, "micro")]


def test_a_market_fitted_to_simulated_campaigns_recovers_the_model():
    market = allocate.Market.fitted(simulate.simulate(50_000, seed=3))
    assert market.e_revenue == pytest.approx(0.55, abs=0.02)
    assert market.e_price == pytest.approx(0.85, abs=0.01)
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
    result = subprocess.run([COMMAND, "allocate", "--budget", "50000", "--draws", "500", "--strategy",
                             "nano=0.5,micro=0.5", "--out", str(tmp_path / "out")],
                            capture_output=True, text=True, timeout=300, env={"CI": "1", "PATH": ""})
    assert result.returncode == 0, result.stderr
    assert "pyramid" in result.stdout and "custom nano=0.5,micro=0.5" in result.stdout
    record = json.loads((tmp_path / "out" / "results.json").read_text())
    assert record["simulated"] is True and len(record["results"]) == 9
    bad = subprocess.run([COMMAND, "allocate", "--budget", "-5"], capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and "must be above 0" in bad.stderr and "Traceback" not in bad.stderr
