"""What the real Instagram posts estimate (instagram loads them): the engagement-rate elasticity the synthesis uses
as real evidence, its sensitivity to the follower snapshot's timing, and the real posts as audit evidence (a tier's
typical engagement rate, every tier scheme's rates, the audit's real-data checks beside their claims). REAL data.

    >>> engagement_slope()["estimate"]   # the elasticity the synthesis uses as real engagement evidence
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from . import engagement, instagram
from .formats import band_label, fmt_int
from .tiers import CANONICAL


def engagement_slope(file: Path | None = None) -> dict:
    """The real engagement-rate elasticity (log engagement rate on log followers, errors clustered by account,
    engagement.elasticity on instagram.load()): estimate, std_error, ci_low, ci_high, n_posts, n_accounts. This is the
    engagement evidence the synthesis of the evidence uses beside the benchmarks. REAL."""
    data = instagram.cached(file)
    row = engagement.elasticity(data).set_index("term").loc["log_followers"]
    return {
        "estimate": float(row["estimate"]),
        "std_error": float(row["std_error"]),
        "ci_low": float(row["ci_low"]),
        "ci_high": float(row["ci_high"]),
        "n_posts": int(len(data)),
        "n_accounts": int(data["account_id"].nunique()),
    }


def timing_sensitivity(data: pd.DataFrame, months=(12, 4)) -> pd.DataFrame:
    """The follower counts are one snapshot, taken after the last post; a post from years before was published to
    a smaller (or larger) audience. The elasticity on every post and on the posts published within `months` of the
    latest post in the file (the closest the data gets to the snapshot). Tidy: sample, posts, accounts, since, and
    the tidy columns of the log_followers term."""
    latest = data["date"].max()
    rows = [("every post", data, data["date"].min())]
    for m in months:
        since = latest - pd.DateOffset(months=m)
        rows.append((f"within {m} months of the latest post", data[data["date"] > since], since))
    out = []
    for label, subset, since in rows:
        row = engagement.elasticity(subset).set_index("term").loc["log_followers"]
        out.append(
            {
                "sample": label,
                "since": since.date().isoformat(),
                "posts": len(subset),
                "accounts": int(subset["account_id"].nunique()),
                **{c: float(row[c]) for c in ("estimate", "std_error", "ci_low", "ci_high", "p_value")},
            }
        )
    return pd.DataFrame(out)


# ---- Real data as audit evidence: what a tier's typical engagement rate is in these posts.

MEASURES = {  # name in audit_checks.csv -> (rate column, which posts)
    "engagement_rate": ("engagement_rate", "all"),
    "like_rate": ("like_rate", "all"),
    "sponsored_engagement_rate": ("engagement_rate", "sponsored"),
}


def band_interval(measure: str, lower: float, upper: float, file: Path | None = None) -> dict:
    """The typical `measure` (MEASURES) of the accounts with lower <= followers < upper in the real posts, as the
    audit compares a benchmark with it. 'Typical' is read as a vendor might compute it, by the median or by the mean
    over accounts, so the interval runs from the lower 95% bound of the median to the upper 95% bound of the mean
    (engagement.band_rates): a benchmark inside it is supported by the real posts under one reading or the other.
    Returns low, high, accounts, median, mean."""
    if measure not in MEASURES:
        raise ValueError(f"unknown real-data measure {measure!r}; known: {', '.join(MEASURES)}")
    column, which = MEASURES[measure]
    data = instagram.cached(file)
    if which == "sponsored":
        data = data[data["sponsored"]]
    band = pd.DataFrame({"min_followers": [lower], "max_followers": [upper]})
    row = engagement.band_rates(data, band, rate=column).iloc[0]
    low = np.nanmin([row["median_ci_low"], row["mean_ci_low"]])
    high = np.nanmax([row["median_ci_high"], row["mean_ci_high"]])
    return {
        "low": float(low),
        "high": float(high),
        "accounts": int(row["accounts"]),
        "median": float(row["median"]),
        "mean": float(row["mean"]),
    }


def scheme_rates(data: pd.DataFrame, definitions: pd.DataFrame, labels: pd.Series | dict | None = None) -> pd.DataFrame:
    """engagement.band_rates under the canonical scheme and every scheme of tier_definitions.csv: scheme_id, scheme
    (its label), tier, name (the band as its source names it), bounds, accounts, median and mean engagement rate
    with intervals. REAL."""
    labels = dict(labels or {})
    canonical = CANONICAL.assign(scheme_id="canonical", name=CANONICAL["tier"].astype(str))
    frames = [engagement.band_rates(data, canonical)]
    for _scheme_id, bands in definitions.groupby("scheme_id", sort=False):
        frames.append(
            engagement.band_rates(data, bands[["scheme_id", "tier", "name", "min_followers", "max_followers"]])
        )
    table = pd.concat(frames, ignore_index=True)
    table.insert(
        1, "scheme", table["scheme_id"].map(lambda s: labels.get(s, "canonical (this book)" if s == "canonical" else s))
    )
    return table


def vendor_checks(result: pd.DataFrame, claims: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """The audit's real-data checks (kind real_data, audit.run_audit) beside their claims: check, claim, source,
    what the claim is about (tier and follower band), the measure, the claimed value, the real posts' typical
    value (the interval the audit compares with) and the one rule's verdict on the claim (audit.rule_verdict:
    supported when the real posts' interval lies inside the claimed range, widened by the audit's tolerance;
    contradicted when the two do not meet; not established when they overlap). REAL data against benchmarks."""
    checks = result[result["kind"] == "real_data"]
    claim = claims.set_index("claim_id")
    label = sources.set_index("source_id")["label"]
    rows = []
    for check in checks.itertuples(index=False):
        cid = check.claim_ids.split(", ")[0]
        row = claim.loc[cid]
        about = (
            row["tier"].replace("_vs_", " ÷ ")
            if pd.notna(row["tier_b"])
            else f"{row['tier']}, {band_label(row['range_min'], row['range_max'])}"
        )
        rows.append(
            {
                "check": check.check_id,
                "claim": cid,
                "source": label[row["source_id"]],
                "about": about,
                "platform": row["platform"],
                "claimed": check.stated,
                "real posts": check.recomputed,
                "verdict": check.rule_verdict,
                "real_low": check.recomputed_low,
                "real_high": check.recomputed_high,
            }
        )
    return pd.DataFrame(rows)


def ratio_verdicts(vendor: pd.DataFrame) -> str:
    """The vendor_checks rows that compare two tiers ("micro ÷ mega"), each in words from its own row: the source's
    claimed multiple, the one rule's verdict on it and the real posts' interval, saying when that interval holds 1×
    (no difference between the tiers at all). "Article 001's 3× for micro ÷ mega (K52) is contradicted: the real
    posts give 0.836–1.88×, which holds 1× (no difference); ..." """
    rows = vendor[vendor["about"].str.contains("÷")]
    said = [
        f"{r['source']}'s {r['claimed']}× for {r['about']} ({r['check']}) is {r['verdict']}: the real posts give "
        + f"{r['real posts']}×"
        + (", which holds 1× (no difference)" if r["real_low"] <= 1 <= r["real_high"] else "")
        for _, r in rows.iterrows()
    ]
    return "; ".join(said) + "." if said else "no claim compares two tiers."


