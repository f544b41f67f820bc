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

PLATFORMS = ("instagram", "tiktok", "youtube")
NICHES = ("beauty", "fashion", "fitness", "food", "gaming", "tech")


@dataclass(frozen=True)
class Params:
    """Every parameter of the process. Each default names the ledger claims (data/evidence/claims.csv) it rests on."""

    # Followers: log10(F) - 3 is exponential on [0, 4] (1k to 10M), so each decade up holds exp(-decay) times as
    # many influencers: about two thirds nano, a few per cent mega. Population shape, not in the ledger: an
    # assumption, stated in the model chapter.
    follower_decay: float = 1.0
    followers_min: float = 1_000.0
    followers_max: float = 10_000_000.0
    reference_followers: float = 31_623.0  # F_ref: the geometric midpoint of the canonical micro tier
    platform_shares: tuple = (0.5, 0.35, 0.15)  # instagram, tiktok, youtube: an assumption

    # Engagement rate at F_ref on Instagram: 2.0%, between HypeAuditor 2026's 0.54% (L44) and Markerly's 2.37%,
    # Mediakix's 2.75% and IMH 2021's 3.86% (L41, L53, L47); about their geometric mean.
    er_ref: float = 0.020
    # Elasticity of engagement rate: -0.2, the meta-regression over the ledger (chapter 'What the benchmarks
    # imply'), inside the literature's derived -0.12 (L55) to -0.32 (L56).
    e_er: float = -0.20
    # Platform multipliers on engagement rate, relative to Instagram: TikTok 2.5 (article 001's table, A001_05 vs
    # A001_07, gives about 2; IMH 2021, L47 vs L51, about 4.7); YouTube 0.42 (IMH 2021, L49 / L47).
    platform_er: tuple = (1.0, 2.5, 0.42)
    sd_er: float = 0.5  # campaign-to-campaign spread of engagement (log scale): an assumption

    # Conversions per engagement at F_ref: 5%, between article 001's per-engaged-follower rates for macro (3%,
    # A001_21) and nano (up to 7%, A001_20). Return per dollar at F_ref on Instagram is then 5, the bottom of
    # article 001's 5-8 for micro (A001_11), and below what Beichert et al.'s ROIS imply (L12, L13).
    cr_ref: float = 0.05
    # Elasticity of conversion: -0.25, so that revenue rises at 1 - 0.20 - 0.25 = 0.55, near the top of the
    # 0.4-0.5 derived from Beichert et al. (L26), and the meta-regression's conversion slope (-0.17) is steeper.
    e_cr: float = -0.25
    sd_cr: float = 0.6  # an assumption
    sd_niche: float = 0.2  # niche effect on conversion (log scale): an assumption
    order_value: float = 50.0  # USD per conversion: an assumption (no claim states it)

    # Price per post at F_ref: $316, about $100 per 10,000 followers (the rule of thumb, L62), inside the rate
    # card's micro $100-500 (L58). Elasticity 0.85: the meta-regression's 0.81 and the 0.83-0.90 derived from
    # Beichert et al. (L27), a little under the rule of thumb's proportionality (L63).
    price_ref: float = 316.0
    e_price: float = 0.85
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

    def to_dict(self) -> dict:
        return asdict(self)


def true_elasticities(params: Params) -> dict:
    """The elasticities the process was given, with respect to (reported) followers, without fake followers."""
    revenue = 1 + params.e_er + params.e_cr
    # rounded so that 0.55 - 0.85 is written as -0.3, not -0.29999999999999993
    return {"revenue": round(revenue, 12), "cost": params.e_price, "roi": round(revenue - params.e_price, 12),
            "engagement_rate": params.e_er}


def follower_quantile(u, low: float, high: float, decay: float):
    """The follower count at quantile u (0 to 1) of the model's population between `low` and `high`: the decades
    above `low` follow a truncated exponential, density proportional to exp(-decay * decades), so there are many
    small accounts and few large. Used to draw accounts (u uniform) and for exact medians (u = 0.5)."""
    span = np.log10(high / low)
    decades = u * span if decay == 0 else -np.log1p(-u * (1 - np.exp(-decay * span))) / decay
    return low * 10 ** decades


