"""The decision's inputs that no source measures, or that a source bounds without pinning: one table, each with its
value, the range the book varies it over, and where it comes from ("assumption" when nothing does). The allocation
chapter, the decision grid, the sensitivity table and `influencer-roi allocate` all read it, so that a range is
stated once. (Standard library only: the command imports it at start-up for its option defaults.)"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Assumption:
    """One input: its value, the range it is varied over (low, high), its unit and its source."""

    name: str
    label: str
    value: float
    low: float
    high: float
    unit: str
    source: str


ASSUMPTIONS: dict[str, Assumption] = {
    a.name: a
    for a in (
        Assumption(
            "price_elasticity",
            "follower elasticity of the price per post",
            1.0,
            0.4,
            1.0,
            "",
            "assumption: no public data pair followers with prices paid; a defensible range is 0.4 to 1.0 (14 real "
            "nano quotes: 0.41; rate cards: 1 by construction); value 1, the rate cards' reading, the top of the "
            "range: lower values favour larger creators",
        ),
        Assumption(
            "management_cost",
            "management cost per creator",
            250.0,
            0.0,
            500.0,
            "USD",
            "assumption: finding, contracting, briefing and checking one creator; no source measures it",
        ),
        Assumption(
            "supply_scale",
            "suitable creators in the niche (times the assumed supply)",
            1.0,
            0.5,
            4.0,
            "x",
            "assumption: nano 2,000, micro 500, macro 60, mega 8 at 1x (the model's mix of account sizes for a "
            "niche of a few thousand creators); a brand can count its own",
        ),
        Assumption(
            "gross_margin",
            "gross margin (revenue left after the goods)",
            0.5,
            0.3,
            0.7,
            "",
            "assumption: a brand's own figure; 50% is the book's default (loss = revenue below 1 / margin x spend)",
        ),
        Assumption(
            "niche_audience",
            "people in the niche",
            20_000_000.0,
            5_000_000.0,
            50_000_000.0,
            "people",
            "assumption: sets how fast audiences overlap (saturation)",
        ),
        Assumption(
            "reach_share",
            "impressions of a post at the micro midpoint, share of followers",
            0.2,
            0.05,
            0.4,
            "",
            "assumption: the share of followers who see a sponsored post",
        ),
        Assumption(
            "e_reach",
            "follower elasticity of impressions",
            0.55,
            0.1,
            1.0,
            "",
            "L37 (Tian et al., causal, about 0.10) to 1 (in proportion to followers); value the middle",
        ),
        Assumption(
            "sd_revenue",
            "spread of revenue between one campaign's creators (log scale)",
            1.18,
            0.8,
            1.5,
            "log",
            "assumption: the campaign model's engagement, conversion and platform spreads combined (about 1.18); "
            "no source reports it. The mean is held at the source's level whatever the spread",
        ),
    )
}
# The assumptions of the simulated market that a one-way sensitivity table varies (the grid's axes and the rest).
MARKET_ASSUMPTIONS = tuple(ASSUMPTIONS)
# Creators per tier in one niche at supply_scale 1.
SUPPLY = {"nano": 2_000, "micro": 500, "macro": 60, "mega": 8}


def scaled_supply(scale: float) -> dict:
    """SUPPLY times `scale`, whole creators (at least one per tier)."""
    return {tier: max(1, int(round(n * scale))) for tier, n in SUPPLY.items()}


def value(name: str) -> float:
    return ASSUMPTIONS[name].value


def table() -> list[dict]:
    """The table as records (name, label, value, low, high, unit, source), for a chapter or results.json."""
    return [a.__dict__.copy() for a in ASSUMPTIONS.values()]