# ---- The slope's shape in the real posts: by tier, near the snapshot, and what it says in words.


def tier_timing(data: pd.DataFrame, months=(12,)) -> pd.DataFrame:
    """The spline's tier slopes (engagement.slope_spline, tier_slopes) on every post and on the posts published
    within `months` of the latest post (timing_sensitivity's samples): the snapshot of follower counts is a shared,
    mis-timed denominator, which biases a slope most inside a narrow band of sizes. Tidy: sample, tier, posts,
    accounts, estimate, std_error, ci_low, ci_high, reported; and the equal-slopes test of each sample
    (in .attrs["tests"], by sample)."""
    latest = data["date"].max()
    samples = [("every post", data)] + [
        (f"within {m} months of the latest post", data[data["date"] > latest - pd.DateOffset(months=m)]) for m in months
    ]
    frames, tests = [], {}
    for label, subset in samples:
        fit = engagement.slope_spline(subset)
        frames.append(engagement.tier_slopes(fit).assign(sample=label))
        tests[label] = engagement.equal_slopes_test(fit)
    table = pd.concat(frames, ignore_index=True)
    columns = ["sample", "tier", "posts", "accounts", "estimate", "std_error", "ci_low", "ci_high", "reported"]
    table = table[columns]
    table.attrs["tests"] = tests
    return table


def shape_sentence(slopes: pd.DataFrame, pairs: pd.DataFrame, midpoints: pd.Series) -> str:
    """What shape the slope has, in words, from the spline's tier slopes and tier-pair elasticities: which tiers'
    rates clearly fall with size and which are indistinguishable from flat, and the mean slope below and above the
    middle of the micro tier (the book's reference account)."""
    shown = slopes[slopes["reported"]]
    falling = [r.tier for r in shown.itertuples() if r.ci_high < 0]
    flat = [r.tier for r in shown.itertuples() if r.ci_low <= 0 <= r.ci_high]
    pair = pairs.set_index(["tier_a", "tier_b"])
    value = shown.set_index("tier")["estimate"]

    def listed(tiers: list[str]) -> str:
        said = [f"{t} ({value[t]:.3f})" for t in tiers]
        return said[0] if len(said) == 1 else ", ".join(said[:-1]) + " and " + said[-1]

    words = []
    if falling:
        words.append("the rate falls clearly with size in " + listed(falling))
    if flat:
        words.append("it is indistinguishable from flat in " + listed(flat))
    text = "; ".join(words)
    if {("nano", "micro"), ("micro", "mega")} <= set(pair.index):
        below, above = pair.loc[("nano", "micro"), "estimate"], pair.loc[("micro", "mega"), "estimate"]
        text += (
            f". Between the middles of nano and micro the mean slope is {below:.3f}; from the middle of micro "
            f"({fmt_int(midpoints['micro'])} followers) to the middle of mega it is {above:.3f}"
            + (", a flatter line" if above > below else ", no flatter")
        )
    return text[0].upper() + text[1:] + "."


