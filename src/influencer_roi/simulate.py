"""A simulated market of sponsored campaigns, calibrated to the evidence ledger.

Real per-campaign cost and revenue data is not public, so the model chapters use this data-generating process.
Everything it produces is SIMULATED; every figure, table and sentence built on it says so.

For campaign i by an influencer with F followers (of whom a share `fake` are fake) on platform p, for brand b:

    engagement rate   ER = er_ref * (F / F_ref) ** e_er * m_p * exp(u_er)           u_er ~ N(0, sd_er)
    engagements       E  = F * (1 - fake) * ER
    conversion rate   CR = cr_ref * (F / F_ref) ** e_cr * exp(u_niche + u_cr)        per engagement
    revenue           R  = E * CR * order_value * exp(u_brand)                       u_brand ~ N(0, sd_brand)
    cost (price)      C  = price_ref * (F / F_ref) ** e_price * exp(u_price)

so the elasticities with respect to F are: revenue 1 + e_er + e_cr, cost e_price, and return per dollar (R / C)
their difference. Fake followers lower E and R but not the price, which is set on the follower count.

    >>> campaigns = simulate(10_000, seed=1)
    >>> true_elasticities(Params())
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize

from . import worlds
from .constants import FOLLOWER_CAP, FOLLOWER_FLOOR, REFERENCE_FOLLOWERS
from .tiers import assign_tier

PLATFORMS = ("instagram", "tiktok", "youtube")
NICHES = ("beauty", "fashion", "fitness", "food", "gaming", "tech")


def _central(name: str):
    """A default taken from the central world of the evidence (worlds.central), when a Params is made."""

    def default() -> float:
        return worlds.central()[name]

    return default


def _platform_multipliers() -> tuple:
    return worlds.platform_multipliers(PLATFORMS)


@dataclass(frozen=True)
class Params:
    """Every parameter of the process. The elasticities, the price and engagement levels, the platform levels and
    the level of return per dollar come from the evidence (worlds.central(): the synthesis of the benchmarks and the
    real posts, and Beichert et al.'s ROIS for the level) unless given; every other default is an assumption, named
    as one. Params() is the central world; worlds.draws() gives others (Params.from_world)."""

    # Followers: log10(F) - 3 is exponential on [0, 4] (1k to 10M), so each decade up holds exp(-decay) times as
    # many influencers: about two thirds nano, a few per cent mega. Population shape, not in the ledger: an
    # assumption, stated in the model chapter.
    follower_decay: float = 1.0
    followers_min: float = FOLLOWER_FLOOR
    followers_max: float = FOLLOWER_CAP
    reference_followers: float = REFERENCE_FOLLOWERS  # F_ref: the geometric midpoint of the canonical micro tier
    platform_shares: tuple = (0.5, 0.35, 0.15)  # instagram, tiktok, youtube: an assumption

    # Engagement rate at F_ref on Instagram: the real posts' fit (REAL data); its elasticity: the synthesis
    # (benchmarks and real posts pooled).
    er_ref: float = field(default_factory=_central("er_ref"))
    e_er: float = field(default_factory=_central("e_er"))
    # Platform multipliers on engagement rate, relative to Instagram: the synthesis's platform levels.
    platform_er: tuple = field(default_factory=_platform_multipliers)
    sd_er: float = 0.5  # campaign-to-campaign spread of engagement (log scale): an assumption

    # Conversions per engagement at F_ref: set so that the median return per dollar at F_ref (at the platform mix)
    # is the level of the central world (Beichert et al.'s macro ROIS carried to F_ref, worlds.central); its
    # elasticity: the synthesis.
    cr_ref: float = float("nan")  # NaN: set from the level, below
    e_cr: float = field(default_factory=_central("e_cr"))
    sd_cr: float = 0.6  # an assumption
    sd_niche: float = 0.2  # niche effect on conversion (log scale): an assumption
    order_value: float = 50.0  # USD per conversion: an assumption (no claim states it; only its product with
    # the conversion rate matters, and that is set by the level)

    # Price per post at F_ref and its elasticity: the synthesis's joint fit.
    price_ref: float = field(default_factory=_central("price_ref"))
    e_price: float = field(default_factory=_central("e_price"))
    sd_price: float = 0.3  # an assumption

    # Brands: random intercepts on log revenue.
    n_brands: int = 40
    sd_brand: float = 0.3  # an assumption

    # Fake followers: a share of each account's followers that cannot engage or buy. Off by default; the
    # robustness chapter turns it on. fake_share_slope raises the share with log10 followers (larger accounts buy
    # more), capped at fake_share_max.
    fake_share: float = 0.0
    fake_share_slope: float = 0.0
    fake_share_max: float = 0.6
    # the level of return per dollar at F_ref that cr_ref is set from (by default the central world's)
    roas_ref: float = field(default_factory=_central("roas_ref"))

    def __post_init__(self):
        if np.isnan(self.cr_ref):
            shares = np.asarray(self.platform_shares) / sum(self.platform_shares)
            platform = float(np.exp(shares @ np.log(np.asarray(self.platform_er))))
            revenue_per_conversion_rate = self.reference_followers * self.er_ref * platform * self.order_value
            object.__setattr__(self, "cr_ref", self.roas_ref * self.price_ref / revenue_per_conversion_rate)

    @classmethod
    def from_world(cls, world, **overrides) -> Params:
        """The process in one world of worlds.draws() (a row): its elasticities and level; the rest as given."""
        return cls(
            e_er=float(world["e_er"]),
            e_cr=float(world["e_cr"]),
            e_price=float(world["e_price"]),
            roas_ref=float(world["roas_ref"]),
            **overrides,
        )

    def to_dict(self) -> dict:
        return asdict(self)


def true_elasticities(params: Params) -> dict:
    """The elasticities the process was given, with respect to (reported) followers, without fake followers."""
    revenue = 1 + params.e_er + params.e_cr
    # rounded so that a difference such as 0.55 - 0.85 is written as -0.3, not -0.29999999999999993
    return {
        "revenue": round(revenue, 12),
        "cost": params.e_price,
        "roi": round(revenue - params.e_price, 12),
        "engagement_rate": params.e_er,
    }


def follower_quantile(u, low: float, high: float, decay: float):
    """The follower count at quantile u (0 to 1) of the model's population between `low` and `high`: the decades
    above `low` follow a truncated exponential, density proportional to exp(-decay * decades), so there are many
    small accounts and few large. Used to draw accounts (u uniform) and for exact medians (u = 0.5)."""
    span = np.log10(high / low)
    decades = u * span if decay == 0 else -np.log1p(-u * (1 - np.exp(-decay * span))) / decay
    return low * 10**decades


def _followers(rng: np.random.Generator, n: int, params: Params) -> np.ndarray:
    """n whole follower counts drawn from the model's population (inverse CDF)."""
    return np.round(follower_quantile(rng.random(n), params.followers_min, params.followers_max, params.follower_decay))


def simulate(n: int, seed: int = 0, params: Params | None = None, zero_share: float = 0.0) -> pd.DataFrame:
    """n simulated campaigns, one row each (tidy). Deterministic for a seed; vectorised (a million rows in about
    a second). Columns: campaign_id, influencer_id, brand, platform, niche, followers, fake_share, engagements,
    engagement_rate, conversions (expected count, fractional), revenue, cost.

    zero_share: the expected share of campaigns with zero revenue (0, the default, draws none and leaves every
    other draw as it was). Revenue then arrives in whole lumps: a campaign whose expected revenue is m brings
    q * Poisson(m / q), with the lump q set so that the expected share of campaigns that bring nothing is
    zero_share (zero_revenue_lump). Its expected revenue is still m, so every elasticity of the mean is the one
    the process was given; but the campaigns that bring nothing are mostly those expected to bring little (small
    accounts, weak draws), so the campaigns with revenue are a selected sample."""
    if not 0 <= zero_share < 1:
        raise ValueError(f"zero_share must be at least 0 and below 1, not {zero_share}")
    params = params or Params()
    rng = np.random.default_rng(seed)
    followers = _followers(rng, n, params)
    platform = rng.choice(len(PLATFORMS), size=n, p=np.asarray(params.platform_shares) / sum(params.platform_shares))
    niche = rng.integers(len(NICHES), size=n)
    brand = rng.integers(params.n_brands, size=n)
    niche_effect = rng.normal(0, params.sd_niche, len(NICHES))
    brand_effect = rng.normal(0, params.sd_brand, params.n_brands)

    scale = followers / params.reference_followers
    fake = np.clip(params.fake_share + params.fake_share_slope * (np.log10(followers) - 3), 0, params.fake_share_max)
    er = (
        params.er_ref
        * scale**params.e_er
        * np.asarray(params.platform_er)[platform]
        * np.exp(rng.normal(0, params.sd_er, n))
    )
    engagements = followers * (1 - fake) * er
    cr = params.cr_ref * scale**params.e_cr * np.exp(niche_effect[niche] + rng.normal(0, params.sd_cr, n))
    conversions = engagements * cr
    revenue = conversions * params.order_value * np.exp(brand_effect[brand])
    cost = params.price_ref * scale**params.e_price * np.exp(rng.normal(0, params.sd_price, n))
    influencers = rng.permutation(n)
    if zero_share > 0:
        lump = zero_revenue_lump(revenue, zero_share)
        revenue = lump * rng.poisson(revenue / lump)

    width = len(str(n))
    return pd.DataFrame(
        {
            "campaign_id": [f"C{i:0{width}d}" for i in range(n)],
            "influencer_id": [f"I{i:0{width}d}" for i in influencers],
            "brand": [f"B{b:02d}" for b in brand],
            "platform": np.asarray(PLATFORMS)[platform],
            "niche": np.asarray(NICHES)[niche],
            "followers": followers.astype(np.int64),
            "fake_share": fake.round(4),
            "engagements": engagements.round(1),
            "engagement_rate": (engagements / followers).round(6),
            "conversions": conversions.round(2),
            "revenue": revenue.round(2),
            "cost": cost.round(2),
        }
    )


def zero_revenue_lump(expected: np.ndarray, zero_share: float) -> float:
    """The lump q for which campaigns of these expected revenues bring nothing with probability zero_share on
    average: mean(exp(-expected / q)) = zero_share, solved on log q (the left side rises with q)."""
    expected = np.asarray(expected, dtype=float)

    def gap(log_q: float) -> float:
        return float(np.mean(np.exp(-expected / np.exp(log_q)))) - zero_share

    low, high = np.log(expected.min()) - 30, np.log(expected.max()) + 30
    return float(np.exp(optimize.brentq(gap, low, high, xtol=1e-12)))


def params_record(params: Params, n: int, seed: int) -> dict:
    """What PARAMS.json holds: the run, every parameter, and the true elasticities."""
    return {
        "simulated": True,
        "n": n,
        "seed": seed,
        "params": params.to_dict(),
        "elasticity": true_elasticities(params),
    }


# What sets each parameter, for the model chapter's table: evidence (the synthesis, real posts, a claim) or
# "assumption".
PARAMETER_NOTES = {
    "follower_decay": ("assumption", "population shape: about two thirds of accounts nano, a few per cent mega"),
    "platform_shares": ("assumption", "Instagram, TikTok, YouTube"),
    "er_ref": ("real posts", "engagement rate at the micro midpoint on Instagram"),
    "e_er": ("synthesis (benchmarks and real posts)", "elasticity of engagement rate"),
    "platform_er": ("synthesis (platform levels)", "engagement multipliers for TikTok and YouTube"),
    "sd_er": ("assumption", "spread of engagement between campaigns"),
    "cr_ref": ("L13 (level), carried by the synthesis", "conversions per engagement at the micro midpoint"),
    "e_cr": ("synthesis", "elasticity of conversion"),
    "sd_cr": ("assumption", "spread of conversion between campaigns"),
    "sd_niche": ("assumption", "niche effect on conversion"),
    "order_value": ("assumption", "USD per conversion (only its product with conversion matters)"),
    "price_ref": ("synthesis (price fit)", "price per post at the micro midpoint"),
    "e_price": ("synthesis", "elasticity of price per post"),
    "sd_price": ("assumption", "spread of prices"),
    "n_brands": ("assumption", "brands in the market"),
    "sd_brand": ("assumption", "brand effect on revenue"),
    "roas_ref": ("L13, carried by the synthesis", "median return per dollar at the micro midpoint"),
}


def parameter_table(params: Params | None = None) -> pd.DataFrame:
    """Every calibrated parameter with its value, what it means and what sets it (claim ids or 'assumption')."""
    params = params or Params()
    values = params.to_dict()

    def shown(value):
        if isinstance(value, tuple):
            return ", ".join(f"{v:.3g}" for v in value)
        return f"{value:.4g}" if isinstance(value, float) else str(value)

    return pd.DataFrame(
        [
            {"parameter": name, "value": shown(values[name]), "meaning": meaning, "set by": source}
            for name, (source, meaning) in PARAMETER_NOTES.items()
        ]
    ).set_index("parameter")


def campaign_metrics(campaigns: pd.DataFrame) -> pd.DataFrame:
    """The simulated campaigns with the ledger's metrics: engagement_rate, conversion_rate (per engagement),
    price_per_post, cost_per_engagement, roas; and the canonical tier."""
    return campaigns.assign(
        conversion_rate=campaigns["conversions"] / campaigns["engagements"],
        price_per_post=campaigns["cost"],
        cost_per_engagement=campaigns["cost"] / campaigns["engagements"],
        roas=campaigns["revenue"] / campaigns["cost"],
        tier=assign_tier(campaigns["followers"]).astype(str).to_numpy(),
    )


CALIBRATION_FACTOR = 1.5  # benchmarks for the same tier disagree with each other by far more than this
CALIBRATION_NEAR = f"within {CALIBRATION_FACTOR:g}x"  # the verdict between 'inside' and 'outside'
CALIBRATION_METRICS = ("engagement_rate", "conversion_rate", "price_per_post", "cost_per_engagement", "roas")


def calibration_table(claims: pd.DataFrame, campaigns: pd.DataFrame) -> pd.DataFrame:
    """Each measured ledger claim about one canonical tier (not illustrative) against the median of the simulated
    campaigns in the follower range the claim is about (its source's own range where stated, as HypeAuditor's micro
    of 10k to 50k; else the canonical tier) and platform, where the claim names one: claim_id, tier, metric,
    platform, claimed (low, high), simulated median, its ratio to the claim (geometric midpoint of the claimed
    range), and a verdict: 'inside' the claimed range, CALIBRATION_NEAR of it, or 'outside'. SIMULATED."""
    sim = campaign_metrics(campaigns)
    rows = claims[
        claims["metric"].isin(CALIBRATION_METRICS)
        & claims["tier_b"].isna()
        & ~claims["illustrative"]
        & claims["tier_a"].isin(["nano", "micro", "macro", "mega"])
        & ~claims["value_unit"].isin(["eur", "currency"])
    ]
    out = []
    for row in rows.itertuples(index=False):
        lower = 0.0 if pd.isna(row.range_min) else row.range_min
        upper = np.inf if pd.isna(row.range_max) else row.range_max
        pool = sim[(sim["followers"] >= lower) & (sim["followers"] < upper)]
        if row.platform != "any":
            pool = pool[pool["platform"] == row.platform]
        median = float(pool[row.metric].median())
        low = row.value_low if pd.notna(row.value_low) else 0.0
        high = row.value_high if pd.notna(row.value_high) else np.inf
        one_low = row.value_low if pd.notna(row.value_low) else row.value_high
        one_high = row.value_high if pd.notna(row.value_high) else row.value_low
        ratio = median / float(np.sqrt(one_low * one_high))
        verdict = (
            "inside"
            if low <= median <= high
            else CALIBRATION_NEAR
            if 1 / CALIBRATION_FACTOR <= ratio <= CALIBRATION_FACTOR
            else "outside"
        )
        out.append(
            {
                "claim_id": row.claim_id,
                "source_id": row.source_id,
                "tier": row.tier_a,
                "metric": row.metric,
                "platform": row.platform,
                "claimed_low": row.value_low,
                "claimed_high": row.value_high,
                "simulated_median": median,
                "ratio": ratio,
                "verdict": verdict,
            }
        )
    return pd.DataFrame(out)


# ---- Posts: the input of `influencer-roi engagement`. Accounts are drawn as above; each publishes a few posts.
POST_COMMENT_SHARE = 0.05  # comments as a share of engagements: an assumption (likes dominate on every platform)
POST_SD_ACCOUNT = 0.4  # account-to-account spread of engagement (log scale): an assumption
POST_SD_POST = 0.35  # post-to-post spread within an account: an assumption


def simulate_posts(
    n_accounts: int, seed: int = 0, params: Params | None = None, posts_per_account: float = 5.0
) -> pd.DataFrame:
    """SIMULATED posts, one row each: account_id, platform, followers, likes, comments, sponsored.

    Engagement rate follows the campaign model's (er_ref, e_er, platform_er), with an account effect shared by an
    account's posts (which is why the analysis clusters its errors by account) and post-to-post noise. Each account
    publishes 1 + Poisson(posts_per_account - 1) posts; about a third are marked sponsored, with no effect of their
    own. Likes and comments are Poisson counts around the expected engagements."""
    params = params or Params()
    rng = np.random.default_rng(seed)
    followers = _followers(rng, n_accounts, params)
    platform = rng.choice(
        len(PLATFORMS), size=n_accounts, p=np.asarray(params.platform_shares) / sum(params.platform_shares)
    )
    account_effect = rng.normal(0, POST_SD_ACCOUNT, n_accounts)
    posts = 1 + rng.poisson(posts_per_account - 1, n_accounts)
    account = np.repeat(np.arange(n_accounts), posts)
    n = len(account)
    scale = followers[account] / params.reference_followers
    er = (
        params.er_ref
        * scale**params.e_er
        * np.asarray(params.platform_er)[platform[account]]
        * np.exp(account_effect[account] + rng.normal(0, POST_SD_POST, n))
    )
    expected = followers[account] * er
    width = len(str(n_accounts))
    return pd.DataFrame(
        {
            "account_id": np.char.add("A", np.char.zfill(account.astype(str), width)),
            "platform": np.asarray(PLATFORMS)[platform[account]],
            "followers": followers[account].astype(np.int64),
            "likes": rng.poisson(expected * (1 - POST_COMMENT_SHARE)),
            "comments": rng.poisson(expected * POST_COMMENT_SHARE),
            "sponsored": rng.random(n) < 1 / 3,
        }
    )


def world_tier_medians(worlds_table: pd.DataFrame, n: int, seed: int = 0) -> pd.DataFrame:
    """The market simulated in each world of worlds.draws (Params.from_world), `n` campaigns each: the median return
    per dollar of each canonical tier in each world. Tidy: world, tier, roas, campaigns. SIMULATED."""
    rows = []
    for i, world in enumerate(worlds_table.itertuples(index=False)):
        campaigns = campaign_metrics(simulate(n, seed=seed + i, params=Params.from_world(world._asdict())))
        medians = campaigns.groupby("tier")["roas"].agg(["median", "size"])
        rows += [
            {"world": int(world.world), "tier": t, "roas": float(r["median"]), "campaigns": int(r["size"])}
            for t, r in medians.iterrows()
        ]
    return pd.DataFrame(rows)
