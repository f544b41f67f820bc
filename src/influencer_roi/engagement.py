"""Post-level engagement: how engagement rate (engagements / followers) changes with follower count.

Input: a tidy post table (schema.load_posts) made ready by post_table.prepare: account_id, followers, engagements,
the rates, logs and tier; optional platform.
Every function returns a tidy table with a `model` column, like models.py:

- elasticity: OLS of log engagement rate on log followers (platform levels when the file has several platforms),
  errors clustered by account: an account's posts share its audience, so they are not independent evidence.
- curvature: the same with a quadratic term in centred log followers, and the vertex if it is a peak inside the
  data.
- tier_medians: the median engagement rate per canonical tier, taken over accounts (each account's median post),
  with a distribution-free 95% interval for the median (scipy.stats.quantile_test).

Further fits for a post table with more columns (the real Instagram posts of the chapter "What real Instagram posts
show" use every one):

- engagement_peak: is there an interior peak in absolute engagement (Wies et al.'s inverted U)? A quadratic and a
  spline in log followers for log engagements, the vertex with a delta-method interval, a Wald test of the spline.
- fixed_effects: the elasticity within groups (category, year): does the slope hold inside them?
- sponsored_penalty: sponsored posts against the same accounts' other posts (account fixed effects), by tier.
- ppml: Poisson pseudo-maximum likelihood on engagements, which keeps the posts with no engagement at all.
- band_rates: each band of a tier scheme's median and mean engagement rate over accounts, with intervals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from .constants import CONFIDENCE
from .models import NotEstimable, attempt, peak_row, tidy
from .tiers import TIERS, assign_tier


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
        raise NotEstimable(
            f"{groups.max() + 1} accounts for {design.shape[1]} coefficients; clustered errors need "
            "more accounts than coefficients"
        )
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
    _, table, _ = _clustered(data, {"linear": x, "quadratic": x**2})
    table = table[table["term"].isin(["linear", "quadratic"])]
    b1, b2 = table["estimate"].to_numpy()
    vertex_row = peak_row(b1, b2, float(table["p_value"].iloc[1]), centre, data["log_followers"])
    table = pd.concat([table, pd.DataFrame([vertex_row])], ignore_index=True)
    table.insert(0, "model", "curvature")
    return table


def tier_medians(data: pd.DataFrame, confidence: float = CONFIDENCE) -> pd.DataFrame:
    """Per canonical tier: accounts, posts, the median over accounts of each account's median engagement rate, and
    a distribution-free interval for it (an exact binomial interval on order statistics). Accounts, not posts, are
    the units, so that a prolific account does not count as many."""
    accounts = data.groupby("account_id", sort=False).agg(
        followers=("followers", "median"), engagement_rate=("engagement_rate", "median"), posts=("log_er", "size")
    )
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
        rows.append(
            {
                "model": "tier_median",
                "term": tier,
                "accounts": len(group),
                "posts": int(accounts.loc[accounts["tier"] == tier, "posts"].sum()),
                "estimate": median,
                "ci_low": low,
                "ci_high": high,
            }
        )
    return pd.DataFrame(rows)


def fit_posts(data: pd.DataFrame) -> pd.DataFrame:
    """elasticity, curvature and tier medians, stacked (tidy). A part that cannot be estimated on this data is one
    row marked so, with the reason in `note` (models.attempt)."""
    return pd.concat(
        [
            attempt("ols_clustered", lambda: elasticity(data), "log_followers"),
            attempt("curvature", lambda: curvature(data), "quadratic"),
            attempt("tier_median", lambda: tier_medians(data)),
        ],
        ignore_index=True,
    )


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
    return pd.DataFrame(
        {"followers": grid, "fitted": np.exp(mean), "ci_low": np.exp(mean - z * se), "ci_high": np.exp(mean + z * se)}
    )


# ---- Further fits: absolute engagement, fixed effects, sponsored posts, zeros kept, bands of any tier scheme.

Z95 = float(stats.norm.ppf(0.975))


def _ols_clustered(y: np.ndarray, design: np.ndarray, groups) -> sm.regression.linear_model.RegressionResultsWrapper:
    return sm.OLS(np.asarray(y, dtype=float), design).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(groups)[0]}
    )


def _nonlinear_part(spline: np.ndarray, line: np.ndarray) -> np.ndarray:
    """The columns of a spline basis with the straight line projected out, reduced to full rank: the part of the
    curve a straight line cannot fit, so that testing its coefficients is testing the curvature."""
    residual = spline - line @ np.linalg.lstsq(line, spline, rcond=None)[0]
    u, singular, _ = np.linalg.svd(residual, full_matrices=False)
    keep = singular > singular.max() * 1e-8
    return u[:, keep] * singular[keep]


def engagement_peak(data: pd.DataFrame, spline_df: int = 5, grid_points: int = 200) -> pd.DataFrame:
    """Does absolute engagement (engagements per post, not the rate) peak at an interior follower count, as Wies
    et al.'s inverted U has it? Log engagements on centred log followers, errors clustered by account:

    - rows linear and quadratic: the quadratic's terms (a peak needs a negative quadratic term);
    - vertex_followers: where the quadratic peaks, with a delta-method 95% interval (on the log scale, then
      exponentiated); NaN when the curve is convex (no peak at all) and p_value the quadratic term's;
      `inside` says whether the vertex lies within the data;
    - spline_vs_linear: a Wald test (clustered) that a natural cubic spline with `spline_df` degrees of freedom
      is no better than the straight line (estimate: the chi-squared statistic);
    - spline_peak_followers: where the spline's fitted curve peaks, when it rises and then falls inside the data.
    """
    from patsy import dmatrix

    x_log = data["log_followers"].to_numpy(float)
    centre = float(x_log.mean())
    x = x_log - centre
    y = np.log(data["engagements"].to_numpy(float))
    groups = data["account_id"]
    quad = _ols_clustered(y, np.column_stack([np.ones_like(x), x, x**2]), groups)
    b, cov = np.asarray(quad.params), np.asarray(quad.cov_params())
    rows = [
        {
            "term": "linear",
            "estimate": b[1],
            "std_error": quad.bse[1],
            "ci_low": quad.conf_int()[1, 0],
            "ci_high": quad.conf_int()[1, 1],
            "p_value": quad.pvalues[1],
        },
        {
            "term": "quadratic",
            "estimate": b[2],
            "std_error": quad.bse[2],
            "ci_low": quad.conf_int()[2, 0],
            "ci_high": quad.conf_int()[2, 1],
            "p_value": quad.pvalues[2],
        },
    ]
    vertex = {
        "term": "vertex_followers",
        "estimate": np.nan,
        "std_error": np.nan,
        "ci_low": np.nan,
        "ci_high": np.nan,
        "p_value": float(quad.pvalues[2]),
        "inside": False,
    }
    if b[2] < 0:
        v = -b[1] / (2 * b[2])
        gradient = np.array([0.0, -1 / (2 * b[2]), b[1] / (2 * b[2] ** 2)])
        se = float(np.sqrt(gradient @ cov @ gradient))
        vertex.update(
            estimate=float(np.exp(v + centre)),
            std_error=se,
            ci_low=float(np.exp(v + centre - Z95 * se)),
            ci_high=float(np.exp(v + centre + Z95 * se)),
            inside=bool(x.min() < v < x.max()),
        )
    rows.append(vertex)

    spline_matrix = dmatrix(f"cr(x, df={spline_df}) - 1", {"x": x})
    spline = np.asarray(spline_matrix)
    line = np.column_stack([np.ones_like(x), x])
    curve = _nonlinear_part(spline, line)
    fit = _ols_clustered(y, np.column_stack([line, curve]), groups)
    k = curve.shape[1]
    restriction = np.zeros((k, 2 + k))
    restriction[:, 2:] = np.eye(k)
    wald = fit.wald_test(restriction, scalar=True)
    rows.append(
        {
            "term": "spline_vs_linear",
            "estimate": float(wald.statistic),
            "std_error": np.nan,
            "ci_low": np.nan,
            "ci_high": np.nan,
            "p_value": float(wald.pvalue),
        }
    )
    # the spline's own turning point, on a grid over the data (the design's state carries the knots)
    grid = np.linspace(x.min(), x.max(), grid_points)
    basis = np.asarray(dmatrix(spline_matrix.design_info, {"x": grid}))
    fitted = basis @ np.asarray(sm.OLS(y, spline).fit().params)
    top = int(np.argmax(fitted))
    peak = float(np.exp(grid[top] + centre)) if 0 < top < grid_points - 1 else np.nan
    rows.append(
        {
            "term": "spline_peak_followers",
            "estimate": peak,
            "std_error": np.nan,
            "ci_low": np.nan,
            "ci_high": np.nan,
            "p_value": np.nan,
        }
    )
    table = pd.DataFrame(rows)
    table.insert(0, "model", "engagement_peak")
    return table


def _dummies(values: pd.Series, prefix: str) -> tuple[np.ndarray, list[str]]:
    levels = sorted(pd.Series(values).dropna().astype(str).unique())
    text = pd.Series(values).astype(str).to_numpy()
    return (
        np.column_stack([(text == level).astype(float) for level in levels[1:]])
        if len(levels) > 1
        else np.zeros((len(text), 0))
    ), [f"{prefix}[{level}]" for level in levels[1:]]


def fixed_effects(data: pd.DataFrame, groups=("category", "year")) -> pd.DataFrame:
    """The engagement-rate elasticity without and with fixed effects for each of `groups` (columns of `data`), alone
    and together: does the slope hold within a category, within a year? One row per specification: spec (the
    groups absorbed, 'none' for the plain fit), n, and the tidy columns of the log_followers term; errors clustered
    by account."""
    specs = [()] + [(g,) for g in groups] + ([tuple(groups)] if len(groups) > 1 else [])
    rows = []
    for spec in specs:
        columns = [np.ones(len(data)), data["log_followers"].to_numpy(float)]
        for group in spec:
            block, _ = _dummies(data[group], group)
            columns.append(block)
        result = _ols_clustered(data["log_er"], np.column_stack(columns), data["account_id"])
        ci = result.conf_int()
        rows.append(
            {
                "model": "fixed_effects",
                "spec": " + ".join(spec) if spec else "none",
                "term": "log_followers",
                "n": int(result.nobs),
                "estimate": float(result.params[1]),
                "std_error": float(result.bse[1]),
                "ci_low": float(ci[1, 0]),
                "ci_high": float(ci[1, 1]),
                "p_value": float(result.pvalues[1]),
            }
        )
    return pd.DataFrame(rows)


def sponsored_penalty(data: pd.DataFrame, flag: str = "sponsored") -> pd.DataFrame:
    """Sponsored posts against the same accounts' other posts: log engagement rate on `flag` (boolean) with a fixed
    effect per account (the within transformation), so that only accounts with both kinds of post count and
    everything fixed about an account (its size, audience, niche) is held constant. Errors clustered by account.
    Rows: 'all' (one penalty for every tier) and one per canonical tier (the flag interacted with the tier).
    estimate is the log ratio; ratio = exp(estimate) is sponsored engagement as a multiple of the same accounts'
    organic engagement (0.8: a fifth lower). Columns also: accounts (with both kinds), sponsored_posts, posts."""
    mixed = data.groupby("account_id")[flag].transform(lambda s: s.any() and not s.all()).astype(bool)
    both = data[mixed]
    account = both["account_id"]

    def within(values) -> np.ndarray:
        values = pd.DataFrame(np.asarray(values, dtype=float), index=both.index)
        return (values - values.groupby(account.to_numpy()).transform("mean")).to_numpy()

    y = within(both["log_er"]).ravel()
    sponsored = both[flag].to_numpy(float)
    specs = [("all", sponsored[:, None], ["all"])]
    present = [t for t in TIERS if ((both["tier"] == t) & both[flag]).any()]
    specs.append(
        ("by tier", np.column_stack([sponsored * (both["tier"] == t).to_numpy(float) for t in present]), present)
    )
    rows = []
    for _, design, names in specs:
        result = _ols_clustered(y, within(design), account)
        ci = np.asarray(result.conf_int())
        for i, name in enumerate(names):
            in_tier = np.ones(len(both), bool) if name == "all" else (both["tier"] == name).to_numpy()
            rows.append(
                {
                    "model": "sponsored_penalty",
                    "term": name,
                    "estimate": float(result.params[i]),
                    "std_error": float(result.bse[i]),
                    "ci_low": float(ci[i, 0]),
                    "ci_high": float(ci[i, 1]),
                    "p_value": float(result.pvalues[i]),
                    "accounts": int(account[in_tier].nunique()),
                    "sponsored_posts": int(both.loc[in_tier, flag].sum()),
                    "posts": int(in_tier.sum()),
                }
            )
    table = pd.DataFrame(rows)
    for column in ("estimate", "ci_low", "ci_high"):
        table[column.replace("estimate", "ratio") if column == "estimate" else f"ratio_{column}"] = np.exp(
            table[column]
        )
    return table


def ppml(posts: pd.DataFrame) -> pd.DataFrame:
    """Poisson pseudo-maximum likelihood: engagements (counts, zeros kept) on log followers, platform levels when
    there are several, errors clustered by account. It estimates the elasticity of *mean* engagements, so it keeps
    the posts that a log model must drop, and it weighs large accounts by their large counts. Rows: log_followers
    (the elasticity of engagements) and engagement_rate (the same minus 1: the elasticity of the rate)."""
    data = posts.assign(log_followers=np.log(posts["followers"].to_numpy(float)))
    design, names = _design(data, {"log_followers": data["log_followers"]})
    result = sm.GLM(data["engagements"].to_numpy(float), design, family=sm.families.Poisson()).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(data["account_id"])[0]}
    )
    table = tidy(result)
    table["term"] = names
    slope = table[table["term"] == "log_followers"].iloc[0].copy()
    rate = slope.copy()
    rate["term"] = "engagement_rate"
    rate[["estimate", "ci_low", "ci_high"]] = slope[["estimate", "ci_low", "ci_high"]] - 1
    out = pd.DataFrame([slope, rate]).reset_index(drop=True)
    out.insert(0, "model", "ppml")
    out["n"] = int(result.nobs)
    return out


def account_rates(data: pd.DataFrame, rate: str = "engagement_rate") -> pd.DataFrame:
    """One row per account: followers and the median of its posts' `rate` (accounts, not posts, are the units of a
    tier's typical rate, so that a prolific account does not count as many)."""
    return data.groupby("account_id", sort=False).agg(
        followers=("followers", "median"), rate=(rate, "median"), posts=(rate, "size")
    )