def _followers(rng: np.random.Generator, n: int, params: Params) -> np.ndarray:
    """n whole follower counts drawn from the model's population (inverse CDF)."""
    return np.round(follower_quantile(rng.random(n), params.followers_min, params.followers_max,
                                      params.follower_decay))


def simulate(n: int, seed: int = 0, params: Params | None = None) -> pd.DataFrame:
    """n simulated campaigns, one row each (tidy). Deterministic for a seed; vectorised (a million rows in about
    a second). Columns: campaign_id, influencer_id, brand, platform, niche, followers, fake_share, engagements,
    engagement_rate, conversions (expected count, fractional), revenue, cost."""
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
    er = (params.er_ref * scale ** params.e_er * np.asarray(params.platform_er)[platform]
          * np.exp(rng.normal(0, params.sd_er, n)))
    engagements = followers * (1 - fake) * er
    cr = params.cr_ref * scale ** params.e_cr * np.exp(niche_effect[niche] + rng.normal(0, params.sd_cr, n))
    conversions = engagements * cr
    revenue = conversions * params.order_value * np.exp(brand_effect[brand])
    cost = params.price_ref * scale ** params.e_price * np.exp(rng.normal(0, params.sd_price, n))

    width = len(str(n))
    return pd.DataFrame({
        "campaign_id": [f"C{i:0{width}d}" for i in range(n)],
        "influencer_id": [f"I{i:0{width}d}" for i in rng.permutation(n)],
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
    })


def params_record(params: Params, n: int, seed: int) -> dict:
    """What PARAMS.json holds: the run, every parameter, and the true elasticities."""
    return {"simulated": True, "n": n, "seed": seed, "params": params.to_dict(),
            "elasticity": true_elasticities(params)}


# What sets each parameter, for the model chapter's table: ledger claim ids, or "assumption".
PARAMETER_NOTES = {
    "follower_decay": ("assumption", "population shape: about two thirds of accounts nano, a few per cent mega"),
    "platform_shares": ("assumption", "Instagram, TikTok, YouTube"),
    "er_ref": ("L41, L44, L47, L53", "engagement rate at the micro midpoint on Instagram"),
    "e_er": ("L55, L56; meta-regression", "elasticity of engagement rate"),
    "platform_er": ("A001_05, A001_07, L47, L49, L51", "engagement multipliers for TikTok and YouTube"),
    "sd_er": ("assumption", "spread of engagement between campaigns"),
    "cr_ref": ("A001_20, A001_21, A001_11", "conversions per engagement at the micro midpoint"),
    "e_cr": ("L26; meta-regression", "elasticity of conversion, setting revenue's elasticity"),
    "sd_cr": ("assumption", "spread of conversion between campaigns"),
    "sd_niche": ("assumption", "niche effect on conversion"),
    "order_value": ("assumption", "USD per conversion"),
    "price_ref": ("L58, L62", "price per post at the micro midpoint"),
    "e_price": ("L27, L63; meta-regression", "elasticity of price per post"),
    "sd_price": ("assumption", "spread of prices"),
    "n_brands": ("assumption", "brands in the market"),
    "sd_brand": ("assumption", "brand effect on revenue"),
}


def parameter_table(params: Params | None = None) -> pd.DataFrame:
    """Every calibrated parameter with its value, what it means and what sets it (claim ids or 'assumption')."""
    params = params or Params()
    values = params.to_dict()
    return pd.DataFrame(
        [{"parameter": name, "value": str(values[name]), "meaning": meaning, "set by": source}
         for name, (source, meaning) in PARAMETER_NOTES.items()]).set_index("parameter")


