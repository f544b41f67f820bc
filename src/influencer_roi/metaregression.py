"""What the benchmarks imply: log(metric) on log(followers) across the ledger's claims, by weighted least squares.

Each usable claim is one point: its value (the geometric midpoint of its stated range) at the geometric midpoint
of its follower range (evidence.normalise). The slope is the elasticity of the metric with respect to followers:
-0.2 means 10 times the followers, 10**-0.2 = 0.63 times the metric. Errors are heteroskedasticity-robust (HC3).

Weighting rules, because how much a claim should count is a judgement the reader should see varied:
- "equal": every claim counts the same;
- "grade": a source's grade sets the weight, halving at each step (A 1, B 1/2, C 1/4, D 1/8);
- "grade_and_width": the grade weight divided by 1 + log10 of the width of the claim's follower range, because a
  claim about "1M and up" locates its value on the follower axis less precisely than one about "10k to 50k".
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf

from .evidence import FOLLOWER_CAP
from .models import TIDY_COLUMNS, tidy

GRADE_WEIGHTS = {"A": 1.0, "B": 0.5, "C": 0.25, "D": 0.125}
WEIGHT_RULES = ("equal", "grade", "grade_and_width")
MIN_POINTS = 5  # below this a two-parameter fit with robust errors says nothing
# Metrics whose claims sit at a follower position and are worth a slope; engagement rate gets platform levels.
METRICS = ("engagement_rate", "conversion_rate", "price_per_post", "cost_per_engagement", "roas")


def points(claims: pd.DataFrame, sources: pd.DataFrame, metric: str) -> pd.DataFrame:
    """The usable claims for `metric`: about one tier (not a comparison), at a follower position, measured rather
    than illustrative, and each figure once (a restatement in the same source is dropped). Adds followers,
    value, log_followers, log_value, grade and the weights of every rule."""
    rows = claims[(claims["metric"] == metric) & claims["tier_b"].isna() & claims["midpoint_followers"].notna()
                  & ~claims["illustrative"]].copy()
    rows = rows.drop_duplicates(["source_id", "metric", "tier", "platform", "value_low", "value_high"])
    low = rows["value_low"].fillna(rows["value_high"])
    high = rows["value_high"].fillna(rows["value_low"])
    rows["value"] = np.sqrt(low * high)
    rows = rows[rows["value"] > 0]
    rows["followers"] = rows["midpoint_followers"]
    rows["log_followers"] = np.log10(rows["followers"])
    rows["log_value"] = np.log10(rows["value"])
    rows["grade"] = rows["source_id"].map(sources.set_index("source_id")["grade"])
    width = (rows["range_max"].fillna(np.inf).clip(upper=FOLLOWER_CAP)
             / rows["range_min"].fillna(0).clip(lower=1_000).where(lambda s: s > 0, 1_000))
    rows["weight_equal"] = 1.0
    rows["weight_grade"] = rows["grade"].map(GRADE_WEIGHTS)
    rows["weight_grade_and_width"] = rows["weight_grade"] / (1 + np.log10(width.clip(lower=1)))
    return rows.reset_index(drop=True)


def fit(data: pd.DataFrame, rule: str = "grade", platform_levels: bool = False) -> pd.DataFrame:
    """WLS of log10(value) on log10(followers) (plus a level per platform if asked), HC3 errors; tidy table."""
    if rule not in WEIGHT_RULES:
        raise ValueError(f"rule must be one of {WEIGHT_RULES}, not {rule!r}")
    formula = "log_value ~ log_followers" + (" + C(platform)" if platform_levels else "")
    result = smf.wls(formula, data=data, weights=data[f"weight_{rule}"]).fit(cov_type="HC3")
    table = tidy(result)
    table["n"] = int(result.nobs)
    return table


def elasticities(claims: pd.DataFrame, sources: pd.DataFrame, metrics=METRICS, rules=WEIGHT_RULES) -> pd.DataFrame:
    """The follower elasticity of each metric under each weighting rule: metric, rule, n, and the tidy columns of
    the log_followers term. A metric with fewer than MIN_POINTS usable claims gets a row of NaN with its n."""
    rows = []
    for metric in metrics:
        data = points(claims, sources, metric)
        for rule in rules:
            if len(data) < MIN_POINTS or data["log_followers"].nunique() < 3:
                rows.append({"metric": metric, "rule": rule, "n": len(data)})
                continue
            table = fit(data, rule, platform_levels=(metric == "engagement_rate" and data["platform"].nunique() > 1))
            slope = table.loc[table["term"] == "log_followers"].iloc[0]
            rows.append({"metric": metric, "rule": rule, "n": int(slope["n"]), **slope[TIDY_COLUMNS[1:]].to_dict()})
    return pd.DataFrame(rows, columns=["metric", "rule", "n", *TIDY_COLUMNS[1:]])


def implied_return_elasticity(table: pd.DataFrame, rule: str = "grade", z: float = 1.959964) -> pd.Series:
    """The elasticity of return per dollar that the benchmark slopes imply.

    Revenue per post is followers x engagement rate x conversion rate x order value, and cost is the price of
    the post, so  e(ROAS) = 1 + e(engagement rate) + e(conversion rate) - e(price per post)  (order value taken
    as flat in followers). The fits use different claims, so their errors are treated as independent.
    """
    slope = table[table["rule"] == rule].set_index("metric")
    parts = {"engagement_rate": 1, "conversion_rate": 1, "price_per_post": -1}
    estimate = 1 + sum(sign * slope.loc[m, "estimate"] for m, sign in parts.items())
    std_error = float(np.sqrt(sum(slope.loc[m, "std_error"] ** 2 for m in parts)))
    return pd.Series({"estimate": estimate, "std_error": std_error,
                      "ci_low": estimate - z * std_error, "ci_high": estimate + z * std_error})


def relative_return(elasticity: float, followers: float, reference: float) -> float:
    """Return per dollar at `followers` relative to `reference`, for a constant elasticity."""
    return float((followers / reference) ** elasticity)


def fitted_lines(data: pd.DataFrame, rule: str = "grade", platform_levels: bool = False,
                 grid: np.ndarray | None = None) -> pd.DataFrame:
    """The fitted relation on a grid of follower counts, with its 95% confidence band, for plotting:
    platform, followers, fitted, ci_low, ci_high (values on the metric's own scale, not logged)."""
    formula = "log_value ~ log_followers" + (" + C(platform)" if platform_levels else "")
    result = smf.wls(formula, data=data, weights=data[f"weight_{rule}"]).fit(cov_type="HC3")
    grid = np.logspace(3, 7, 41) if grid is None else grid
    platforms = sorted(data["platform"].unique()) if platform_levels else ["any"]
    frames = []
    for platform in platforms:
        new = pd.DataFrame({"log_followers": np.log10(grid), "platform": platform})
        pred = result.get_prediction(new).summary_frame(alpha=0.05)
        frames.append(pd.DataFrame({"platform": platform, "followers": grid, "fitted": 10 ** pred["mean"].to_numpy(),
                                    "ci_low": 10 ** pred["mean_ci_lower"].to_numpy(),
                                    "ci_high": 10 ** pred["mean_ci_upper"].to_numpy()}))
    return pd.concat(frames, ignore_index=True)
