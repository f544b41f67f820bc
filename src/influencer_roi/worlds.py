"""Worlds: the parameters of the simulated market, from the evidence, with its uncertainty.

A world is one joint draw of everything the evidence leaves uncertain: the elasticities of engagement, conversion and
price (synthesis.draws), the level of return per dollar, and the follower elasticity of reach. The campaign model
(simulate.Params) runs in the central world by default; the allocation of a budget runs one simulated market per
world, so that its results carry the evidence's uncertainty as well as campaign noise, reported apart.

Where each part comes from:

- elasticities: the synthesis of the evidence (synthesis.synthesise, main specification), jointly: the pooled
  engagement slope and, for a decision, the three adjacent tier pairs' engagement slopes (synthesis.PAIR_NAMES, the
  real posts' spline pooled with the benchmarks), drawn together with their covariance. A decision's world has a
  PIECEWISE revenue curve (shape()): log mean revenue per creator against x = log(F / F_ref) is continuous and
  piecewise linear, with kinks at the interior tier midpoints (knots(): micro's and macro's, synthesis.midpoints,
  the points the pair slopes are defined between), slope 1 + e_cr + the pair's engagement slope in each segment,
  the outer segments extended beyond the outer midpoints, anchored at F_ref (x = 0, which sits at the micro midpoint
  to a fraction of a follower). It is written as the pooled slope times x plus each segment's offset (the pair's
  slope minus the pooled one) over the part of [0, x] inside the segment: offsets all zero is the constant market;
- price per post at the reference account: the synthesis's joint fit of price on followers, at REFERENCE_FOLLOWERS;
- engagement rate at the reference account: the real Instagram posts' fit (real_posts.engagement_slope's model),
  at REFERENCE_FOLLOWERS (REAL data);
- the level of return per dollar: Beichert et al.'s macro ROIS (L13) {cite: beichert2024}, the one of their two
  figures whose cost is a cash fee (HBR: the nano "cost" is gifted product, L21), carried from their macro tier's
  follower count to the reference account by each world's own elasticity of return per dollar (for a decision,
  along the world's piecewise curve: level_at_reference with the offsets), times a level
  uncertainty of LEVEL_FACTOR either way in 90% of worlds (an assumption: the sources give the ROIS no interval,
  and it is one firm's discount-code revenue);
- the price elasticity, for a decision: an axis the caller sets (assumptions.ASSUMPTIONS["price_elasticity"], a
  stated range), never the synthesis's drawn price slope on top of it; the campaign model (price_elasticity None)
  keeps the synthesis's price slope. slopes() is the one place that says where each slope comes from;
- the follower elasticity of reach (impressions per post against followers): uniform between Tian et al.'s causal
  estimate (L37, about 0.10) and 1 (impressions in proportion to followers, the cross-sectional reading): the two
  readings disagree, so a conclusion about reach is stated only where it holds at both ends (REACH_RANGE).
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
from scipy import stats

from . import engagement, evidence, instagram, real_posts, synthesis
from .constants import REFERENCE_FOLLOWERS, SPREAD_HIGH
from .tiers import TIERS

LEVEL_CLAIM = "L13"  # Beichert et al.'s macro ROIS: the level of return per dollar (a cash fee)
LEVEL_FACTOR = 2.0  # the level is within a factor of 2 either way between SPREAD_LOW and SPREAD_HIGH (assumption)
REACH_CLAIM = "L37"  # Tian et al.: the causal follower elasticity of impressions
# The segments of a decision's piecewise revenue curve: the adjacent tier pairs, nano-micro, micro-macro, macro-mega
# (synthesis.PAIR_NAMES' first three), and the columns of worlds.draws / central holding their engagement slopes.
SEGMENTS = tuple(zip(TIERS[:-1], TIERS[1:]))
SEGMENT_COLUMNS = tuple(synthesis.pair_name(pair) for pair in SEGMENTS)


@functools.lru_cache(maxsize=1)
def _evidence() -> dict:
    """What the worlds are built from, computed once per process: the main synthesis, the level claim and where it
    sits, the price and engagement levels at the reference account, the reach range."""
    ledger = evidence.load_ledger()
    main = synthesis.synthesise(ledger)
    placed = main.candidates.set_index("claim_id")
    claims = ledger["claims"].set_index("claim_id")
    price = synthesis.fitted_lines(main, "price_per_post", grid=np.array([REFERENCE_FOLLOWERS]))
    real = engagement.fitted_line(instagram.cached(), points=2)
    # the real posts' fitted rate at the reference account: the line is straight on log scales
    slope = real_posts.engagement_slope()["estimate"]
    er_ref = float(real["fitted"].iloc[0] * (REFERENCE_FOLLOWERS / real["followers"].iloc[0]) ** slope)
    return {
        "synthesis": main,
        "level_roas": float(claims.loc[LEVEL_CLAIM, "value_low"]),
        "level_followers": float(placed.loc[LEVEL_CLAIM, "followers"]),
        "price_ref": float(price["fitted"].iloc[0]),
        "er_ref": er_ref,
        "reach_range": (float(claims.loc[REACH_CLAIM, "value_low"]), 1.0),
    }


@functools.lru_cache(maxsize=1)
def knots() -> tuple[float, ...]:
    """The kinks of a decision's piecewise revenue curve in x = log(F / F_ref): the interior tier midpoints (micro,
    macro) of synthesis.midpoints(), the one copy of the midpoints the tier-pair slopes are measured between (it is
    tiers.tier_midpoints with the ledger's open-range rule). The outer midpoints (nano, mega) are no kinks: the
    outer segments run on beyond them."""
    mid = synthesis.midpoints()
    return tuple(float(np.log(mid[b] / REFERENCE_FOLLOWERS)) for _, b in SEGMENTS[:-1])


def kinks(x, offsets, knot_points) -> np.ndarray:
    """The piecewise part of a log curve: sum over segments j of offsets[..., j] x (the length of [0, x] inside
    segment j, signed), segment j running from knot j-1 to knot j (the first from -inf, the last to +inf). Added
    to slope x x it gives a continuous curve, 0 at x = 0, with slope `slope + offsets[j]` in segment j; all offsets
    zero add exactly 0. `x` any shape; `offsets` (segments,) or (draws, segments) against x of (draws, ...)."""
    x = np.asarray(x, dtype=np.float64)
    offsets = np.asarray(offsets, dtype=np.float64)
    edges = (-np.inf, *knot_points, np.inf)
    out = np.zeros(x.shape)
    for j in range(len(edges) - 1):
        lo, hi = edges[j], edges[j + 1]
        length = np.clip(x, lo, hi) - float(np.clip(0.0, lo, hi))
        d = offsets[..., j]
        out = out + (d.reshape(d.shape + (1,) * (x.ndim - d.ndim)) if np.ndim(d) else d) * length
    return out


def offsets(measured) -> np.ndarray:
    """Each segment's engagement slope minus the pooled one (the tier pairs' in SEGMENT_COLUMNS less
    engagement_rate), from a row or table of synthesis.draws or its estimates: (segments,) or (draws, segments).
    The same for revenue and return per dollar, whose other slopes are one number for every segment."""
    pooled = np.asarray(measured["engagement_rate"], dtype=float)
    pairs = np.stack([np.asarray(measured[c], dtype=float) for c in SEGMENT_COLUMNS], axis=-1)
    return pairs - pooled[..., None]


def level_at_reference(e_rpd, level_roas: float, level_followers: float, offsets=None):
    """Return per dollar (gross) at the reference account, carried from the level claim's follower count by the
    elasticity e_rpd: level x (F_ref / F_claim) ** e_rpd; with the segments' `offsets` (a decision's piecewise
    curve), along that curve: the curve's log change from F_claim back to F_ref, e_rpd x x_claim plus the kinks
    between them, taken off the level. Without offsets (or all zero) exactly the one-slope formula."""
    level = level_roas * (REFERENCE_FOLLOWERS / level_followers) ** np.asarray(e_rpd, dtype=float)
    if offsets is None:
        return level
    x_claim = np.log(level_followers / REFERENCE_FOLLOWERS)
    return level * np.exp(-kinks(x_claim, offsets, knots()))


def _stable(x: float) -> float:
    """x to 10 significant digits. The fits behind the parameters differ in their last digits between BLAS
    builds; the committed synthetic sample must regenerate byte for byte on any machine."""
    return float(f"{x:.10g}")


def slopes(measured, price_elasticity: float | None = None) -> dict:
    """Where each slope of a world comes from, in one place. `measured` holds the synthesis's engagement_rate and
    conversion_rate slopes (a row or table of synthesis.draws, or its estimates), and its price_per_post slope;
    price enters once: with `price_elasticity` given (a decision's axis, a stated range) it replaces the measured
    price slope, which is then not used at all; without it (the campaign model) the measured price slope is used.
    Returns e_er, e_cr, e_price, e_revenue (1 + e_er + e_cr) and e_rpd (e_revenue - e_price), arrays or floats as
    given."""
    e_er = np.asarray(measured["engagement_rate"], dtype=float)
    e_cr = np.asarray(measured["conversion_rate"], dtype=float)
    if price_elasticity is None:
        e_price = np.asarray(measured["price_per_post"], dtype=float)
    else:
        e_price = np.full_like(e_er, float(price_elasticity))
    e_revenue = 1 + e_er + e_cr
    return {"e_er": e_er, "e_cr": e_cr, "e_price": e_price, "e_revenue": e_revenue, "e_rpd": e_revenue - e_price}


def central(price_elasticity: float | None = None) -> dict:
    """The central world: every measured elasticity at the synthesis's estimate (the price slope too, unless a
    decision's `price_elasticity` is given: slopes()), the level carried by the elasticity of return per dollar,
    reach at the middle of its range. Keys: e_er, e_cr, e_price, e_revenue, e_rpd, price_ref, er_ref, roas_ref,
    e_reach; with a decision's `price_elasticity` also the segments' engagement slopes (SEGMENT_COLUMNS), the
    level carried along the piecewise curve (level_at_reference with offsets). The campaign model's central world
    (no price_elasticity) has one slope: its level is carried by it. Values to 10 significant digits (_stable)."""
    ev = _evidence()
    est = ev["synthesis"].elasticities.set_index("elasticity")["estimate"]
    pairs: dict = {}
    if price_elasticity is None:
        # the campaign model's central world, exactly as the synthesis states it
        e_rpd = _stable(float(est["return_per_dollar"]))
        e_price, e_revenue = float(est["price_per_post"]), float(est["revenue"])
        shape = None
    else:
        s = slopes(est, price_elasticity)
        e_rpd, e_price, e_revenue = _stable(float(s["e_rpd"])), float(s["e_price"]), float(s["e_revenue"])
        measured = ev["synthesis"].slopes
        pairs = {c: _stable(float(measured[c])) for c in SEGMENT_COLUMNS}
        shape = offsets({"engagement_rate": float(est["engagement_rate"]), **pairs})
    world = {
        "e_er": float(est["engagement_rate"]),
        "e_cr": float(est["conversion_rate"]),
        "e_price": e_price,
        "e_revenue": e_revenue,
        "e_rpd": e_rpd,
        "price_ref": ev["price_ref"],
        "er_ref": ev["er_ref"],
        "roas_ref": float(level_at_reference(e_rpd, ev["level_roas"], ev["level_followers"], shape)),
        "e_reach": float(np.mean(ev["reach_range"])),
        **pairs,
    }
    return {key: _stable(value) for key, value in world.items()}


def draws(n: int, seed: int = 0, price_elasticity: float | None = None) -> pd.DataFrame:
    """n worlds: the synthesis's joint draws of the elasticities (synthesis.draws; with `price_elasticity`, a
    decision's axis, only its engagement and conversion slopes: slopes()), each world's level of return per dollar
    (carried by its own elasticity, times the level uncertainty) and its reach elasticity. Seeded: the same seed
    gives the same measured slopes, level noise and reach at every price elasticity. With a decision's
    `price_elasticity`, each world also carries the segments' engagement slopes (SEGMENT_COLUMNS, drawn jointly with
    the rest) and its level is carried along its own piecewise curve. Tidy: world, e_er, e_cr, e_price, e_revenue,
    e_rpd, roas_ref, e_reach, price_ref, er_ref (and SEGMENT_COLUMNS for a decision)."""
    ev = _evidence()
    sample = synthesis.draws(n, seed=seed, synthesis=ev["synthesis"])
    s = slopes(sample, price_elasticity)
    rng = np.random.default_rng([seed, 1])
    sd_level = np.log(LEVEL_FACTOR) / stats.norm.ppf(SPREAD_HIGH)  # the low end by symmetry
    shape = None if price_elasticity is None else offsets(sample)
    level = level_at_reference(s["e_rpd"], ev["level_roas"], ev["level_followers"], shape)
    lo, hi = ev["reach_range"]
    pairs = {} if shape is None else {c: sample[c].to_numpy(float) for c in SEGMENT_COLUMNS}
    return pd.DataFrame(
        {
            "world": np.arange(n),
            "e_er": s["e_er"],
            "e_cr": s["e_cr"],
            "e_price": s["e_price"],
            "e_revenue": s["e_revenue"],
            "e_rpd": s["e_rpd"],
            "roas_ref": level * np.exp(rng.normal(0, sd_level, n)),
            "e_reach": rng.uniform(lo, hi, n),
            "price_ref": ev["price_ref"],
            "er_ref": ev["er_ref"],
            **pairs,
        }
    )


def return_interval(price_elasticity: float) -> dict:
    """The pooled elasticity of return per dollar in a decision's worlds, with its 95% interval: the synthesis's
    revenue elasticity (1 + engagement + conversion, its own interval) less the decision's price elasticity, which
    is an axis, not drawn (slopes()). Not the synthesis's return-per-dollar estimate, which carries the measured
    price slope instead. The interval a decision's condition is read in (allocate.regions_inside). Keys: estimate,
    ci_low, ci_high."""
    revenue = _evidence()["synthesis"].estimate("revenue")
    p = float(price_elasticity)
    return {k: float(revenue[k]) - p for k in ("estimate", "ci_low", "ci_high")}


def reach_range() -> tuple[float, float]:
    """The two readings of the follower elasticity of reach the worlds span: Tian et al.'s causal one and 1."""
    return _evidence()["reach_range"]


def level_sources() -> dict:
    """The level claim and where it sits, for prose: claim, roas, followers, factor."""
    ev = _evidence()
    return {"claim": LEVEL_CLAIM, "roas": ev["level_roas"], "followers": ev["level_followers"], "factor": LEVEL_FACTOR}


def platform_multipliers(platforms=("instagram", "tiktok", "youtube")) -> tuple:
    """Engagement-rate multipliers of each platform relative to Instagram: the synthesis's platform levels (log10
    differences), 1 for Instagram and for a platform the evidence has no level for. 10 significant digits."""
    params = _evidence()["synthesis"].fit.params
    return tuple(_stable(float(10 ** params.get(f"engagement_rate:platform[{p}]", 0.0))) for p in platforms)
