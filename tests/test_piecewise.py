"""The decisions' piecewise revenue curve (issue 24): one engagement slope per tier pair, with their covariance, in
every world; continuous at the tier midpoints, anchored at the reference account; equal segments are the
constant-slope market, exactly."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from test_allocate import plain_market  # the noiseless market of the allocation tests

from influencer_roi import allocate, synthesis, worlds
from influencer_roi.constants import REFERENCE_FOLLOWERS

OFFSETS = (-0.3, 0.2, -0.1)


def test_the_knots_are_the_synthesis_interior_midpoints():
    mid = synthesis.midpoints()
    assert worlds.knots() == pytest.approx(np.log([mid["micro"], mid["macro"]] / np.float64(REFERENCE_FOLLOWERS)))
    # the reference account sits at the micro midpoint, to a fraction of a follower
    assert abs(worlds.knots()[0]) < 1e-4


def test_the_piecewise_part_is_continuous_anchored_and_has_the_segment_slopes():
    knots = worlds.knots()
    assert worlds.kinks(0.0, OFFSETS, knots) == 0.0
    for k in knots:  # continuous at each knot
        left, right = worlds.kinks([k - 1e-9, k + 1e-9], OFFSETS, knots)
        assert left == pytest.approx(right, abs=1e-8)
    # the slope inside each segment (the outer ones beyond the outer midpoints too) is the segment's offset
    inside = [knots[0] - 3.0, (knots[0] + knots[1]) / 2, knots[1] + 3.0]
    for x, d in zip(inside, OFFSETS):
        a, b = worlds.kinks([x - 0.01, x + 0.01], OFFSETS, knots)
        assert (b - a) / 0.02 == pytest.approx(d, abs=1e-9)
    # offsets per draw broadcast against a (draws, creators) table
    per_draw = np.array([OFFSETS, (0.0, 0.0, 0.0)])
    x = np.array([[-2.0, 3.0], [-2.0, 3.0]])
    out = worlds.kinks(x, per_draw, knots)
    assert out[0] == pytest.approx(worlds.kinks(x[0], OFFSETS, knots)) and (out[1] == 0).all()


def test_zero_offsets_carry_the_level_exactly_as_one_slope():
    e = np.array([-0.3, 0.0, 0.2])
    one = worlds.level_at_reference(e, 4.67, 102_000.0)
    assert (worlds.level_at_reference(e, 4.67, 102_000.0, np.zeros((3, 3))) == one).all()
    # with offsets, the level comes back along the curve: the log change from the claim to the reference
    x = np.log(102_000.0 / REFERENCE_FOLLOWERS)
    along = worlds.level_at_reference(0.1, 4.67, 102_000.0, OFFSETS)
    assert np.log(4.67 / along) == pytest.approx(0.1 * x + worlds.kinks(x, OFFSETS, worlds.knots()))


def test_the_decision_worlds_carry_the_tier_pairs_jointly():
    table = worlds.draws(400, seed=3, price_elasticity=0.7)
    sample = synthesis.draws(400, seed=3)
    for column in worlds.SEGMENT_COLUMNS:
        np.testing.assert_array_equal(table[column], sample[column])
    central = worlds.central(0.7)
    slopes = synthesis.synthesise().slopes
    for column in worlds.SEGMENT_COLUMNS:
        assert central[column] == pytest.approx(slopes[column], rel=1e-9)
    # the level is carried along the central world's piecewise curve
    level = worlds.level_sources()
    shape = worlds.offsets({"engagement_rate": central["e_er"], **{c: central[c] for c in worlds.SEGMENT_COLUMNS}})
    assert central["roas_ref"] == pytest.approx(
        worlds.level_at_reference(central["e_rpd"], level["roas"], level["followers"], shape), rel=1e-9
    )
    # the campaign model's worlds keep one slope
    assert not any(c in worlds.draws(5, seed=3).columns for c in worlds.SEGMENT_COLUMNS)
    assert not any(c in worlds.central() for c in worlds.SEGMENT_COLUMNS)


def test_the_calibrated_market_is_piecewise_and_a_fitted_or_given_one_is_not():
    market = allocate.Market.calibrated(price_elasticity=0.7)
    assert market.piecewise and market.knots == worlds.knots()
    central = worlds.central(0.7)
    expected = [1 + central["e_cr"] + central[c] for c in worlds.SEGMENT_COLUMNS]
    assert market.segment_elasticities() == pytest.approx(expected, abs=1e-9)
    from influencer_roi import simulate

    assert not allocate.Market.calibrated(simulate.Params()).piecewise
    with pytest.raises(ValueError):
        replace(market, segment_offsets=(0.0,))


def constant(market):
    return replace(market, knots=(), segment_offsets=())


def flat(market):
    return replace(market, segment_offsets=(0.0,) * len(market.segment_offsets))


@pytest.mark.parametrize("strategy", [{"micro": 1.0}, allocate.NANO_FIRST, {"macro": 0.5, "mega": 0.5}])
def test_equal_segments_reproduce_the_constant_market_exactly(strategy):
    market = allocate.Market.calibrated()
    a = allocate.run(flat(market), 300_000, strategy, draws=400, seed=4)
    b = allocate.run(constant(market), 300_000, strategy, draws=400, seed=4)
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    es = np.linspace(-0.6, 0.3, 7)
    curve_a = allocate.revenue_curve(flat(market), 300_000, strategy, draws=400, seed=4)
    curve_b = allocate.revenue_curve(constant(market), 300_000, strategy, draws=400, seed=4)
    assert (curve_a(es) == curve_b(es)).all() and curve_a.spent == curve_b.spent


def test_equal_segments_in_worlds_reproduce_the_constant_market_exactly():
    market = allocate.Market.calibrated(price_elasticity=0.7)
    table = worlds.draws(30, seed=5, price_elasticity=0.7)
    params = allocate.world_parameters(market, table)
    assert set(allocate.OFFSET_FIELDS) <= set(params.columns)
    zero = params.assign(**{f: 0.0 for f in allocate.OFFSET_FIELDS})
    a = allocate.run(market, 100_000, allocate.MICRO_FIRST, draws=30, seed=6, world=zero)
    b = allocate.run(constant(market), 100_000, allocate.MICRO_FIRST, draws=30, seed=6, world=params)
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    # and the worlds' own offsets do move it
    c = allocate.run(market, 100_000, allocate.MICRO_FIRST, draws=30, seed=6, world=params)
    assert not np.allclose(a["expected_revenue"], c["expected_revenue"])


def test_run_recovers_each_segments_slope():
    """One creator per campaign (every price the same, the budget one price), no noise and no saturation: log
    expected revenue against log followers, fitted inside each segment, has that segment's slope; the curve is
    continuous and passes through revenue_ref at the reference account."""
    market = plain_market(
        e_price=0.0,
        e_reach=0.0,
        niche_audience=1e18,
        supply={t: 10 for t in ("nano", "micro", "macro", "mega")},
        knots=worlds.knots(),
        segment_offsets=OFFSETS,
    )
    xs, ys = [], []
    for tier in ("nano", "micro", "macro", "mega"):
        scales: list = []
        out = allocate.run(market, 250.0, {tier: 1.0}, draws=2_000, seed=7, scales=scales)
        assert (out["creators"] == 1).all()
        x = np.concatenate([s[0] for s in scales]).max(axis=1).astype(np.float64)
        xs.append(x)
        ys.append(np.log(out["expected_revenue"].to_numpy()))
    x, y = np.concatenate(xs), np.concatenate(ys)
    edges = (-np.inf, *worlds.knots(), np.inf)
    fits = []
    for j, slope in enumerate(market.segment_elasticities()):
        inside = (x > edges[j]) & (x < edges[j + 1])
        assert inside.sum() > 100
        b, a = np.polyfit(x[inside], y[inside], 1)
        assert b == pytest.approx(slope, abs=1e-4)
        fits.append((a, b))
    for j, k in enumerate(worlds.knots()):  # the fitted lines of neighbouring segments meet at the knot
        assert fits[j][0] + fits[j][1] * k == pytest.approx(fits[j + 1][0] + fits[j + 1][1] * k, abs=1e-4)
    # anchored at the reference account: segment 1 (micro-macro) holds x = 0
    assert fits[1][0] == pytest.approx(np.log(1_000.0), abs=1e-4)


def test_the_axis_shifts_every_segment_alike():
    """revenue_curve at an elasticity of return per dollar e is the market with e_revenue = e_price + e, its
    offsets kept (every segment moved by the same amount), and at the market's own e it is the market's run."""
    market = allocate.Market.calibrated()
    strategy = {"micro": 0.5, "macro": 0.5}
    curve = allocate.revenue_curve(market, 100_000, strategy, draws=500, seed=8)
    own = allocate.run(market, 100_000, strategy, draws=500, seed=8)
    assert curve(market.e_revenue - market.e_price) == pytest.approx(own["expected_revenue"].mean(), rel=1e-6)
    for e in (-0.4, 0.2):
        moved = replace(market, e_revenue=market.e_price + e)
        assert moved.segment_offsets == market.segment_offsets
        out = allocate.run(moved, 100_000, strategy, draws=500, seed=8)
        assert curve(e) == pytest.approx(out["expected_revenue"].mean(), rel=1e-6)


def test_a_decisions_interval_is_the_revenue_slopes_less_the_price_axis():
    """The condition of a decision is read where its worlds are: the revenue elasticity's interval less the price
    elasticity the decision sets, not the synthesis's return per dollar (which carries the measured price slope)."""
    from influencer_roi import synthesis

    revenue = synthesis.synthesise().estimate("revenue")
    for p in (0.4, 1.0):
        got = worlds.return_interval(p)
        assert got["estimate"] == pytest.approx(float(revenue["estimate"]) - p)
        assert got["ci_low"] == pytest.approx(float(revenue["ci_low"]) - p)
        assert got["ci_high"] == pytest.approx(float(revenue["ci_high"]) - p)
    # the central world's pooled elasticity at that price is the interval's estimate
    assert worlds.central(1.0)["e_rpd"] == pytest.approx(worlds.return_interval(1.0)["estimate"], abs=1e-9)
