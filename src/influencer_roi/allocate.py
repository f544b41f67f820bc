"""Spending a budget across tiers: a Monte Carlo of strategies under the campaign model. SIMULATED.

A brand with budget B works in one niche. A strategy splits B across the canonical tiers, or fills the tiers one
after another in a given order (nano first: every suitable nano creator, then micro, ...). Within a tier the brand
takes suitable creators in the order it finds them and books each while the next one's price (plus a fixed
management cost per creator) still fits in the tier's budget, up to the tier's supply of suitable creators in the
niche. Each booked creator brings:

    revenue      R = revenue_ref * (F / F_ref) ** e_revenue * exp(N(0, sd_revenue))
    price        C = price_ref * (F / F_ref) ** e_price * exp(N(0, sd_price))
    impressions  I = reach_share * F

with F drawn from the tier's band of the model's follower distribution. The niche's audience is finite: if the
campaign's impressions total I_all over an audience of A people, A * (1 - exp(-I_all / A)) distinct people see it
(impressions falling at random on the audience), and revenue is scaled by the same share of impressions that
reached someone new. That is the saturation: the more creators in one niche, the more their audiences overlap.

Outputs per draw: revenue, spent (prices + management), return per dollar (revenue / spent), reach (distinct
people), creators booked and budget left unspent. Vectorised over draws, in chunks to bound memory.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import pandas as pd

from .simulate import Params, follower_quantile
from .tiers import CANONICAL, TIERS


def _default_supply() -> dict:
    return {"nano": 2_000, "micro": 500, "macro": 60, "mega": 8}


@dataclass(frozen=True)
class Market:
    """What a brand buys from. `calibrated()` derives it from the campaign model (Params); `fitted()` from a
    campaign file. The last five fields are assumptions, stated in the chapter, no source measures them."""

    revenue_ref: float  # median revenue of one campaign at reference_followers (USD)
    e_revenue: float
    sd_revenue: float
    price_ref: float  # median price at reference_followers (USD)
    e_price: float
    sd_price: float
    reference_followers: float = 31_623.0
    follower_decay: float = 1.0
    # Suitable creators per tier in one niche (assumption: two thirds of accounts nano, a few mega, as in the model's
    # follower distribution, and a niche of a few thousand creators).
    supply: dict = field(default_factory=_default_supply)
    management_cost: float = 250.0  # USD per creator booked: finding, contracting, briefing, checking (assumption)
    reach_share: float = 0.2  # impressions of one sponsored post as a share of followers (assumption)
    niche_audience: float = 20_000_000.0  # people in the niche the campaign addresses (assumption)

    @classmethod
    def calibrated(cls, params: Params | None = None, **assumptions) -> "Market":
        """From the campaign model: revenue per campaign at F_ref is F_ref * engagement rate * conversion *
        order value, at the model's platform mix; its spread combines the model's engagement, conversion, niche and
        brand spreads and the platform mix."""
        p = params or Params()
        shares = np.asarray(p.platform_shares) / sum(p.platform_shares)
        log_platform = np.log(np.asarray(p.platform_er))
        platform_mean = float(shares @ log_platform)
        platform_var = float(shares @ (log_platform - platform_mean) ** 2)
        revenue_ref = p.reference_followers * p.er_ref * p.cr_ref * p.order_value * np.exp(platform_mean)
        sd_revenue = float(np.sqrt(p.sd_er ** 2 + p.sd_cr ** 2 + p.sd_niche ** 2 + p.sd_brand ** 2 + platform_var))
        return cls(revenue_ref=float(revenue_ref), e_revenue=1 + p.e_er + p.e_cr, sd_revenue=sd_revenue,
                   price_ref=p.price_ref, e_price=p.e_price, sd_price=p.sd_price,
                   reference_followers=p.reference_followers, follower_decay=p.follower_decay, **assumptions)

    @classmethod
    def fitted(cls, campaigns: pd.DataFrame, **assumptions) -> "Market":
        """From a campaign table (schema.load_campaigns): OLS of log revenue and of log cost on log followers
        centred at the reference, each with its residual spread (statsmodels). Campaigns with zero revenue are
        left out of the revenue fit."""
        import statsmodels.api as sm

        reference = cls.__dataclass_fields__["reference_followers"].default
        fits = {}
        for column in ("revenue", "cost"):
            rows = campaigns[campaigns[column] > 0]
            x = sm.add_constant(np.log(rows["followers"].to_numpy(float) / reference))
            result = sm.OLS(np.log(rows[column].to_numpy(float)), x).fit()
            fits[column] = (float(np.exp(result.params[0])), float(result.params[1]), float(np.sqrt(result.scale)))
        (revenue_ref, e_revenue, sd_revenue), (price_ref, e_price, sd_price) = fits["revenue"], fits["cost"]
        return cls(revenue_ref=revenue_ref, e_revenue=e_revenue, sd_revenue=sd_revenue, price_ref=price_ref,
                   e_price=e_price, sd_price=sd_price, **assumptions)

    def to_dict(self) -> dict:
        return asdict(self)


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
    return float(row["min_followers"]), float(min(row["max_followers"], Params().followers_max))


def _followers(rng: np.random.Generator, shape, tier: str, decay: float) -> np.ndarray:
    """Follower counts within the tier's band, drawn from the campaign model's population."""
    return follower_quantile(rng.random(shape, dtype=np.float32), *_band(tier), decay).astype(np.float32)


def median_price(market: Market, tier: str) -> float:
    """The median price of the tier's creators: the price of its median account (price rises with followers)."""
    median = follower_quantile(0.5, *_band(tier), market.follower_decay)
    return float(market.price_ref * (median / market.reference_followers) ** market.e_price)