def campaign_metrics(campaigns: pd.DataFrame) -> pd.DataFrame:
    """The simulated campaigns with the ledger's metrics: engagement_rate, conversion_rate (per engagement),
    price_per_post, cost_per_engagement, roas; and the canonical tier."""
    from .tiers import assign_tier

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
    campaigns of that tier (and platform, where the claim names one): claim_id, tier, metric, platform, claimed
    (low, high), simulated median, its ratio to the claim (geometric midpoint of the claimed range), and a
    verdict: 'inside' the claimed range, CALIBRATION_NEAR of it, or 'outside'. SIMULATED."""
    sim = campaign_metrics(campaigns)
    rows = claims[claims["metric"].isin(CALIBRATION_METRICS) & claims["tier_b"].isna() & ~claims["illustrative"]
                  & claims["tier_a"].isin(["nano", "micro", "macro", "mega"])
                  & ~claims["value_unit"].isin(["eur", "currency"])]
    out = []
    for row in rows.itertuples(index=False):
        pool = sim[sim["tier"] == row.tier_a]
        if row.platform != "any":
            pool = pool[pool["platform"] == row.platform]
        median = float(pool[row.metric].median())
        low = row.value_low if pd.notna(row.value_low) else 0.0
        high = row.value_high if pd.notna(row.value_high) else np.inf
        one_low = row.value_low if pd.notna(row.value_low) else row.value_high
        one_high = row.value_high if pd.notna(row.value_high) else row.value_low
        ratio = median / float(np.sqrt(one_low * one_high))
        verdict = ("inside" if low <= median <= high
                   else CALIBRATION_NEAR if 1 / CALIBRATION_FACTOR <= ratio <= CALIBRATION_FACTOR else "outside")
        out.append({"claim_id": row.claim_id, "source_id": row.source_id, "tier": row.tier_a, "metric": row.metric,
                    "platform": row.platform, "claimed_low": row.value_low, "claimed_high": row.value_high,
                    "simulated_median": median, "ratio": ratio, "verdict": verdict})
    return pd.DataFrame(out)


# ---- Posts: the input of `influencer-roi engagement`. Accounts are drawn as above; each publishes a few posts.
POST_COMMENT_SHARE = 0.05  # comments as a share of engagements: an assumption (likes dominate on every platform)
POST_SD_ACCOUNT = 0.4  # account-to-account spread of engagement (log scale): an assumption
POST_SD_POST = 0.35  # post-to-post spread within an account: an assumption


def simulate_posts(n_accounts: int, seed: int = 0, params: Params | None = None,
                   posts_per_account: float = 5.0) -> pd.DataFrame:
    """SIMULATED posts, one row each: account_id, platform, followers, likes, comments, sponsored.

    Engagement rate follows the campaign model's (er_ref, e_er, platform_er), with an account effect shared by an
    account's posts (which is why the analysis clusters its errors by account) and post-to-post noise. Each account
    publishes 1 + Poisson(posts_per_account - 1) posts; about a third are marked sponsored, with no effect of their
    own. Likes and comments are Poisson counts around the expected engagements."""
    params = params or Params()
    rng = np.random.default_rng(seed)
    followers = _followers(rng, n_accounts, params)
    platform = rng.choice(len(PLATFORMS), size=n_accounts,
                          p=np.asarray(params.platform_shares) / sum(params.platform_shares))
    account_effect = rng.normal(0, POST_SD_ACCOUNT, n_accounts)
    posts = 1 + rng.poisson(posts_per_account - 1, n_accounts)
    account = np.repeat(np.arange(n_accounts), posts)
    n = len(account)
    scale = followers[account] / params.reference_followers
    er = (params.er_ref * scale ** params.e_er * np.asarray(params.platform_er)[platform[account]]
          * np.exp(account_effect[account] + rng.normal(0, POST_SD_POST, n)))
    expected = followers[account] * er
    width = len(str(n_accounts))
    return pd.DataFrame({
        "account_id": np.char.add("A", np.char.zfill(account.astype(str), width)),
        "platform": np.asarray(PLATFORMS)[platform[account]],
        "followers": followers[account].astype(np.int64),
        "likes": rng.poisson(expected * (1 - POST_COMMENT_SHARE)),
        "comments": rng.poisson(expected * POST_COMMENT_SHARE),
        "sponsored": rng.random(n) < 1 / 3,
    })