def shape_plain(slopes: pd.DataFrame) -> str:
    """shape_sentence for a reader in a hurry, without numbers: in which tiers (engagement.tier_slopes, the reported
    ones) engagement per follower clearly falls with size and in which it is indistinguishable from flat.

    >>> t = pd.DataFrame({"tier": ["nano", "micro", "macro"], "reported": True,
    ...                   "ci_low": [-0.3, -0.2, -0.1], "ci_high": [-0.1, -0.05, 0.05]})
    >>> shape_plain(t)
    'clearly for nano and micro creators, hardly for macro'
    """
    shown = slopes[slopes["reported"]]
    falling = [r.tier for r in shown.itertuples() if r.ci_high < 0]
    flat = [r.tier for r in shown.itertuples() if r.ci_low <= 0 <= r.ci_high]
    rising = [r.tier for r in shown.itertuples() if r.ci_low > 0]

    def listed(tiers: list[str]) -> str:
        return tiers[0] if len(tiers) == 1 else ", ".join(tiers[:-1]) + " and " + tiers[-1]

    words = []
    if falling:
        words.append(f"clearly for {listed(falling)} creators")
    if flat:
        words.append(f"hardly for {listed(flat)}" if falling else f"hardly for {listed(flat)} creators")
    if rising:
        words.append(f"rising for {listed(rising)}")
    return ", ".join(words)


def date_trend(data: pd.DataFrame, date: str = "date") -> dict:
    """How the log engagement rate moves with post date within an account (account fixed effects, clustered by
    account), per year: follower counts are one snapshot, so on a growing account an older post's rate is divided
    by more followers than it had. estimate, std_error, ci_low, ci_high, accounts."""
    subset = data[data[date].notna()]
    years = (subset[date] - subset[date].min()).dt.days.to_numpy(float) / 365.25
    groups = subset["account_id"].to_numpy()
    frame = pd.DataFrame({"y": subset["log_er"].to_numpy(float), "x": years})
    within = frame - frame.groupby(groups).transform("mean")
    keep = (pd.Series(years).groupby(groups).transform("nunique") > 1).to_numpy()
    result = sm.OLS(within.loc[keep, "y"].to_numpy(), within.loc[keep, ["x"]].to_numpy()).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(groups[keep])[0]}
    )
    ci = np.asarray(result.conf_int())[0]
    return {
        "estimate": float(result.params[0]),
        "std_error": float(result.bse[0]),
        "ci_low": float(ci[0]),
        "ci_high": float(ci[1]),
        "accounts": int(pd.Series(groups[keep]).nunique()),
    }


def cost_per_engagement(
    data: pd.DataFrame, claims: pd.DataFrame, price_source: str = "imh_ratecard", level: float = 0.95
) -> pd.DataFrame:
    """What an engagement costs at each canonical tier: REAL engagements per post (likes + comments; the median
    account's median post, with a distribution-free `level` interval for the median over accounts) beside the price
    evidence for the tier (`price_source`'s price_per_post claims, a range as stated; an open top is left open), and
    their ratio: price low / engagements and price high / engagements. Posts are unsponsored and sponsored alike; a
    price is a rate card's, not a price paid. Tidy: tier, accounts, posts, engagements_per_post, engagements_low,
    engagements_high, claim_id, price_low, price_high, cpe_low, cpe_high."""
    per_account = data.groupby(["tier", "account_id"], observed=True)["engagements"].median().reset_index()
    prices = claims[(claims["source_id"] == price_source) & (claims["metric"] == "price_per_post")].set_index("tier")
    rows = []
    for tier in CANONICAL["tier"].astype(str):
        values = np.sort(per_account.loc[per_account["tier"] == tier, "engagements"].to_numpy(float))
        n = len(values)
        if n == 0 or tier not in prices.index:
            continue
        # the order statistics that bracket the median with at least `level` coverage (binomial, distribution-free)
        k = max(int(stats.binom.ppf((1 - level) / 2, n, 0.5)) - 1, 0)
        claim = prices.loc[tier]
        mid = float(np.median(values))
        low, high = float(claim["value_low"]), float(claim["value_high"])
        rows.append(
            {
                "tier": tier,
                "accounts": n,
                "posts": int((data["tier"] == tier).sum()),
                "engagements_per_post": mid,
                "engagements_low": float(values[k]),
                "engagements_high": float(values[n - 1 - k]),
                "claim_id": str(claim["claim_id"]),
                "price_low": low,
                "price_high": high,
                "cpe_low": low / mid,
                "cpe_high": high / mid,
            }
        )
    return pd.DataFrame(rows)