def _buy(rng: np.random.Generator, market: Market, tier: str, budget: np.ndarray) -> dict:
    """Book creators of one tier for each draw's budget (array). Returns arrays: revenue, impressions, spent,
    creators."""
    draws = len(budget)
    supply = int(market.supply[tier])
    # the most creators any draw could book: the budget over the cheapest plausible creator (4 sd below the
    # median price at the tier's lower bound) plus management
    cheapest = (market.management_cost + market.price_ref * (_band(tier)[0] / market.reference_followers)
                ** market.e_price * np.exp(-4 * market.sd_price))
    most = int(min(supply, np.ceil(budget.max() / cheapest))) if draws else 0
    if most == 0:
        zero = np.zeros(draws)
        return {"revenue": zero, "impressions": zero.copy(), "spent": zero.copy(), "creators": zero.copy()}
    followers = _followers(rng, (draws, most), tier, market.follower_decay)
    scale = followers / np.float32(market.reference_followers)
    price = (market.price_ref * scale ** market.e_price
             * np.exp(rng.normal(0, market.sd_price, (draws, most)).astype(np.float32)))
    revenue = (market.revenue_ref * scale ** market.e_revenue
               * np.exp(rng.normal(0, market.sd_revenue, (draws, most)).astype(np.float32)))
    cost = np.cumsum(price + market.management_cost, axis=1, dtype=np.float64)
    booked = cost <= budget[:, None]  # in the order found, while the next one fits (cost only rises)
    return {"revenue": (revenue * booked).sum(axis=1, dtype=np.float64),
            "impressions": (market.reach_share * followers * booked).sum(axis=1, dtype=np.float64),
            "spent": np.where(booked, cost, 0).max(axis=1), "creators": booked.sum(axis=1).astype(float)}


def run(market: Market, budget: float, strategy, draws: int = 10_000, seed: int = 0,
        chunk: int = 1_000) -> pd.DataFrame:
    """`draws` simulated outcomes of spending `budget` under `strategy` (tier -> share, or a fill order). Tidy,
    one row per draw: revenue, spent, unspent, return_per_dollar (revenue / spent), reach, creators. SIMULATED."""
    rng = np.random.default_rng(seed)
    parts = []
    for start in range(0, draws, chunk):
        n = min(chunk, draws - start)
        totals = {"revenue": np.zeros(n), "impressions": np.zeros(n), "spent": np.zeros(n), "creators": np.zeros(n)}
        if isinstance(strategy, tuple):
            left = np.full(n, float(budget))
            for tier in strategy:
                got = _buy(rng, market, tier, left)
                left = left - got["spent"]
                for key in totals:
                    totals[key] += got[key]
        else:
            for tier, share in strategy.items():
                if share <= 0:
                    continue
                got = _buy(rng, market, tier, np.full(n, float(budget) * share))
                for key in totals:
                    totals[key] += got[key]
        x = totals["impressions"] / market.niche_audience
        reached = np.where(x > 0, -np.expm1(-x) / np.where(x > 0, x, 1), 1.0)  # share of impressions reaching someone new
        parts.append(pd.DataFrame({
            "revenue": totals["revenue"] * reached,
            "spent": totals["spent"],
            "unspent": budget - totals["spent"],
            "reach": market.niche_audience * -np.expm1(-x),
            "creators": totals["creators"],
        }))
    table = pd.concat(parts, ignore_index=True)
    table["return_per_dollar"] = table["revenue"] / table["spent"].where(table["spent"] > 0)
    return table


