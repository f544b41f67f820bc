"""Spending a budget across tiers: a Monte Carlo of strategies under the campaign model. SIMULATED.

A brand with budget B runs one campaign in one niche. A strategy splits B across the canonical tiers, or fills the
tiers one after another in a given order (nano first: every suitable nano creator, then micro, ...). Within a tier the
brand takes suitable creators in the order it finds them and books each while the next one's price (plus a fixed
management cost per creator) still fits in the tier's budget, up to the tier's supply of suitable creators in the
niche. Each booked creator brings:

    revenue      R = revenue_ref * exp(shape(log(F / F_ref))) * exp(u_shared) * exp(N(0, sd_revenue))
    price        C = price_ref * (F / F_ref) ** e_price * exp(N(0, sd_price))
    impressions  I = reach_share * F_ref * (F / F_ref) ** e_reach

with F drawn from the tier's band of the model's follower distribution. shape(x) is e_revenue x x for a
constant-slope market; for the evidence's market (calibrated(), the decision grid's worlds) it is piecewise linear
in x, continuous, 0 at F_ref, with the slope 1 + e_cr + the tier pair's engagement slope between the tier
midpoints (worlds.kinks: e_revenue x x plus segment_offsets over the knots), because the real posts reject one
engagement slope for all sizes. Price keeps one elasticity (a decision's axis). u_shared ~ N(0, sd_shared) is the
brand's and the niche's effect: one draw per campaign, common to all its creators (a weak brand is weak with every
creator). The niche's audience is finite: if the campaign's impressions total I_all over an audience of A people,
A * (1 - exp(-I_all / A)) distinct people see it (impressions falling at random on the audience), and revenue is
scaled by the same share of impressions that reached someone new. That is the saturation.

Two kinds of uncertainty, reported apart (METHODS): the world (which elasticities, level and reach elasticity hold:
worlds.draws, from the synthesis of the evidence) and campaign noise within a world (which creators, prices and
posts). compare_worlds() simulates an outer loop over worlds and an inner loop over campaigns; probability_best(),
evpi() and flip_thresholds() turn that into decisions.

The elasticity of return per dollar that best_regions, flip_thresholds, best_by_elasticity, revenue_curve and
margin_curve vary is, for a piecewise market, e_revenue - e_price with the segments' offsets held: a change of it is
a shift applied equally to every segment (the curve's shape kept, its tilt moved), so that a decision's pooled
estimate and interval (worlds.return_interval: the revenue slope's, less the price axis) read on the same axis.

Outputs per draw: revenue, expected_revenue (the revenue the booked creators bring on average, the creator and
campaign noise integrated out: the quantity strategies are compared on), spent (prices + management), return per
dollar (revenue / spent), reach (distinct people), creators booked and budget left unspent. Vectorised over draws,
in chunks to bound memory.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import pandas as pd
from scipy import optimize
from statsmodels.stats.power import TTestIndPower

from . import models, worlds
from .assumptions import ASSUMPTIONS, MARKET_ASSUMPTIONS, SUPPLY, scaled_supply
from .constants import BREAKEVEN, REFERENCE_FOLLOWERS, SPREAD_HIGH, SPREAD_LOW
from .formats import fmt_num
from .simulate import Params, follower_quantile
from .tiers import CANONICAL, TIERS

# Parameters that vary by world (worlds.draws columns) and that a Market can take as arrays, one value per draw.
WORLD_FIELDS = ("revenue_ref", "e_revenue", "e_price", "e_reach")
# A piecewise market's per-world segment offsets (world_parameters' columns; Market.segment_offsets), one per segment.
OFFSET_FIELDS = tuple(f"offset[{a}-{b}]" for a, b in worlds.SEGMENTS)


def _default_supply() -> dict:
    return dict(SUPPLY)


@dataclass(frozen=True)
class Market:
    """What a brand buys from. `calibrated()` derives it from the campaign model (Params); `fitted()` from a
    campaign file; `from_world()` from one world of worlds.draws(). The last six fields are assumptions, stated in
    the chapter: no source measures them (e_reach spans the evidence's two readings, see worlds)."""

    revenue_ref: float  # median revenue of one campaign at reference_followers (USD)
    e_revenue: float
    sd_revenue: float  # spread of revenue between creators of one campaign (log scale)
    price_ref: float  # median price at reference_followers (USD)
    e_price: float
    sd_price: float
    sd_shared: float = 0.0  # the brand's and niche's effect, shared by a campaign's creators (log scale)
    reference_followers: float = REFERENCE_FOLLOWERS
    follower_decay: float = 1.0
    # The assumptions below: values, ranges and sources in assumptions.ASSUMPTIONS (one table).
    supply: dict = field(default_factory=_default_supply)  # suitable creators per tier in one niche
    management_cost: float = ASSUMPTIONS["management_cost"].value  # USD per creator booked
    reach_share: float = ASSUMPTIONS["reach_share"].value  # impressions of a post at F_ref, share of followers
    niche_audience: float = ASSUMPTIONS["niche_audience"].value  # people in the niche the campaign addresses
    e_reach: float = 1.0  # follower elasticity of impressions (1: in proportion to followers)
    # the mean return per dollar at reference_followers the market is calibrated to (calibrated(); None if fitted)
    level_ref: float | None = None
    # the chance that a booked creator sells nothing (fitted(): the file's share of campaigns with zero revenue); the
    # others' revenue is scaled by 1 / (1 - p_zero), so the mean revenue per creator is the same with or without
    p_zero: float = 0.0
    # The piecewise revenue curve (worlds.kinks): knots in log(F / reference_followers) and each segment's slope
    # minus e_revenue (len(knots) + 1 of them). Empty (the default; fitted(); a Params given to calibrated()): one
    # slope. Offsets all zero give exactly the constant-slope market.
    knots: tuple = ()
    segment_offsets: tuple = ()

    def __post_init__(self):
        if len(self.segment_offsets) != (len(self.knots) + 1 if self.knots else 0):
            raise ValueError("a piecewise market needs one segment offset more than it has knots")

    @property
    def piecewise(self) -> bool:
        return bool(self.knots)

    def segment_elasticities(self) -> tuple:
        """The revenue elasticity in each segment (e_revenue + offset), or (e_revenue,) for one slope."""
        return tuple(self.e_revenue + d for d in self.segment_offsets) if self.piecewise else (self.e_revenue,)

    @classmethod
    def calibrated(
        cls, params: Params | None = None, price_elasticity: float | None = None, sd_revenue=None, **assumptions
    ) -> Market:
        """From the campaign model, at the decision's price elasticity (worlds.slopes: the axis replaces the
        synthesis's price slope; default the assumption table's value). Without `params` (the evidence's central
        world), the revenue curve is piecewise: the central world's tier-pair engagement slopes, as segment offsets
        over worlds.knots(); with `params` given (the campaign model has one engagement slope), one slope unless
        `knots` and `segment_offsets` are passed. Calibrated to what the source reports:
        Beichert et al.'s ROIS are means, so the MEAN revenue per creator at F_ref over the MEAN price there is the
        world's level (roas_ref); with lognormal spreads, mean = median x exp(sd^2 / 2), so the median revenue is
        the level x the mean price over exp((sd_revenue^2 + sd_shared^2) / 2). The spread of revenue between
        creators combines the model's engagement, conversion and platform spreads (or `sd_revenue`, the mean held),
        the spread shared by a campaign's creators its brand and niche spreads."""
        if params is None:
            p_e = ASSUMPTIONS["price_elasticity"].value if price_elasticity is None else float(price_elasticity)
            world = worlds.central(p_e)
            params = Params.from_world(world)
            assumptions.setdefault("knots", worlds.knots())
            assumptions.setdefault("segment_offsets", tuple(float(d) for d in worlds.offsets(_engagement(world))))
        p = params
        assumptions.setdefault("e_reach", worlds.central()["e_reach"])  # the middle of the evidence's two readings
        shares = np.asarray(p.platform_shares) / sum(p.platform_shares)
        log_platform = np.log(np.asarray(p.platform_er))
        platform_mean = float(shares @ log_platform)
        platform_var = float(shares @ (log_platform - platform_mean) ** 2)
        spread = float(np.sqrt(p.sd_er**2 + p.sd_cr**2 + platform_var)) if sd_revenue is None else float(sd_revenue)
        sd_shared = float(np.sqrt(p.sd_niche**2 + p.sd_brand**2))
        mean_price = p.price_ref * np.exp(p.sd_price**2 / 2)
        revenue_ref = p.roas_ref * mean_price / np.exp((spread**2 + sd_shared**2) / 2)
        return cls(
            revenue_ref=float(revenue_ref),
            e_revenue=1 + p.e_er + p.e_cr,
            sd_revenue=spread,
            sd_shared=sd_shared,
            price_ref=p.price_ref,
            e_price=p.e_price,
            sd_price=p.sd_price,
            reference_followers=p.reference_followers,
            follower_decay=p.follower_decay,
            level_ref=float(p.roas_ref),
            **assumptions,
        )

    @classmethod
    def from_world(cls, world, **assumptions) -> Market:
        """The calibrated market in one world (a row of worlds.draws): its elasticities, level and reach; piecewise
        when the row carries the segments' engagement slopes (a decision's world)."""
        if all(c in world for c in worlds.SEGMENT_COLUMNS):
            assumptions.setdefault("knots", worlds.knots())
            assumptions.setdefault("segment_offsets", tuple(float(d) for d in worlds.offsets(_engagement(world))))
        return cls.calibrated(Params.from_world(world), **{"e_reach": float(world["e_reach"]), **assumptions})

    @classmethod
    def fitted(cls, campaigns: pd.DataFrame, **assumptions) -> Market:
        """From a campaign table (schema.load_campaigns). Revenue by analyze's rule (models.mean_curve): Poisson
        pseudo-maximum likelihood on log followers centred at the reference, campaigns with zero revenue included,
        so that the market's mean revenue per creator is the file's, zeros and all; its median is that mean over
        the lognormal factor of the spread of log revenue among the campaigns with revenue. The market draws zeros
        as the file has them: a booked creator sells nothing with the file's share of zero-revenue campaigns
        (p_zero, the same at every size: a file rarely has enough zeros to fit how the share moves with size), and
        the others sell that much more, so the mean stays the file's and the chance of a loss counts the campaigns
        that sold nothing. Prices (never zero): OLS of log cost on log followers, with its residual spread. A
        file does not say which part of the spread its campaigns share, so all of it is taken as the creators' own
        (sd_shared 0): the spread of a whole campaign is then understated. One revenue slope for every size, not
        the evidence's piecewise curve: a campaign file rarely has enough campaigns in each tier to fit a slope per
        segment."""
        import statsmodels.api as sm

        reference = REFERENCE_FOLLOWERS
        curve = models.mean_curve(campaigns, "revenue", reference)
        spread = assumptions.pop("sd_revenue", None)
        spread = curve["sd_log"] if spread is None else float(spread)  # a spread given holds the file's mean
        fits = {"revenue": (curve["mean_ref"] * float(np.exp(-(spread**2) / 2)), curve["elasticity"], spread)}
        x = sm.add_constant(np.log(campaigns["followers"].to_numpy(float) / reference))
        result = sm.OLS(np.log(campaigns["cost"].to_numpy(float)), x).fit()
        fits["cost"] = (float(np.exp(result.params[0])), float(result.params[1]), float(np.sqrt(result.scale)))
        (revenue_ref, e_revenue, sd_revenue), (price_ref, e_price, sd_price) = fits["revenue"], fits["cost"]
        return cls(
            revenue_ref=revenue_ref,
            e_revenue=e_revenue,
            sd_revenue=sd_revenue,
            price_ref=price_ref,
            e_price=e_price,
            sd_price=sd_price,
            p_zero=float(curve["zero_share"]),
            **assumptions,
        )

    def to_dict(self) -> dict:
        return asdict(self)


def _engagement(world) -> dict:
    """A world's pooled and segments' engagement slopes under the synthesis's names (for worlds.offsets)."""
    return {"engagement_rate": world["e_er"], **{c: world[c] for c in worlds.SEGMENT_COLUMNS}}


# ---- Strategies: budget shares per tier (a dict), or an order in which to fill the tiers (a tuple).

NANO_FIRST = ("nano", "micro", "macro", "mega")
MICRO_FIRST = ("micro", "nano", "macro", "mega")


def pyramid_shares(market: Market, counts: dict | None = None) -> dict:
    """Article 002's pyramid, 1-2 mega, 5-10 macro, 20-100 micro (A002_20 to A002_22), as budget shares: the
    midpoint counts times each tier's median price plus management cost."""
    counts = counts or {"mega": 1.5, "macro": 7.5, "micro": 60.0}
    cost = {t: median_price(market, t) + market.management_cost for t in counts}
    total = sum(counts[t] * cost[t] for t in counts)
    return {t: counts[t] * cost[t] / total for t in counts}


def strategies(market: Market) -> dict:
    """The strategies of the sources, by name (tier -> budget share, or a fill order), and one of the book's own:
    micro first, then nano, for budgets larger than one niche's micro creators can absorb."""
    return {
        "all mega": {"mega": 1.0},
        "all macro": {"macro": 1.0},
        "all micro": {"micro": 1.0},
        "all nano": {"nano": 1.0},
        "70/30 micro/mega": {"micro": 0.7, "mega": 0.3},  # A002_23, A002_24
        "pyramid": pyramid_shares(market),  # A002_20 to A002_22
        "nano first": NANO_FIRST,  # the advice drawn from Beichert et al. (2024)
        "micro first": MICRO_FIRST,  # not from the sources: this book's candidate
    }


def parse_mix(text: str) -> dict:
    """'nano=0.5,micro=0.5' -> {'nano': 0.5, 'micro': 0.5}; shares must be >= 0 and sum to 1."""
    mix = {}
    for part in text.split(","):
        tier, sep, share = part.partition("=")
        tier = tier.strip()
        if not sep or tier not in TIERS:
            raise ValueError(f"custom mix {text!r}: expected TIER=SHARE pairs with tiers from {', '.join(TIERS)}")
        try:
            mix[tier] = float(share)
        except ValueError:
            raise ValueError(f"custom mix {text!r}: share {share!r} is not a number") from None
    if any(v < 0 for v in mix.values()) or not np.isclose(sum(mix.values()), 1.0, atol=1e-6):
        raise ValueError(f"custom mix {text!r}: shares must be at least 0 and add up to 1")
    return mix


# ---- The Monte Carlo


def _band(tier: str) -> tuple[float, float]:
    """The tier's canonical bounds, the open top tier closed at the model's largest account."""
    row = CANONICAL[CANONICAL["tier"] == tier].iloc[0]
    return float(row["min_followers"]), float(
        min(row["max_followers"], Params.__dataclass_fields__["followers_max"].default)
    )


def _followers(rng: np.random.Generator, shape, tier: str, decay: float) -> np.ndarray:
    """Follower counts within the tier's band, drawn from the campaign model's population."""
    return follower_quantile(rng.random(shape, dtype=np.float32), *_band(tier), decay).astype(np.float32)


def median_price(market: Market, tier: str) -> float:
    """The median price of the tier's creators: the price of its median account (price rises with followers)."""
    median = follower_quantile(0.5, *_band(tier), market.follower_decay)
    return float(market.price_ref * (median / market.reference_followers) ** market.e_price)


def cost_of_test(market: Market, campaigns: float, tiers: tuple[str, ...] = ("micro", "macro")) -> float:
    """What a test of tiers against each other costs: `campaigns` (rounded up) in each of `tiers`, each one creator
    at the tier's median price plus the cost of managing them."""
    per_round = sum(median_price(market, t) + market.management_cost for t in tiers)
    return float(np.ceil(campaigns) * per_round)


def _world_arrays(market: Market, world: pd.DataFrame | None, n: int) -> dict:
    """The parameters that may vary by draw, as arrays of n (the market's own value where no world is given); for a
    piecewise market also `offsets`, (n, segments), from OFFSET_FIELDS or the market's own."""
    out = {}
    for name in WORLD_FIELDS:
        value = world[name].to_numpy(float) if world is not None and name in world else getattr(market, name)
        out[name] = np.broadcast_to(np.asarray(value, dtype=np.float64), (n,))
    if market.piecewise:
        if world is not None and all(f in world for f in OFFSET_FIELDS):
            value = world[list(OFFSET_FIELDS)].to_numpy(float)
        else:
            value = np.asarray(market.segment_offsets, dtype=np.float64)
        out["offsets"] = np.broadcast_to(value, (n, len(market.segment_offsets)))
    return out


def _buy(
    rng: np.random.Generator,
    market: Market,
    tier: str,
    budget: np.ndarray,
    p: dict,
    keep_scales: bool = False,
    zeros: np.random.Generator | None = None,
) -> dict:
    """Book creators of one tier for each draw's budget (array), with the draw's parameters `p` (arrays). Returns
    arrays: revenue (with creator noise), expected_revenue (the creators' mean revenue), impressions, spent,
    creators; with keep_scales also log_scale, each booked creator's log(F / F_ref) (-inf where none is booked), and
    for a piecewise market kink, the piecewise part of its log mean revenue (worlds.kinks; 0 where none is booked),
    from which revenue at any shift of the elasticity follows exactly without booking again. The campaign's shared
    effect is applied by run()."""
    draws = len(budget)
    supply = int(market.supply[tier])
    lower = _band(tier)[0] / market.reference_followers
    # the most creators any draw could book: the budget over the cheapest plausible creator (4 sd below the
    # median price at the tier's lower bound) plus management
    cheapest = market.management_cost + market.price_ref * float(np.min(lower ** p["e_price"])) * np.exp(
        -4 * market.sd_price
    )
    most = int(min(supply, np.ceil(budget.max() / cheapest))) if draws else 0
    if most == 0:
        zero = np.zeros(draws)
        out = {k: zero.copy() for k in ("revenue", "expected_revenue", "impressions", "spent", "creators")}
        if keep_scales:
            out["log_scale"] = np.full((draws, 1), -np.inf, dtype=np.float32)
            if market.piecewise:
                out["kink"] = np.zeros((draws, 1))
        return out
    followers = _followers(rng, (draws, most), tier, market.follower_decay)
    log_scale = np.log(followers / np.float32(market.reference_followers))
    price = (
        market.price_ref
        * np.exp(p["e_price"][:, None] * log_scale)
        * np.exp(rng.normal(0, market.sd_price, (draws, most)).astype(np.float32))
    )
    log_mean = p["e_revenue"][:, None] * log_scale
    kink = worlds.kinks(log_scale, p["offsets"], market.knots) if market.piecewise else None
    mean_revenue = p["revenue_ref"][:, None] * np.exp(log_mean if kink is None else log_mean + kink)
    revenue = mean_revenue * np.exp(rng.normal(0, market.sd_revenue, (draws, most)).astype(np.float32))
    if zeros is not None:  # a stream of its own: the creators and prices drawn are those of a market without zeros
        sold = zeros.random((draws, most), dtype=np.float32) >= market.p_zero
        revenue = np.where(sold, revenue / (1 - market.p_zero), 0.0)
    cost = np.cumsum(price + market.management_cost, axis=1, dtype=np.float64)
    booked = cost <= budget[:, None]  # in the order found, while the next one fits (cost only rises)
    impressions = market.reach_share * market.reference_followers * np.exp(p["e_reach"][:, None] * log_scale)
    out = {
        "revenue": (revenue * booked).sum(axis=1, dtype=np.float64),
        "expected_revenue": (mean_revenue * booked).sum(axis=1, dtype=np.float64) * np.exp(market.sd_revenue**2 / 2),
        "impressions": (impressions * booked).sum(axis=1, dtype=np.float64),
        "spent": np.where(booked, cost, 0).max(axis=1),
        "creators": booked.sum(axis=1).astype(float),
    }
    if keep_scales:
        out["log_scale"] = np.where(booked, log_scale, -np.inf).astype(np.float32)
        if kink is not None:
            out["kink"] = np.where(booked, kink, 0.0)
    return out


def _tiers(strategy, budget: np.ndarray) -> list[tuple[str, np.ndarray | None]]:
    """(tier, its budget per draw) in booking order; None for a fill order, where the tier gets what is left."""
    if isinstance(strategy, tuple):
        return [(tier, None) for tier in strategy]
    return [(tier, budget * share) for tier, share in strategy.items() if share > 0]


def run(
    market: Market,
    budget: float,
    strategy,
    draws: int = 10_000,
    seed: int = 0,
    chunk: int = 1_000,
    world: pd.DataFrame | None = None,
    scales: list | None = None,
) -> pd.DataFrame:
    """`draws` simulated campaigns spending `budget` under `strategy` (tier -> share, or a fill order). Tidy, one
    row per draw: revenue, expected_revenue, spent, unspent, return_per_dollar (revenue / spent), reach, creators.
    `world`, if given, holds one row per draw with any of WORLD_FIELDS (worlds.draws, repeated for the inner loop):
    each draw then runs in its own world (a piecewise market's segment offsets from OFFSET_FIELDS). `scales`, if
    given (a list), receives per chunk the booked creators' log scales, the saturation factor and, for a piecewise
    market, the booked creators' kinks (None otherwise) (for revenue_curve). SIMULATED."""
    rng = np.random.default_rng(seed)
    zeros = np.random.default_rng([seed, 1]) if market.p_zero > 0 else None  # who sells nothing (Market.p_zero)
    params = _world_arrays(market, world, draws)
    parts = []
    for start in range(0, draws, chunk):
        n = min(chunk, draws - start)
        p = {k: v[start : start + n] for k, v in params.items()}
        shared = np.exp(rng.normal(0, market.sd_shared, n))  # the brand and niche: one draw per campaign
        keys = ("revenue", "expected_revenue", "impressions", "spent", "creators")
        totals = {k: np.zeros(n) for k in keys}
        left = np.full(n, float(budget))
        booked_scales: list[np.ndarray] = []
        booked_kinks: list[np.ndarray] = []
        for tier, tier_budget in _tiers(strategy, np.full(n, float(budget))):
            got = _buy(
                rng,
                market,
                tier,
                left if tier_budget is None else tier_budget,
                p,
                keep_scales=scales is not None,
                zeros=zeros,
            )
            left = left - got["spent"]
            for key in totals:
                totals[key] += got[key]
            if scales is not None:
                booked_scales.append(got["log_scale"])
                if market.piecewise:
                    booked_kinks.append(got["kink"])
        x = totals["impressions"] / market.niche_audience
        reached = np.where(
            x > 0, -np.expm1(-x) / np.where(x > 0, x, 1), 1.0
        )  # share of impressions reaching someone new
        if scales is not None:
            kinks = np.concatenate(booked_kinks, axis=1) if booked_kinks else None
            scales.append((np.concatenate(booked_scales, axis=1), reached, kinks))
        parts.append(
            pd.DataFrame(
                {
                    "revenue": totals["revenue"] * reached * shared,
                    "expected_revenue": totals["expected_revenue"] * reached * np.exp(market.sd_shared**2 / 2),
                    "spent": totals["spent"],
                    "unspent": budget - totals["spent"],
                    "reach": market.niche_audience * -np.expm1(-x),
                    "creators": totals["creators"],
                }
            )
        )
    table = pd.concat(parts, ignore_index=True)
    table["return_per_dollar"] = table["revenue"] / table["spent"].where(table["spent"] > 0)
    return table


def summarise(outcomes: pd.DataFrame, breakeven: float = BREAKEVEN) -> dict:
    """One strategy's draws in a few numbers: expected revenue (and its Monte Carlo standard error) and return per
    dollar (total revenue / total spend), its 5th, 50th and 95th percentiles, the chance of losing money (revenue
    below `breakeven` times spend; BREAKEVEN), reach, creators booked, share of budget unspent."""
    rpd = outcomes["return_per_dollar"]
    budget = (outcomes["spent"] + outcomes["unspent"]).iloc[0]
    return {
        "mean_revenue": float(outcomes["expected_revenue"].mean()),
        # Monte Carlo error of the mean (of the expected revenue: the creators' noise is integrated out)
        "revenue_se": float(outcomes["expected_revenue"].std() / np.sqrt(len(outcomes))),
        "return_per_dollar": float(outcomes["revenue"].sum() / outcomes["spent"].sum()),
        "rpd_p05": float(rpd.quantile(SPREAD_LOW)),
        "rpd_p50": float(rpd.median()),
        "rpd_p95": float(rpd.quantile(SPREAD_HIGH)),
        "p_loss": float((outcomes["revenue"] < breakeven * outcomes["spent"]).mean()),
        "mean_reach": float(outcomes["reach"].mean()),
        "mean_creators": float(outcomes["creators"].mean()),
        "unspent_share": float(outcomes["unspent"].mean() / budget),
    }


def compare(
    market: Market,
    budgets,
    named: dict | None = None,
    draws: int = 10_000,
    seed: int = 0,
    breakeven: float = BREAKEVEN,
    step: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """summarise() for every strategy at every budget, with expected_margin (mean revenue / breakeven - mean spend:
    what strategies are ranked on, budget left unspent being kept). Tidy: budget, strategy, and the summary columns.
    `step`, if given, is called with each strategy's name as its draws start (a progress display)."""
    named = named or strategies(market)
    rows = []
    for budget, (name, strategy) in itertools.product(budgets, named.items()):
        if step is not None:
            step(name)
        summary = summarise(run(market, budget, strategy, draws=draws, seed=seed), breakeven)
        spent = budget * (1 - summary["unspent_share"])
        rows.append(
            {
                "budget": float(budget),
                "strategy": name,
                **summary,
                "expected_margin": summary["mean_revenue"] / breakeven - spent,
            }
        )
    return pd.DataFrame(rows)


def mixes(step: float = 0.25) -> list[dict]:
    """Every split of the budget across the four tiers in multiples of `step`."""
    k = int(round(1 / step))
    return [
        dict(zip(TIERS, np.array(c) / k)) for c in itertools.product(range(k + 1), repeat=len(TIERS)) if sum(c) == k
    ]


def frontier(
    market: Market, budget: float, step: float = 0.25, draws: int = 2_000, seed: int = 0, breakeven: float = BREAKEVEN
) -> pd.DataFrame:
    """summarise() for every mix of mixes(step): tidy, one row per mix with its shares (nano, micro, macro, mega),
    and `efficient`: no other mix has both a higher expected return per dollar and a higher 5th percentile."""
    rows = []
    for mix in mixes(step):
        rows.append({**mix, **summarise(run(market, budget, mix, draws=draws, seed=seed), breakeven)})
    table = pd.DataFrame(rows)
    r, p = table["return_per_dollar"].to_numpy(), table["rpd_p05"].to_numpy()
    table["efficient"] = [not ((r > r[i]) & (p > p[i])).any() for i in range(len(table))]
    return table


def management_sensitivity(
    market: Market, budget: float, costs, named: dict, draws: int = 2_000, seed: int = 0
) -> pd.DataFrame:
    """Expected return per dollar of each named strategy as the management cost per creator varies. Tidy:
    management_cost, strategy, return_per_dollar, mean_revenue."""
    rows = []
    for cost, (name, strategy) in itertools.product(costs, named.items()):
        priced = replace(market, management_cost=float(cost))
        summary = summarise(run(priced, budget, strategy, draws=draws, seed=seed))
        rows.append(
            {
                "management_cost": float(cost),
                "strategy": name,
                "return_per_dollar": summary["return_per_dollar"],
                "mean_revenue": summary["mean_revenue"],
            }
        )
    return pd.DataFrame(rows)


def ties(table: pd.DataFrame, z: float = 2.0) -> pd.DataFrame:
    """Per budget (compare()'s table), the strategies whose expected revenue is within z Monte Carlo standard
    errors of the best: budget, strategy, mean_revenue, best (the top one), tied (True for all within reach)."""
    rows = []
    for _budget, group in table.groupby("budget", sort=True):
        top = group.loc[group["mean_revenue"].idxmax()]
        margin = z * np.sqrt(top["revenue_se"] ** 2 + group["revenue_se"] ** 2)
        rows.append(
            group.assign(best=top["strategy"], tied=group["mean_revenue"] >= top["mean_revenue"] - margin)[
                ["budget", "strategy", "mean_revenue", "best", "tied"]
            ]
        )
    return pd.concat(rows, ignore_index=True)


# ---- Decisions across the evidence's uncertainty: worlds, the probability of being best, EVPI, flip thresholds


def world_parameters(market: Market, worlds_table: pd.DataFrame) -> pd.DataFrame:
    """worlds.draws mapped onto a calibrated market's parameters (WORLD_FIELDS), one row per world: the level of
    revenue scales with the world's return per dollar at F_ref relative to the central world's (the price at F_ref
    is the same in every world), and the elasticities are the world's. For a piecewise market, each world's segment
    offsets too (OFFSET_FIELDS: its tier pairs' engagement slopes less its pooled one), when the worlds carry them
    (worlds.draws with a decision's price elasticity); a constant-slope market takes each world's pooled slope."""
    central = market.level_ref if market.level_ref is not None else worlds.central()["roas_ref"]
    out = pd.DataFrame(
        {
            "revenue_ref": market.revenue_ref * worlds_table["roas_ref"].to_numpy() / central,
            "e_revenue": worlds_table["e_revenue"].to_numpy(),
            "e_price": worlds_table["e_price"].to_numpy(),
            "e_reach": worlds_table["e_reach"].to_numpy(),
        }
    )
    if market.piecewise and all(c in worlds_table for c in worlds.SEGMENT_COLUMNS):
        shape = worlds.offsets(_engagement(worlds_table))
        for j, name in enumerate(OFFSET_FIELDS):
            out[name] = shape[:, j]
    return out


def compare_worlds(
    market: Market,
    budgets,
    named: dict,
    worlds_table: pd.DataFrame,
    inner: int = 40,
    seed: int = 0,
    breakeven: float = BREAKEVEN,
    step: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Every strategy at every budget in every world: an outer loop over the worlds (worlds.draws) and an inner loop
    of `inner` campaigns in each, with the same random numbers for every strategy (so that differences between
    strategies are not noise between runs). Tidy, one row per budget, strategy and world: expected_revenue (mean
    over the inner campaigns), expected_revenue_a and _b (the same over the first and second half of them, for an
    unbiased EVPI), revenue, spent, expected_margin (expected revenue x margin - spend, margin = 1 / `breakeven`:
    what strategies are ranked on, budget left unspent being kept) with its halves expected_margin_a and _b,
    return_per_dollar, p_loss (the share of the world's campaigns losing money), reach, creators, unspent_share.
    `step`, as for compare(). SIMULATED."""
    params = world_parameters(market, worlds_table)
    repeated = params.loc[np.repeat(params.index.to_numpy(), inner)].reset_index(drop=True)
    world = np.repeat(np.arange(len(params)), inner)
    half = np.tile(np.arange(inner) < inner // 2, len(params))
    frames = []
    for budget, (name, strategy) in itertools.product(budgets, named.items()):
        if step is not None:
            step(name)
        out = run(market, budget, strategy, draws=len(repeated), seed=seed, world=repeated)
        frame = per_world(out.assign(world=world, half_a=half), budget, breakeven)
        frames.append(frame.assign(budget=float(budget), strategy=name))
    columns = [
        "budget",
        "strategy",
        "world",
        "expected_revenue",
        "expected_revenue_a",
        "expected_revenue_b",
        "expected_margin",
        "expected_margin_a",
        "expected_margin_b",
        "revenue",
        "spent",
        "return_per_dollar",
        "p_loss",
        "reach",
        "creators",
        "unspent_share",
    ]
    return pd.concat(frames, ignore_index=True)[columns]


def per_world(out: pd.DataFrame, budget: float, breakeven: float = BREAKEVEN) -> pd.DataFrame:
    """One strategy's campaigns (run's table with `world` and `half_a`, the first half of each world's campaigns)
    summarised per world, as compare_worlds returns them (without budget and strategy)."""
    out = out.assign(loss=out["revenue"] < breakeven * out["spent"])
    grouped = out.groupby("world")
    half_a, half_b = out[out["half_a"]].groupby("world"), out[~out["half_a"]].groupby("world")
    margin = 1 / breakeven
    frame = pd.DataFrame(
        {
            "expected_revenue": grouped["expected_revenue"].mean(),
            "expected_revenue_a": half_a["expected_revenue"].mean(),
            "expected_revenue_b": half_b["expected_revenue"].mean(),
            "expected_margin": grouped["expected_revenue"].mean() * margin - grouped["spent"].mean(),
            "expected_margin_a": half_a["expected_revenue"].mean() * margin - half_a["spent"].mean(),
            "expected_margin_b": half_b["expected_revenue"].mean() * margin - half_b["spent"].mean(),
            "revenue": grouped["revenue"].mean(),
            "spent": grouped["spent"].mean(),
            "p_loss": grouped["loss"].mean(),
            "reach": grouped["reach"].mean(),
            "creators": grouped["creators"].mean(),
        }
    ).reset_index()
    frame["return_per_dollar"] = frame["revenue"] / frame["spent"].where(frame["spent"] > 0)
    frame["unspent_share"] = 1 - frame["spent"] / budget
    return frame


def probability_best(table: pd.DataFrame) -> pd.DataFrame:
    """METHODS' probability of being best: in each world, the strategy with the highest expected margin
    (compare_worlds' expected_margin) is that world's best; P(best) is the share of worlds where a strategy is best.
    The shares sum to 1 at each budget. A tie (two strategies that book the same creators, e.g. all nano and nano
    first while nano creators last, or none at all) goes to the one listed first. Tidy: budget, strategy, p_best
    (every strategy listed, 0 where never best)."""
    best = table.loc[table.groupby(["budget", "world"])["expected_margin"].idxmax(), ["budget", "strategy"]]
    counts = best.groupby(["budget", "strategy"]).size()
    n_worlds = table.groupby("budget")["world"].nunique()
    full = table[["budget", "strategy"]].drop_duplicates().set_index(["budget", "strategy"])
    full["p_best"] = (
        (counts / n_worlds.reindex(counts.index.get_level_values(0)).to_numpy()).reindex(full.index).fillna(0.0)
    )
    return full.reset_index()


def evpi(table: pd.DataFrame) -> pd.DataFrame:
    """The expected value of perfect information at each budget, in margin: E_worlds[max_s M(s, world)] -
    max_s E_worlds[M(s, world)] (METHODS), M the expected margin. The best strategy of each world is chosen on the
    first half of its campaigns and valued on the second, so that the noise of the inner loop does not inflate the
    maximum. Tidy: budget, best_without (the strategy a brand picks not knowing its world), margin_without,
    margin_with, evpi."""
    rows = []
    for budget, group in table.groupby("budget"):
        order = list(dict.fromkeys(group["strategy"]))  # the strategies' order: a tie goes to the first, as in P(best)
        wide_a = group.pivot(index="world", columns="strategy", values="expected_margin_a")[order]
        wide_b = group.pivot(index="world", columns="strategy", values="expected_margin_b")[order]
        chosen = wide_a.to_numpy().argmax(axis=1)
        with_info = float(wide_b.to_numpy()[np.arange(len(wide_b)), chosen].mean())
        means = wide_b.mean()
        without = float(means.max())
        rows.append(
            {
                "budget": budget,
                "best_without": means.idxmax(),
                "margin_without": without,
                "margin_with": with_info,
                "evpi": max(with_info - without, 0.0),
            }
        )
    return pd.DataFrame(rows)


def margin_ranking(table: pd.DataFrame) -> pd.DataFrame:
    """compare_worlds ranked as a brand decides: per budget and strategy, the expected margin over the worlds
    (mean_margin), P(best) (probability_best) and `best`, the strategy with the highest expected margin over the
    worlds (one per budget), and the budget's EVPI in margin. The one rule of the command, the grid
    (decision_grid) and the chapters. Tidy: budget, strategy, mean_margin, p_best, best, evpi."""
    means = table.groupby(["budget", "strategy"], sort=False)["expected_margin"].mean().rename("mean_margin")
    out = means.reset_index().merge(probability_best(table), on=["budget", "strategy"])
    top = out.loc[out.groupby("budget", sort=False)["mean_margin"].idxmax()].set_index("budget")["strategy"]
    out["best"] = out["strategy"] == out["budget"].map(top)
    return out.merge(evpi(table)[["budget", "evpi"]], on="budget")


def decision_table(table: pd.DataFrame) -> pd.DataFrame:
    """compare_worlds summarised per budget and strategy: expected margin and revenue over the worlds, each with its
    5th and 95th percentiles across worlds (the evidence's uncertainty), the probability of being best, return per
    dollar (total revenue over total spend), the chance of losing money (over every campaign of every world), reach
    and share of budget unspent. Tidy; rows in the order of the strategies."""
    grouped = table.groupby(["budget", "strategy"], sort=False)
    out = grouped.agg(
        mean_revenue=("expected_revenue", "mean"),
        mean_margin=("expected_margin", "mean"),
        margin_p05=("expected_margin", lambda s: s.quantile(SPREAD_LOW)),
        margin_p95=("expected_margin", lambda s: s.quantile(SPREAD_HIGH)),
        revenue_p05=("expected_revenue", lambda s: s.quantile(SPREAD_LOW)),
        revenue_p95=("expected_revenue", lambda s: s.quantile(SPREAD_HIGH)),
        revenue=("revenue", "sum"),
        spent=("spent", "sum"),
        p_loss=("p_loss", "mean"),
        mean_reach=("reach", "mean"),
        unspent_share=("unspent_share", "mean"),
    ).reset_index()
    out["return_per_dollar"] = out["revenue"] / out["spent"]
    out = out.merge(probability_best(table), on=["budget", "strategy"])
    return out.drop(columns=["revenue", "spent"])


def revenue_curve(market: Market, budget: float, strategy, draws: int = 4_000, seed: int = 0):
    """Expected revenue of `strategy` as a function of the elasticity of return per dollar, every other parameter
    as in `market` (the price elasticity held, so the revenue elasticity moves with it). For a piecewise market the
    elasticity is e_revenue - e_price with the segment offsets held: moving it shifts every segment's slope by the
    same amount. Booking does not depend on revenue, so the creators are booked once (seeded), each with its log
    scale and the piecewise part of its log revenue, and the function evaluates any elasticity exactly for those
    draws: smooth, and the same random numbers at every value. Returns f(e_rpd) -> mean expected revenue,
    vectorised over e_rpd, with f.spent, the draws' mean spend (which the elasticity does not change), so that
    f(e) x margin - f.spent is the expected margin."""
    scales: list = []
    booked = run(market, budget, strategy, draws=draws, seed=seed, scales=scales)
    factor = market.revenue_ref * np.exp(market.sd_revenue**2 / 2) * np.exp(market.sd_shared**2 / 2)

    def f(e_rpd):
        values = np.atleast_1d(np.asarray(e_rpd, dtype=float))
        out = np.zeros(len(values))
        for k, e in enumerate(values + market.e_price):
            total = 0.0
            for log_scale, reached, kink in scales:
                x = log_scale.astype(np.float64)
                booked = np.isfinite(x)  # -inf marks a slot with no creator booked
                log_mean = e * np.where(booked, x, 0.0)
                if kink is not None:
                    log_mean = log_mean + kink
                total += float((reached * np.where(booked, np.exp(log_mean), 0.0).sum(axis=1)).sum())
            out[k] = factor * total / draws
        return out if np.ndim(e_rpd) else float(out[0])

    f.spent = float(booked["spent"].mean())  # type: ignore[attr-defined]
    return f


def margin_curve(market: Market, budget: float, strategy, margin: float, draws: int = 4_000, seed: int = 0):
    """Expected margin (revenue x margin - spend) of `strategy` as a function of the elasticity of return per
    dollar: revenue_curve's function, margin applied. What best_regions and best_by_elasticity rank on."""
    revenue = revenue_curve(market, budget, strategy, draws=draws, seed=seed)

    def f(e_rpd):
        return revenue(e_rpd) * margin - revenue.spent

    return f


def _crossing(curve_a, curve_b, low: float, high: float) -> float:
    """Where two curves (revenue_curve, margin_curve) cross between low and high, to 1e-6 in the elasticity."""
    return optimize.brentq(lambda e: curve_a(e) - curve_b(e), low, high, xtol=1e-6)


def flip_thresholds(
    market: Market,
    budget: float,
    named: dict,
    bounds: tuple[float, float] = (-1.0, 0.5),
    margin: float = 1 / BREAKEVEN,
    draws: int = 4_000,
    seed: int = 0,
    grid: int = 61,
) -> pd.DataFrame:
    """The elasticities of return per dollar at which two strategies bring equal expected margin (revenue x `margin`
    - spend), every other parameter at its central value (METHODS): for each pair, the sign changes of the margin
    difference on a grid over `bounds`, each refined by root-finding (scipy's brentq) on the exact curves of
    margin_curve. Tidy: budget,
    strategy_a, strategy_b, threshold, steeper (which of the two brings more when return per dollar falls faster
    than the threshold), flatter (the other)."""
    curves = {name: margin_curve(market, budget, s, margin, draws=draws, seed=seed) for name, s in named.items()}
    xs = np.linspace(*bounds, grid)
    values = {name: f(xs) for name, f in curves.items()}
    rows = []
    for a, b in itertools.combinations(named, 2):
        diff = values[a] - values[b]
        for i in np.nonzero(np.sign(diff[:-1]) * np.sign(diff[1:]) < 0)[0]:
            root = _crossing(curves[a], curves[b], xs[i], xs[i + 1])
            steeper = a if diff[i] > 0 else b
            rows.append(
                {
                    "budget": float(budget),
                    "strategy_a": a,
                    "strategy_b": b,
                    "threshold": root,
                    "steeper": steeper,
                    "flatter": b if steeper == a else a,
                }
            )
    return pd.DataFrame(rows, columns=["budget", "strategy_a", "strategy_b", "threshold", "steeper", "flatter"])


def best_by_elasticity(
    market: Market,
    budget: float,
    named: dict,
    e_values,
    margin: float = 1 / BREAKEVEN,
    draws: int = 4_000,
    seed: int = 0,
) -> pd.DataFrame:
    """Expected revenue and margin of each strategy over a range of elasticities of return per dollar (the rest
    central), and which is best (most expected margin) at each: the ranking a brand faces if it knew its own
    elasticity. Tidy: e_rpd, strategy, expected_revenue, expected_margin, best."""
    e_values = np.asarray(e_values, dtype=float)
    rows = []
    for name, strategy in named.items():
        curve = revenue_curve(market, budget, strategy, draws=draws, seed=seed)
        revenue = curve(e_values)
        rows.append(
            pd.DataFrame(
                {
                    "e_rpd": e_values,
                    "strategy": name,
                    "expected_revenue": revenue,
                    "expected_margin": revenue * margin - curve.spent,
                }
            )
        )
    table = pd.concat(rows, ignore_index=True)
    best = table.loc[table.groupby("e_rpd")["expected_margin"].idxmax()].set_index("e_rpd")["strategy"]
    table["best"] = table["strategy"] == table["e_rpd"].map(best)
    return table


def best_regions(
    market: Market,
    budget: float,
    named: dict,
    bounds: tuple[float, float] = (-1.0, 0.5),
    margin: float = 1 / BREAKEVEN,
    draws: int = 2_000,
    seed: int = 0,
    grid: int = 41,
    step: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Which strategy brings the most expected margin (revenue x `margin` - spend, as the grid and the command rank)
    at each elasticity of return per dollar (the rest central), as regions: the best on a grid over `bounds`, each
    change of best refined by root-finding between the two strategies concerned. Tidy: budget, best, from_e, to_e
    (the region's ends; the outer ends are `bounds`). `step`, as for compare()."""

    def curve(name, strategy):
        if step is not None:
            step(name)
        return margin_curve(market, budget, strategy, margin, draws=draws, seed=seed)

    curves = {name: curve(name, strategy) for name, strategy in named.items()}
    xs = np.linspace(*bounds, grid)
    values = pd.DataFrame({name: f(xs) for name, f in curves.items()}, index=xs)
    best = values.idxmax(axis=1).to_numpy()
    edges = [bounds[0]]
    names = [best[0]]
    for i in range(1, len(xs)):
        if best[i] != best[i - 1]:
            a, b = best[i - 1], best[i]
            edges.append(_crossing(curves[a], curves[b], xs[i - 1], xs[i]))
            names.append(b)
    edges.append(bounds[1])
    return pd.DataFrame({"budget": float(budget), "best": names, "from_e": edges[:-1], "to_e": edges[1:]})


def nearest_flips(regions: pd.DataFrame, estimate: float) -> dict[float, float]:
    """For each budget of `regions` (best_regions, one or more budgets), the elasticity of return per dollar nearest
    `estimate` at which the best strategy changes: the decision's flip point that a change in the evidence would have
    to cross. A budget whose best strategy never changes inside best_regions' bounds is left out."""
    out = {}
    for budget, rows in regions.groupby("budget", sort=False):
        flip = nearest_edge(rows, estimate)
        if flip is not None:
            out[float(budget)] = flip
    return out


def nearest_edge(regions: pd.DataFrame, estimate: float) -> float | None:
    """Where the best strategy changes nearest `estimate`, in one budget's best_regions (None if it never does)."""
    edges = regions["from_e"].iloc[1:]
    return float(edges.iloc[int((edges - estimate).abs().argmin())]) if len(edges) else None


def decisive_edge(
    market: Market,
    regions: pd.DataFrame,
    estimate: float,
    named: dict,
    margin: float = 1 / BREAKEVEN,
    draws: int = 2_000,
    seed: int = 0,
) -> float | None:
    """The flip nearest `estimate` in one budget's best_regions that changes the choice: the nearest edge past which
    the best strategy brings, at the estimate, less margin than the one best there by more than TIE_SHARE of the
    budget. An edge between two strategies within that share (all micro and micro first when micro creators do not
    run out) is one choice either side, not a decision a test need tell apart. None if no edge qualifies. The curves
    are margin_curve's, as best_regions draws them (draws, seed)."""
    budget = float(regions["budget"].iloc[0])
    current = best_at(regions, estimate)[budget]
    value = {
        name: float(margin_curve(market, budget, named[name], margin, draws=draws, seed=seed)(estimate))
        for name in set(regions["best"])
    }
    decisive = [
        float(row.from_e) if row.from_e > estimate else float(row.to_e)
        for row in regions.itertuples()
        if value[current] - value[row.best] > TIE_SHARE * budget
    ]
    # the edge of each decisive region that faces the estimate; the nearest of them
    return min(decisive, key=lambda e: abs(e - estimate)) if decisive else None


def best_at(regions: pd.DataFrame, elasticity: float) -> dict[float, str]:
    """The best strategy at one elasticity of return per dollar, for each budget of `regions` (best_regions)."""
    at = regions[(regions["from_e"] <= elasticity) & (regions["to_e"] > elasticity)]
    return dict(zip(at["budget"], at["best"]))


def recommendation(regions: pd.DataFrame, interval: tuple[float, float]) -> dict[float, str]:
    """For each budget of `regions` (best_regions), the recommendation with its condition, in words (condition of
    regions_inside): every region that overlaps `interval` (the synthesis's 95% interval of the elasticity), so a
    flip inside the interval is said, with the elasticity where it happens."""
    return {budget: condition(regions_inside(rows, interval)) for budget, rows in regions.groupby("budget", sort=False)}


def condition(parts: list[dict]) -> str:
    """regions_inside's entries in words: 'A across the book's whole interval', or 'A if your elasticity of return
    per dollar is below x (...); B between x and y; C if it is above y'."""
    if len(parts) == 1:
        return f"{parts[0]['best']} across the book's whole interval"
    words = []
    for i, part in enumerate(parts):
        if i == 0:
            words.append(
                f"{part['best']} if your elasticity of return per dollar is below {fmt_num(part['to_e'])} "
                "(return per dollar falls faster with size)"
            )
        elif i == len(parts) - 1:
            words.append(f"{part['best']} if it is above {fmt_num(part['from_e'])}")
        else:
            words.append(f"{part['best']} between {fmt_num(part['from_e'])} and {fmt_num(part['to_e'])}")
    return "; ".join(words)


def management_threshold(
    market: Market, budget: float, a, b, bounds: tuple[float, float] = (0.0, 1_000.0), draws: int = 2_000, seed: int = 0
) -> float:
    """The management cost per creator at which strategies a and b return the same per dollar (the rest as in
    `market`), by root-finding on the seeded simulation (the same random numbers at every cost); NaN when they do
    not cross inside `bounds`."""

    def gap(cost: float) -> float:
        priced = replace(market, management_cost=float(cost))
        return (
            summarise(run(priced, budget, a, draws=draws, seed=seed))["return_per_dollar"]
            - summarise(run(priced, budget, b, draws=draws, seed=seed))["return_per_dollar"]
        )

    lo, hi = gap(bounds[0]), gap(bounds[1])
    if np.sign(lo) == np.sign(hi):
        return float("nan")
    return float(optimize.brentq(gap, *bounds, xtol=0.5))


def regions_inside(regions: pd.DataFrame, interval: tuple[float, float]) -> list[dict]:
    """The strategies that are best somewhere inside `interval` (the synthesis's interval for the elasticity of
    return per dollar), from best_regions at one budget: [{best, from_e, to_e}], each clipped to the interval, in
    order of elasticity. One entry means the same strategy is best across the interval; more, that the
    recommendation flips inside it at each entry's from_e."""
    lo, hi = interval
    inside = regions[(regions["to_e"] > lo) & (regions["from_e"] < hi)]
    return [
        {"best": r.best, "from_e": max(float(r.from_e), lo), "to_e": min(float(r.to_e), hi)}
        for r in inside.itertuples()
    ]


# ---- Which assumption moves the decision: one way at a time (a tornado)

# Two strategies whose expected margins differ by less than this share of the budget are one choice: all micro and
# micro first book almost the same creators while micro creators last, and differ by Monte Carlo noise.
TIE_SHARE = 0.01


def assumed_market(**setting) -> tuple[Market, float]:
    """The calibrated market at the assumption table's values (assumptions.ASSUMPTIONS), any of them replaced by
    `setting` (price_elasticity, management_cost, supply_scale, gross_margin, niche_audience, reach_share, e_reach,
    sd_revenue). Returns the market and the gross margin."""
    values = {name: a.value for name, a in ASSUMPTIONS.items()}
    values.update(setting)
    market = Market.calibrated(
        price_elasticity=values["price_elasticity"],
        sd_revenue=setting.get("sd_revenue"),  # the model's own spread unless set
        management_cost=values["management_cost"],
        supply=scaled_supply(values["supply_scale"]),
        niche_audience=values["niche_audience"],
        reach_share=values["reach_share"],
        e_reach=values["e_reach"],
    )
    return market, values["gross_margin"]


def best_by_margin(market: Market, budget: float, margin: float, draws: int = 2_000, seed: int = 0) -> pd.DataFrame:
    """Every strategy of strategies(market) at one budget in one world, ranked by expected margin (revenue x margin -
    spend: budget left unspent is kept, not lost). Tidy: strategy, mean_revenue, spent, margin_usd,
    return_per_dollar, profit_per_dollar, p_loss, best."""
    table = compare(market, [budget], strategies(market), draws=draws, seed=seed, breakeven=1 / margin)
    table["spent"] = budget * (1 - table["unspent_share"])
    table["profit"] = table["mean_revenue"] * margin - table["spent"]
    table["profit_per_dollar"] = table["return_per_dollar"] * margin - 1
    table["best"] = table["strategy"] == table.loc[table["profit"].idxmax(), "strategy"]
    table = table.rename(columns={"profit": "margin_usd"})
    return table[
        ["strategy", "mean_revenue", "spent", "margin_usd", "return_per_dollar", "profit_per_dollar", "p_loss", "best"]
    ]


def one_way_sensitivity(budget: float, names=MARKET_ASSUMPTIONS, draws: int = 2_000, seed: int = 0) -> pd.DataFrame:
    """Each assumption of the market moved alone to the low and the high end of its stated range, the others at
    their values, in the central world: the best strategy by expected margin at each end, and the margin per dollar
    of the strategy that is best at the assumed values (how far the assumption moves the outcome). Tidy:
    assumption, label, end (low, high), setting, best, best_profit_per_dollar, best_p_loss, assumed_best,
    assumed_best_profit_per_dollar, changes_decision (the best there brings more margin than the assumed best by
    more than TIE_SHARE of the budget); sorted by how far the assumed best's margin moves."""
    market, margin = assumed_market()
    base = best_by_margin(market, budget, margin, draws, seed).set_index("strategy")
    assumed_best = base.index[base["best"]][0]
    rows = []
    for name in names:
        a = ASSUMPTIONS[name]
        for end, setting in (("low", a.low), ("high", a.high)):
            moved, m = assumed_market(**{name: setting})
            table = best_by_margin(moved, budget, m, draws, seed).set_index("strategy")
            best = table.index[table["best"]][0]
            rows.append(
                {
                    "assumption": name,
                    "label": a.label,
                    "end": end,
                    "setting": float(setting),
                    "best": best,
                    "best_profit_per_dollar": float(table.loc[best, "profit_per_dollar"]),
                    "best_p_loss": float(table.loc[best, "p_loss"]),
                    "assumed_best": assumed_best,
                    "assumed_best_profit_per_dollar": float(table.loc[assumed_best, "profit_per_dollar"]),
                    # a different best by more than TIE_SHARE of the budget (near ties are one choice)
                    "changes_decision": bool(
                        table.loc[best, "margin_usd"] - table.loc[assumed_best, "margin_usd"] > TIE_SHARE * budget
                    ),
                }
            )
    out = pd.DataFrame(rows)
    swing = out.groupby("assumption")["assumed_best_profit_per_dollar"].agg(lambda s: s.max() - s.min())
    out["swing"] = out["assumption"].map(swing)
    return out.sort_values(["swing", "assumption", "end"], ascending=[False, True, False], ignore_index=True)


# ---- A test sized for the decision, valued in margin


def test_plan(
    market: Market,
    e_now: float,
    e_flip: float,
    sd_log_rpd: float,
    margin: float,
    budget: float,
    tiers: tuple[str, str] = ("micro", "macro"),
    power: float = 0.8,
    alpha: float = 0.05,
    draws: int = 2_000,
    seed: int = 0,
) -> dict:
    """A test of two tiers sized to tell the elasticity of return per dollar `e_now` (the estimate) from `e_flip`
    (where the best strategy changes): between the tiers' median accounts, log return per dollar differs by
    e x the log ratio of their follower counts, so the two values differ by (e_now - e_flip) x that log ratio, which
    a two-sample t-test on log return per dollar (spread `sd_log_rpd` within a tier) detects with `power` at `alpha`
    (statsmodels' solver) with campaigns_per_tier campaigns in each tier. Valued in margin (revenue x margin -
    spend), its money spent in campaigns of `budget` (more creators than one niche holds, so over several niches or
    seasons): its cost, the margin per dollar its campaigns earn (the two tiers' creators in the proportions of the
    test, simulated in `market` at `budget`), and the margin it forgoes against spending the same money on the best
    strategy at `budget` (best_by_margin). The result that would change the decision: a measured elasticity on the
    other side of e_flip."""
    low, high = (follower_quantile(0.5, *_band(t), market.follower_decay) for t in tiers)
    log_ratio = float(np.log(high / low))
    effect = abs(e_now - e_flip) * log_ratio / sd_log_rpd
    n = float(np.ceil(TTestIndPower().solve_power(effect_size=effect, power=power, alpha=alpha)))
    cost = cost_of_test(market, n, tiers)
    per_tier = {t: median_price(market, t) + market.management_cost for t in tiers}
    mix = {t: c / sum(per_tier.values()) for t, c in per_tier.items()}
    test = summarise(run(market, budget, mix, draws=draws, seed=seed), 1 / margin)
    best = best_by_margin(market, budget, margin, draws, seed)
    best_row = best[best["best"]].iloc[0]
    test_ppd = test["return_per_dollar"] * margin - 1
    return {
        "tiers": tiers,
        "e_now": e_now,
        "e_flip": e_flip,
        "log_ratio": log_ratio,
        "power": power,
        "alpha": alpha,
        "campaigns_per_tier": int(n),
        "cost": cost,
        "test_profit_per_dollar": float(test_ppd),
        "best_strategy": str(best_row["strategy"]),
        "best_profit_per_dollar": float(best_row["profit_per_dollar"]),
        "forgone_margin": float(max(cost * (best_row["profit_per_dollar"] - test_ppd), 0.0)),
    }
