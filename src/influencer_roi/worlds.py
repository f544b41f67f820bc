"""Worlds: the parameters of the simulated market, from the evidence, with its uncertainty.

A world is one joint draw of everything the evidence leaves uncertain: the elasticities of engagement, conversion and
price (synthesis.draws), the level of return per dollar, and the follower elasticity of reach. The campaign model
(simulate.Params) runs in the central world by default; the allocation of a budget runs one simulated market per
world, so that its results carry the evidence's uncertainty as well as campaign noise, reported apart.

Where each part comes from:

- elasticities: the synthesis of the evidence (synthesis.synthesise, main specification), jointly;
- price per post at the reference account: the synthesis's joint fit of price on followers, at REFERENCE_FOLLOWERS;
- engagement rate at the reference account: the real Instagram posts' fit (real_posts.engagement_slope's model),
  at REFERENCE_FOLLOWERS (REAL data);
- the level of return per dollar: Beichert et al.'s macro ROIS (L13) {cite: beichert2024}, the one of their two
  figures whose cost is a cash fee (HBR: the nano "cost" is gifted product, L21), carried from their macro tier's
  follower count to the reference account by each world's own elasticity of return per dollar, times a level
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

LEVEL_CLAIM = "L13"  # Beichert et al.'s macro ROIS: the level of return per dollar (a cash fee)
LEVEL_FACTOR = 2.0  # the level is within a factor of 2 either way between SPREAD_LOW and SPREAD_HIGH (assumption)
REACH_CLAIM = "L37"  # Tian et al.: the causal follower elasticity of impressions


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


def level_at_reference(e_rpd, level_roas: float, level_followers: float):
    """Return per dollar (gross) at the reference account, carried from the level claim's follower count by the
    elasticity e_rpd: level x (F_ref / F_claim) ** e_rpd."""
    return level_roas * (REFERENCE_FOLLOWERS / level_followers) ** np.asarray(e_rpd, dtype=float)


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
    e_reach. Values to 10 significant digits (_stable)."""
    ev = _evidence()
    est = ev["synthesis"].elasticities.set_index("elasticity")["estimate"]
    if price_elasticity is None:
        # the campaign model's central world, exactly as the synthesis states it
        e_rpd = _stable(float(est["return_per_dollar"]))
        e_price, e_revenue = float(est["price_per_post"]), float(est["revenue"])
    else:
        s = slopes(est, price_elasticity)
        e_rpd, e_price, e_revenue = _stable(float(s["e_rpd"])), float(s["e_price"]), float(s["e_revenue"])
    world = {
        "e_er": float(est["engagement_rate"]),
        "e_cr": float(est["conversion_rate"]),
        "e_price": e_price,
        "e_revenue": e_revenue,
        "e_rpd": e_rpd,
        "price_ref": ev["price_ref"],
        "er_ref": ev["er_ref"],
        "roas_ref": float(level_at_reference(e_rpd, ev["level_roas"], ev["level_followers"])),
        "e_reach": float(np.mean(ev["reach_range"])),
    }
    return {key: _stable(value) for key, value in world.items()}


def draws(n: int, seed: int = 0, price_elasticity: float | None = None) -> pd.DataFrame:
    """n worlds: the synthesis's joint draws of the elasticities (synthesis.draws; with `price_elasticity`, a
    decision's axis, only its engagement and conversion slopes: slopes()), each world's level of return per dollar
    (carried by its own elasticity, times the level uncertainty) and its reach elasticity. Seeded: the same seed
    gives the same measured slopes, level noise and reach at every price elasticity. Tidy: world, e_er, e_cr,
    e_price, e_revenue, e_rpd, roas_ref, e_reach, price_ref, er_ref."""
    ev = _evidence()
    sample = synthesis.draws(n, seed=seed, synthesis=ev["synthesis"])
    s = slopes(sample, price_elasticity)
    rng = np.random.default_rng([seed, 1])
    sd_level = np.log(LEVEL_FACTOR) / stats.norm.ppf(SPREAD_HIGH)  # the low end by symmetry
    level = level_at_reference(s["e_rpd"], ev["level_roas"], ev["level_followers"])
    lo, hi = ev["reach_range"]
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
        }
    )


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