def band_rates(
    data: pd.DataFrame, scheme: pd.DataFrame, rate: str = "engagement_rate", confidence: float = CONFIDENCE
) -> pd.DataFrame:
    """For each band of `scheme` (rows with min_followers, max_followers; any other columns, such as tier or label,
    are kept): the accounts whose follower count falls inside it, the median of their rates with a
    distribution-free interval (order statistics) and the mean with a t interval. Bands may overlap; each is
    computed on its own. A band with no accounts gets accounts 0 and NaN."""
    accounts = account_rates(data, rate)
    rows = []
    for band in scheme.to_dict(orient="records"):
        lower = 0.0 if pd.isna(band["min_followers"]) else float(band["min_followers"])
        upper = np.inf if pd.isna(band["max_followers"]) else float(band["max_followers"])
        values = accounts.loc[(accounts["followers"] >= lower) & (accounts["followers"] < upper), "rate"].to_numpy()
        row = {
            **band,
            "accounts": len(values),
            "median": np.nan,
            "median_ci_low": np.nan,
            "median_ci_high": np.nan,
            "mean": np.nan,
            "mean_ci_low": np.nan,
            "mean_ci_high": np.nan,
        }
        if len(values):
            row["median"], row["mean"] = float(np.median(values)), float(values.mean())
        if len(values) >= 6:
            ci = stats.quantile_test(values, q=row["median"], p=0.5).confidence_interval(confidence)
            row["median_ci_low"], row["median_ci_high"] = float(ci.low), float(ci.high)
            half = stats.t.ppf(0.5 + confidence / 2, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values))
            row["mean_ci_low"], row["mean_ci_high"] = row["mean"] - half, row["mean"] + half
        rows.append(row)
    return pd.DataFrame(rows)
