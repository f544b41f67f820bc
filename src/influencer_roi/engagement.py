"""Post-level engagement: how engagement rate (engagements / followers) changes with follower count.

Input: a tidy post table (schema.load_posts): account_id, followers, engagements; optional platform.
Every function returns a tidy table with a `model` column, like models.py:

- elasticity: OLS of log engagement rate on log followers (platform levels when the file has several platforms),
  errors clustered by account: an account's posts share its audience, so they are not independent evidence.
- curvature: the same with a quadratic term in centred log followers, and the vertex if it is a peak inside the
  data.
- tier_medians: the median engagement rate per canonical tier, taken over accounts (each account's median post),
  with a distribution-free 95% interval for the median (scipy.stats.quantile_test).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from .models import NotEstimable, attempt, tidy
from .tiers import TIERS, assign_tier


def prepare(posts: pd.DataFrame) -> pd.DataFrame:
    """Add engagement_rate, log_er, log_followers, tier; posts with no engagement have no log rate and are dropped
    (their count is in .attrs["dropped_zero_engagement"])."""
    data = posts[posts["engagements"] > 0].copy()
    data.attrs["dropped_zero_engagement"] = int((posts["engagements"] <= 0).sum())
    data["engagement_rate"] = data["engagements"] / data["followers"]
    data["log_er"] = np.log(data["engagement_rate"])
    data["log_followers"] = np.log(data["followers"])
    data["tier"] = assign_tier(data["followers"]).to_numpy()
    return data


def _design(data: pd.DataFrame, terms: dict[str, np.ndarray]) -> tuple[np.ndarray, list[str]]:
    """Constant, the given terms, and platform levels (the first platform is the reference) when there are several."""
    columns, names = [np.ones(len(data))], ["Intercept"]
    for name, values in terms.items():
        columns.append(np.asarray(values, dtype=float))
        names.append(name)
    if "platform" in data.columns and data["platform"].nunique() > 1:
        levels = sorted(data["platform"].dropna().unique())
        for level in levels[1:]:
            columns.append((data["platform"] == level).to_numpy(float))
            names.append(f"platform[{level}]")
    return np.column_stack(columns), names


def _clustered(data: pd.DataFrame, terms: dict[str, np.ndarray]):
    """OLS of log engagement rate on the design, errors clustered by account: (result, tidy table, design)."""
    design, names = _design(data, terms)
    groups = pd.factorize(data["account_id"])[0]
    if groups.max() + 1 <= design.shape[1]:  # a clustered covariance needs more clusters than coefficients
        raise NotEstimable(f"{groups.max() + 1} accounts for {design.shape[1]} coefficients; clustered errors need "
                           "more accounts than coefficients")
    result = sm.OLS(data["log_er"].to_numpy(float), design).fit(cov_type="cluster", cov_kwds={"groups": groups})
    table = tidy(result)
    table["term"] = names
    return result, table, design


def elasticity(data: pd.DataFrame) -> pd.DataFrame:
    """The engagement-rate elasticity: the slope of log engagement rate on log followers (row log_followers)."""
    _, table, _ = _clustered(data, {"log_followers": data["log_followers"]})
    table.insert(0, "model", "ols_clustered")
    return table


def curvature(data: pd.DataFrame) -> pd.DataFrame:
    """Rows linear, quadratic (centred log followers, clustered errors) and vertex_followers: the peak's follower
    count when the curve is concave and the peak lies inside the data (NaN otherwise), with the quadratic term's
    p-value."""
    centre = data["log_followers"].mean()
    x = data["log_followers"] - centre
    _, table, _ = _clustered(data, {"linear": x, "quadratic": x ** 2})
    table = table[table["term"].isin(["linear", "quadratic"])]
    b1, b2 = table["estimate"].to_numpy()
    vertex = -b1 / (2 * b2) + centre if b2 < 0 else np.nan
    inside = bool(data["log_followers"].min() < vertex < data["log_followers"].max())
    vertex_row = {"term": "vertex_followers", "estimate": float(np.exp(vertex)) if inside else np.nan,
                  "std_error": np.nan, "ci_low": np.nan, "ci_high": np.nan,
                  "p_value": float(table["p_value"].iloc[1]) if inside else np.nan}
    table = pd.concat([table, pd.DataFrame([vertex_row])], ignore_index=True)
    table.insert(0, "model", "curvature")
    return table


def tier_medians(data: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Per canonical tier: accounts, posts, the median over accounts of each account's median engagement rate, and
    a distribution-free interval for it (an exact binomial interval on order statistics). Accounts, not posts, are
    the units, so that a prolific account does not count as many."""
    accounts = data.groupby("account_id", sort=False).agg(
        followers=("followers", "median"), engagement_rate=("engagement_rate", "median"), posts=("log_er", "size"))
    accounts["tier"] = assign_tier(accounts["followers"]).to_numpy()
    rows = []
    for tier in TIERS:
        group = accounts.loc[accounts["tier"] == tier, "engagement_rate"].to_numpy()
        if len(group) == 0:
            continue
        median = float(np.median(group))
        low = high = np.nan
        if len(group) >= 6:  # below 6 values no order-statistic interval reaches 95%
            ci = stats.quantile_test(group, q=median, p=0.5).confidence_interval(confidence)
            low, high = float(ci.low), float(ci.high)
        rows.append({"model": "tier_median", "term": tier, "accounts": len(group),
                     "posts": int(accounts.loc[accounts["tier"] == tier, "posts"].sum()),
                     "estimate": median, "ci_low": low, "ci_high": high})
    return pd.DataFrame(rows)


def fit_posts(data: pd.DataFrame) -> pd.DataFrame:
    """elasticity, curvature and tier medians, stacked (tidy). A part that cannot be estimated on this data is one
    row marked so, with the reason in `note` (models.attempt)."""
    return pd.concat([attempt("ols_clustered", lambda: elasticity(data), "log_followers"),
                      attempt("curvature", lambda: curvature(data), "quadratic"),
                      attempt("tier_median", lambda: tier_medians(data))], ignore_index=True)


def fitted_line(data: pd.DataFrame, points: int = 41) -> pd.DataFrame:
    """The fitted engagement rate on a follower grid, at the file's own mix of platforms, with its 95% band from
    the clustered covariance: followers, fitted, ci_low, ci_high."""
    result, _, full = _clustered(data, {"log_followers": data["log_followers"]})
    grid = np.logspace(np.log10(data["followers"].min()), np.log10(data["followers"].max()), points)
    design = np.tile(full.mean(axis=0), (points, 1))  # platform columns at their shares in the data
    design[:, 1] = np.log(grid)
    mean = design @ np.asarray(result.params)
    se = np.sqrt(np.einsum("ij,jk,ik->i", design, np.asarray(result.cov_params()), design))
    z = stats.norm.ppf(0.975)
    return pd.DataFrame({"followers": grid, "fitted": np.exp(mean), "ci_low": np.exp(mean - z * se),
                         "ci_high": np.exp(mean + z * se)})