def summarise(outcomes: pd.DataFrame, breakeven: float = 1.0) -> dict:
    """One strategy's draws in a few numbers: expected revenue (and its Monte Carlo standard error) and return per
    dollar (total revenue / total
    spend), its 5th, 50th and 95th percentiles, the chance of losing money (return per dollar below `breakeven`:
    1 when revenue must cover spend; 1 / gross margin when the goods themselves cost something), reach, creators
    booked, share of budget unspent."""
    rpd = outcomes["return_per_dollar"]
    budget = (outcomes["spent"] + outcomes["unspent"]).iloc[0]
    return {
        "mean_revenue": float(outcomes["revenue"].mean()),
        "revenue_se": float(outcomes["revenue"].std() / np.sqrt(len(outcomes))),  # Monte Carlo error of the mean
        "return_per_dollar": float(outcomes["revenue"].sum() / outcomes["spent"].sum()),
        "rpd_p05": float(rpd.quantile(0.05)),
        "rpd_p50": float(rpd.median()),
        "rpd_p95": float(rpd.quantile(0.95)),
        "p_loss": float((outcomes["revenue"] < breakeven * outcomes["spent"]).mean()),
        "mean_reach": float(outcomes["reach"].mean()),
        "mean_creators": float(outcomes["creators"].mean()),
        "unspent_share": float(outcomes["unspent"].mean() / budget),
    }


def compare(market: Market, budgets, named: dict | None = None, draws: int = 10_000, seed: int = 0,
            breakeven: float = 1.0) -> pd.DataFrame:
    """summarise() for every strategy at every budget. Tidy: budget, strategy, and the summary columns."""
    named = named or strategies(market)
    rows = []
    for budget, (name, strategy) in itertools.product(budgets, named.items()):
        rows.append({"budget": float(budget), "strategy": name,
                     **summarise(run(market, budget, strategy, draws=draws, seed=seed), breakeven)})
    return pd.DataFrame(rows)


def mixes(step: float = 0.25) -> list[dict]:
    """Every split of the budget across the four tiers in multiples of `step`."""
    k = int(round(1 / step))
    return [dict(zip(TIERS, np.array(c) / k)) for c in itertools.product(range(k + 1), repeat=len(TIERS))
            if sum(c) == k]


def frontier(market: Market, budget: float, step: float = 0.25, draws: int = 2_000, seed: int = 0,
             breakeven: float = 1.0) -> pd.DataFrame:
    """summarise() for every mix of mixes(step): tidy, one row per mix with its shares (nano, micro, macro, mega),
    and `efficient`: no other mix has both a higher expected return per dollar and a higher 5th percentile."""
    rows = []
    for mix in mixes(step):
        rows.append({**mix, **summarise(run(market, budget, mix, draws=draws, seed=seed), breakeven)})
    table = pd.DataFrame(rows)
    r, p = table["return_per_dollar"].to_numpy(), table["rpd_p05"].to_numpy()
    table["efficient"] = [not ((r > r[i]) & (p > p[i])).any() for i in range(len(table))]
    return table


def management_sensitivity(market: Market, budget: float, costs, named: dict, draws: int = 2_000,
                           seed: int = 0) -> pd.DataFrame:
    """Expected return per dollar of each named strategy as the management cost per creator varies. Tidy:
    management_cost, strategy, return_per_dollar, mean_revenue."""
    rows = []
    for cost, (name, strategy) in itertools.product(costs, named.items()):
        priced = replace(market, management_cost=float(cost))
        summary = summarise(run(priced, budget, strategy, draws=draws, seed=seed))
        rows.append({"management_cost": float(cost), "strategy": name,
                     "return_per_dollar": summary["return_per_dollar"], "mean_revenue": summary["mean_revenue"]})
    return pd.DataFrame(rows)


def ties(table: pd.DataFrame, z: float = 2.0) -> pd.DataFrame:
    """Per budget (compare()'s table), the strategies whose expected revenue is within z Monte Carlo standard
    errors of the best: budget, strategy, mean_revenue, best (the top one), tied (True for all within reach)."""
    rows = []
    for budget, group in table.groupby("budget", sort=True):
        top = group.loc[group["mean_revenue"].idxmax()]
        margin = z * np.sqrt(top["revenue_se"] ** 2 + group["revenue_se"] ** 2)
        rows.append(group.assign(best=top["strategy"], tied=group["mean_revenue"] >= top["mean_revenue"] - margin)
                    [["budget", "strategy", "mean_revenue", "best", "tied"]])
    return pd.concat(rows, ignore_index=True)
