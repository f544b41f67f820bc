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

from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from .constants import ALPHA, CONFIDENCE
from .formats import fmt_int
from .models import NotEstimable, attempt, peak_row, tidy
from .tiers import CANONICAL, TIERS, assign_tier, tier_midpoints


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


def fit_posts(data: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """elasticity, curvature, tier medians and the slope's shape (shape_rows), and, when the posts carry a
    sponsored flag, the sponsored comparison within accounts (sponsored_rows), stacked (tidy). A part that cannot
    be estimated on this data is one row marked so, with the reason in `note` (models.attempt)."""
    parts = [
        attempt("ols_clustered", lambda: elasticity(data), "log_followers"),
        attempt("curvature", lambda: curvature(data), "quadratic"),
        attempt("tier_median", lambda: tier_medians(data)),
        attempt("slope_spline", lambda: shape_rows(data)),
    ]
    if "sponsored" in data.columns and data["sponsored"].notna().any():
        parts.append(attempt("sponsored_by_tier", lambda: sponsored_rows(data, seed=seed)))
    return pd.concat(parts, ignore_index=True)


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
    both = data[_mixed(data, flag)]
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


# ---- Shape before slope: the elasticity by tier, as a continuous piecewise-linear spline in log followers.

MIN_TIER_ACCOUNTS = 20  # a tier's own slope is reported only from this many accounts (fewer: merged, with a note)


@dataclass(frozen=True)
class SlopeSpline:
    """A fitted continuous piecewise-linear spline of log engagement rate in log followers, knots at canonical tier
    bounds: params and cov (clustered by account) of [log_followers, kink at each knot], the knots (log followers),
    which tiers share which segment, and the counts. Every slope the book reads from it is a linear combination of
    `params` (a row of `tier_weights` or `pair_weights`), so its covariance comes with it."""

    params: np.ndarray
    cov: np.ndarray
    names: tuple[str, ...]
    knots: np.ndarray
    tiers: pd.DataFrame  # tier, segment, posts, accounts, reported, note
    n_posts: int
    n_accounts: int

    def basis(self, log_followers) -> np.ndarray:
        """The spline's columns at `log_followers`: x and (x - knot)+ for each knot."""
        x = np.asarray(log_followers, dtype=float).reshape(-1)
        return np.column_stack([x, *[np.clip(x - k, 0.0, None) for k in self.knots]])


def _tier_codes(data: pd.DataFrame) -> np.ndarray:
    """Each post's canonical tier as its index in TIERS (-1: none)."""
    return pd.Categorical(data["tier"], categories=list(TIERS)).codes


def _account_tiers(data: pd.DataFrame) -> pd.DataFrame:
    """Posts and accounts per canonical tier (a post's tier by its follower count)."""
    codes = _tier_codes(data)
    pairs = pd.DataFrame({"tier": codes, "account": pd.factorize(data["account_id"])[0]}).drop_duplicates()
    posts = np.bincount(codes[codes >= 0], minlength=len(TIERS))
    accounts = np.bincount(pairs["tier"][pairs["tier"] >= 0], minlength=len(TIERS))
    return pd.DataFrame({"tier": list(TIERS), "posts": posts.astype(int), "accounts": accounts.astype(int)})


def slope_spline(data: pd.DataFrame, min_accounts: int = MIN_TIER_ACCOUNTS) -> SlopeSpline:
    """Log engagement rate on a continuous piecewise-linear function of log followers with a knot at each canonical
    tier bound (tiers.CANONICAL, 10k, 100k, 1M), platform levels when there are several, errors clustered by account.
    The slope inside a tier is the first slope plus the kinks below it. A knot is kept only between two tiers that
    each have at least `min_accounts` accounts: a thinner tier shares its neighbour's slope (the one below it, or
    above for the lowest) and is not reported on its own (`tiers.reported`, with the reason in `omitted`)."""
    counts = _account_tiers(data)
    enough = counts["accounts"].to_numpy() >= min_accounts
    bounds = CANONICAL["min_followers"].to_numpy(float)[1:]  # the bound between tier i and tier i + 1
    keep = [i for i in range(len(bounds)) if enough[i] and enough[i + 1]]
    knots = np.log(bounds[keep])
    segment = np.searchsorted(np.asarray(keep) + 1, np.arange(len(TIERS)), side="right")
    x = data["log_followers"].to_numpy(float)
    terms = {"log_followers": x}
    for i, k in zip(keep, knots):
        terms[f"kink[{fmt_int(bounds[i])}]"] = np.clip(x - k, 0.0, None)
    result, _, _ = _clustered(data, terms)
    names = tuple(terms)
    index = [1 + i for i in range(len(names))]  # after the intercept; platform levels follow
    counts["segment"] = segment
    counts["reported"] = enough & (counts["posts"] > 0)
    counts["omitted"] = [
        ""
        if ok
        else f"{tier}: {n} account(s), fewer than {min_accounts}; no slope of its own (it shares its neighbour's)"
        for tier, n, ok in zip(counts["tier"], counts["accounts"], counts["reported"])
    ]
    return SlopeSpline(
        params=np.asarray(result.params)[index],
        cov=np.asarray(result.cov_params())[np.ix_(index, index)],
        names=names,
        knots=knots,
        tiers=counts,
        n_posts=len(data),
        n_accounts=int(data["account_id"].nunique()),
    )


def _combination_table(fit: SlopeSpline, weights: np.ndarray, labels: pd.DataFrame) -> pd.DataFrame:
    estimate = weights @ fit.params
    se = np.sqrt(np.einsum("ij,jk,ik->i", weights, fit.cov, weights))
    table = labels.reset_index(drop=True).copy()
    table["estimate"], table["std_error"] = estimate, se
    table["ci_low"], table["ci_high"] = estimate - Z95 * se, estimate + Z95 * se
    table["p_value"] = 2 * stats.norm.sf(np.abs(estimate / se))
    return table


def tier_weights(fit: SlopeSpline) -> np.ndarray:
    """One row per canonical tier: the weights on fit.params that give the tier's local slope."""
    weights = np.zeros((len(TIERS), len(fit.params)))
    weights[:, 0] = 1.0
    for t, seg in enumerate(fit.tiers["segment"]):
        weights[t, 1 : 1 + seg] = 1.0
    return weights


def tier_slopes(fit: SlopeSpline) -> pd.DataFrame:
    """The local slope (elasticity of engagement rate) in each canonical tier with data: tier, posts, accounts,
    estimate, std_error, ci_low, ci_high, p_value, reported and omitted (why a tier with too few accounts of its own is
    listed, not reported). Tidy, with a `model` column."""
    table = _combination_table(fit, tier_weights(fit), fit.tiers[["tier", "posts", "accounts"]])
    table["reported"], table["omitted"] = fit.tiers["reported"].to_numpy(), fit.tiers["omitted"].to_numpy()
    table = table[table["posts"] > 0].reset_index(drop=True)
    table.insert(0, "model", "slope_spline")
    return table


def equal_slopes_test(fit: SlopeSpline) -> dict:
    """The Wald test (clustered) that the kinks are jointly zero: one slope for every tier. statistic, df,
    p_value (chi-squared); df 0 and NaN when the data have one segment only."""
    kinks, cov = fit.params[1:], fit.cov[1:, 1:]
    if len(kinks) == 0:
        return {"statistic": np.nan, "df": 0, "p_value": np.nan}
    statistic = float(kinks @ np.linalg.solve(cov, kinks))
    return {"statistic": statistic, "df": len(kinks), "p_value": float(stats.chi2.sf(statistic, len(kinks)))}


def pair_weights(fit: SlopeSpline, pairs, midpoints: pd.Series | None = None) -> np.ndarray:
    """One row per (tier_a, tier_b): the weights on fit.params that give the mean local slope between the two tiers'
    midpoints, the integral of the slope over that log-follower interval divided by its length, which is the
    spline's rise between the midpoints over their distance in log followers."""
    mid = np.log((tier_midpoints() if midpoints is None else midpoints).astype(float))
    rows = []
    for a, b in pairs:
        xa, xb = float(mid[a]), float(mid[b])
        rows.append(((fit.basis([xb]) - fit.basis([xa])) / (xb - xa)).ravel())
    return np.array(rows).reshape(len(rows), len(fit.params))


ADJACENT_PAIRS = tuple(zip(TIERS[:-1], TIERS[1:]))
ALL_PAIRS = tuple((a, b) for i, a in enumerate(TIERS) for b in TIERS[i + 1 :])


def pair_elasticities(
    fit: SlopeSpline, pairs=ALL_PAIRS, midpoints: pd.Series | None = None
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The engagement-rate elasticity between each pair of tiers (mean local slope between their midpoints):
    (tidy table: tier_a, tier_b, estimate, std_error, ci_low, ci_high, p_value; the estimates as a vector; their
    covariance matrix), so that later work can draw the pairs jointly (a multivariate normal on vector and cov)."""
    weights = pair_weights(fit, pairs, midpoints)
    labels = pd.DataFrame(list(pairs), columns=["tier_a", "tier_b"])
    table = _combination_table(fit, weights, labels)
    table.insert(0, "model", "pair_elasticity")
    return table, weights @ fit.params, weights @ fit.cov @ weights.T


def tier_fits(data: pd.DataFrame) -> pd.DataFrame:
    """The check beside the spline: a separate elasticity() inside each canonical tier (its own intercept and
    slope, clustered by account): tier, posts, accounts and the tidy columns of its log_followers term."""
    rows = []
    for tier in TIERS:
        subset = data[data["tier"].astype(object) == tier]
        if subset["account_id"].nunique() < 3 or subset["followers"].nunique() < 2:
            continue
        row = elasticity(subset).set_index("term").loc["log_followers"]
        rows.append(
            {
                "model": "tier_fit",
                "tier": tier,
                "posts": len(subset),
                "accounts": int(subset["account_id"].nunique()),
                **{c: float(row[c]) for c in ("estimate", "std_error", "ci_low", "ci_high", "p_value")},
            }
        )
    return pd.DataFrame(rows)


def one_slope_sentence(test: dict, slopes) -> str:
    """Whether one slope fits every tier, in words, from the equal-slopes test (statistic, df, p_value) and the
    tier slopes (a table or a list of records with tier and estimate; rows with reported False are left out)."""
    shown = pd.DataFrame(slopes, columns=None)
    if "reported" in shown.columns:
        shown = shown[shown["reported"].astype(bool)]
    p = test.get("p_value")
    if not test.get("df") or p is None or np.isnan(p) or len(shown) < 2:
        return "Too few tiers have enough accounts to compare their slopes: one slope is all these posts can give."
    listing = ", ".join(f"{r.tier} {r.estimate:.3f}" for r in shown.itertuples())
    said = "p < 0.001" if p < 0.001 else f"p = {p:.2g}"
    wald = f"equal-slopes Wald test chi-squared {test['statistic']:.1f} on {test['df']} df, {said}"
    if p < ALPHA:
        return f"One slope does not fit every tier: the elasticity differs by tier ({listing}; {wald})."
    return f"One slope fits these posts: the tiers' elasticities ({listing}) do not differ detectably ({wald})."


# ---- Sponsored posts within accounts, with a post-date trend, by tier; wild cluster bootstrap for few accounts.

FEW_ACCOUNTS = 50  # below this many accounts with both kinds of post, a tier's interval is bootstrapped
BOOTSTRAP_REPS = 999
_WEBB = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])


def _ols_cr1(y: np.ndarray, design: np.ndarray, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """OLS coefficients and their clustered covariance (CR1, as statsmodels' cluster covariance), in numpy: the
    within-account fits run on every post of a file, where statsmodels' bookkeeping of the groups is the slow part."""
    bread_inv = design.T @ design
    params = np.linalg.solve(bread_inv, design.T @ y)
    _, cov = _cluster_cov(design, y - design @ params, codes)
    return params, cov


def _cluster_sums(codes: np.ndarray, values: np.ndarray, n_groups: int) -> np.ndarray:
    return np.bincount(codes, weights=values, minlength=n_groups)


def _cluster_scores(design: np.ndarray, residual: np.ndarray, codes: np.ndarray, n_groups: int) -> np.ndarray:
    """Each cluster's score, the sum of x * residual over its rows (clusters x coefficients)."""
    return np.column_stack([_cluster_sums(codes, design[:, j] * residual, n_groups) for j in range(design.shape[1])])


def _cluster_cov(design: np.ndarray, residual: np.ndarray, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(X'X)^-1 and the CR1 clustered covariance (statsmodels' correction: G/(G-1) (N-1)/(N-K))."""
    n, k = design.shape
    g = groups.max() + 1
    bread = np.linalg.inv(design.T @ design)
    scores = _cluster_scores(design, residual, groups, g)
    scale = g / (g - 1) * (n - 1) / (n - k)
    return bread, scale * bread @ (scores.T @ scores) @ bread


def wild_cluster_bootstrap(
    y: np.ndarray,
    design: np.ndarray,
    groups,
    test: list[int],
    reps: int = BOOTSTRAP_REPS,
    seed: int = 0,
    chunk: int = 100,
    cells: int = 4_000_000,
) -> dict:
    """The wild cluster bootstrap (Webb's six-point weights, one per cluster, seeded) of OLS with errors clustered
    by `groups`, for the coefficients `test` (column indices of `design`):

    - p_value: the Wald test that they are jointly zero, restricted under the null (WCR: the bootstrap samples are
      built from the fit without them), the bootstrap's share of Wald statistics at least as large as the data's;
    - for each tested coefficient, a 95% interval from the unrestricted bootstrap-t (WCU): ci_low, ci_high.

    Reliable where the clustered covariance is not, with few clusters (MacKinnon and Webb). Returns statistic
    (the data's clustered Wald statistic), df, p_value, reps, ci (k x 2 array)."""
    y = np.asarray(y, dtype=float)
    design = np.asarray(design, dtype=float)
    codes = pd.factorize(groups)[0]
    n_groups, k = codes.max() + 1, design.shape[1]
    n = len(y)
    scale = n_groups / (n_groups - 1) * (n - 1) / (n - k)
    bread = np.linalg.inv(design.T @ design)
    beta = bread @ design.T @ y
    _, cov = _cluster_cov(design, y - design @ beta, codes)
    test = list(test)
    b_test = beta[test]
    statistic = float(b_test @ np.linalg.solve(cov[np.ix_(test, test)], b_test))
    hessians = np.zeros((n_groups, k, k))
    for a in range(k):
        for b in range(a, k):
            hessians[:, a, b] = hessians[:, b, a] = _cluster_sums(codes, design[:, a] * design[:, b], n_groups)
    # replications in chunks of at most `cells` numbers each (chunk x clusters x coefficients), so that memory stays
    # bounded however many accounts there are; each chunk's weights from its own stream of the seed
    step = max(1, min(chunk, cells // (n_groups * k)))

    def weights(start: int) -> np.ndarray:
        rows = min(step, reps - start)
        return np.random.default_rng([seed, start]).choice(_WEBB, size=(rows, n_groups))

    def draws(base: np.ndarray, residual: np.ndarray):
        """(beta* - base, clustered covariance*) for every replication, built from `residual`."""
        scores = _cluster_scores(design, residual, codes, n_groups)
        deltas, covs = [], []
        for start in range(0, reps, step):
            w = weights(start)
            delta = w @ scores @ bread
            score = w[:, :, None] * scores[None] - np.einsum("gkl,bl->bgk", hessians, delta)
            meat = np.einsum("bgk,bgl->bkl", score, score)
            deltas.append(delta)
            covs.append(scale * bread @ meat @ bread)
        return np.concatenate(deltas), np.concatenate(covs)

    keep = [j for j in range(k) if j not in test]
    restricted = np.zeros(k)
    if keep:
        restricted[keep] = np.linalg.lstsq(design[:, keep], y, rcond=None)[0]
    delta, covs = draws(restricted, y - design @ restricted)
    b_star = delta[:, test]  # the restricted coefficients are zero under the null
    v_star = covs[:, test][:, :, test]
    stars = np.einsum("bi,bi->b", b_star, np.linalg.solve(v_star, b_star[:, :, None])[:, :, 0])
    p_value = float((1 + np.sum(stars >= statistic)) / (reps + 1))
    delta_u, covs_u = draws(beta, y - design @ beta)
    ci = np.zeros((len(test), 2))
    for i, j in enumerate(test):
        t_star = delta_u[:, j] / np.sqrt(covs_u[:, j, j])
        se = np.sqrt(cov[j, j])
        hi_q, lo_q = np.quantile(t_star, [1 - ALPHA / 2, ALPHA / 2])
        ci[i] = beta[j] - hi_q * se, beta[j] - lo_q * se
    return {"statistic": statistic, "df": len(test), "p_value": p_value, "reps": reps, "ci": ci}


def _present(both: pd.DataFrame, flag: str) -> list[str]:
    """The tiers with at least one sponsored post among `both`."""
    codes = _tier_codes(both)[both[flag].to_numpy(bool)]
    return [t for i, t in enumerate(TIERS) if (codes == i).any()]


def _mixed_accounts(data: pd.DataFrame, flag: str, date: str | None = None) -> pd.DataFrame:
    """The posts (with the flag, and the date when it is used) of accounts with both sponsored and organic posts."""
    known = data[flag].notna() & (data[date].notna() if date else True)
    data = data[known].assign(**{flag: data.loc[known, flag].astype(bool)})
    return data[_mixed(data, flag)]


def _mixed(data: pd.DataFrame, flag: str) -> np.ndarray:
    """Whether each post's account has both kinds of post."""
    share = data[flag].astype(float).groupby(data["account_id"].to_numpy()).transform("mean").to_numpy()
    return (share > 0) & (share < 1)


def _within_columns(both: pd.DataFrame, columns: list[np.ndarray]) -> np.ndarray:
    """Each column minus its account's mean (the within transformation of account fixed effects)."""
    codes = pd.factorize(both["account_id"])[0]
    counts = np.bincount(codes)
    out = np.empty((len(both), len(columns)))
    for j, column in enumerate(columns):
        values = np.asarray(column, dtype=float)
        out[:, j] = values - (np.bincount(codes, weights=values) / counts)[codes]
    return out


def _sponsored_design(both: pd.DataFrame, flag: str, date: str | None, present: list[str], contrast: bool):
    """Columns (before the within transformation) of the by-tier sponsored model: the flag in each tier (or, with
    `contrast`, the flag and its difference in every tier after the first), and with `date` a trend in years of
    post date in each tier (each tier's accounts may have grown at their own pace)."""
    sponsored = both[flag].to_numpy(float)
    codes = _tier_codes(both)
    tier = {t: (codes == TIERS.index(t)).astype(float) for t in present}
    if contrast:
        columns = [sponsored] + [sponsored * tier[t] for t in present[1:]]
        names = ["sponsored"] + [f"sponsored x {t}" for t in present[1:]]
    else:
        columns = [sponsored * tier[t] for t in present]
        names = list(present)
    if date is not None:
        years = (both[date] - both[date].min()).dt.days.to_numpy(float) / 365.25
        columns += [years * tier[t] for t in present]
        names += [f"trend[{t}]" for t in present]
    return columns, names


def sponsored_by_tier(
    data: pd.DataFrame,
    flag: str = "sponsored",
    date: str | None = "date",
    few: int = FEW_ACCOUNTS,
    reps: int = BOOTSTRAP_REPS,
    seed: int = 0,
) -> pd.DataFrame:
    """sponsored_penalty without and with a within-account trend in post date (each tier its own trend in years):
    follower counts are one snapshot, so an older post's rate is divided by a follower count it never had, and
    sponsored posts are not spread evenly in time. Rows: term ('all' and each tier) x date_trend (False, True);
    columns as sponsored_penalty's plus inference: 'clustered' or, for a tier with fewer than `few` accounts with
    both kinds of post, 'wild cluster bootstrap' (its ci and p_value from wild_cluster_bootstrap, seeded). Posts
    with no flag (or, with `date`, no date) are left out of both; date None: without the trend only."""
    both = _mixed_accounts(data, flag, date)
    present = _present(both, flag)
    tier_codes = _tier_codes(both)
    account_codes = pd.factorize(both["account_id"])[0]
    y = _within_columns(both, [both["log_er"].to_numpy(float)]).ravel()
    rows = []
    for trend in (False, True) if date else (False,):
        use = date if trend else None
        for spec in ("all", "by tier"):
            if spec == "all":
                columns = [both[flag].to_numpy(float)]
                names = ["all"]
                if use:
                    columns.append((both[use] - both[use].min()).dt.days.to_numpy(float) / 365.25)
                    names.append("trend")
            else:
                columns, names = _sponsored_design(both, flag, use, present, contrast=False)
            design = _within_columns(both, columns)
            params, cov = _ols_cr1(y, design, account_codes)
            se = np.sqrt(np.diag(cov))
            for i, name in enumerate(names):
                if name.startswith("trend"):
                    continue
                in_tier = np.ones(len(both), bool) if name == "all" else (tier_codes == TIERS.index(name))
                accounts = int(both.loc[in_tier, "account_id"].nunique())
                row = {
                    "model": "sponsored_by_tier",
                    "term": name,
                    "date_trend": trend,
                    "estimate": float(params[i]),
                    "std_error": float(se[i]),
                    "ci_low": float(params[i] - Z95 * se[i]),
                    "ci_high": float(params[i] + Z95 * se[i]),
                    "p_value": float(2 * stats.norm.sf(abs(params[i] / se[i]))),
                    "accounts": accounts,
                    "sponsored_posts": int(both.loc[in_tier, flag].sum()),
                    "posts": int(in_tier.sum()),
                    "inference": "clustered",
                }
                if name != "all" and accounts < few:
                    boot = wild_cluster_bootstrap(y, design, both["account_id"], [i], reps=reps, seed=seed)
                    row.update(
                        ci_low=float(boot["ci"][0, 0]),
                        ci_high=float(boot["ci"][0, 1]),
                        p_value=boot["p_value"],
                        inference="wild cluster bootstrap",
                    )
                rows.append(row)
    table = pd.DataFrame(rows)
    table["ratio"] = np.exp(table["estimate"])
    table["ratio_ci_low"], table["ratio_ci_high"] = np.exp(table["ci_low"]), np.exp(table["ci_high"])
    return table


def sponsored_interaction_test(
    data: pd.DataFrame,
    flag: str = "sponsored",
    date: str | None = "date",
    reps: int = BOOTSTRAP_REPS,
    seed: int = 0,
    few: int | None = FEW_ACCOUNTS,
) -> dict:
    """Does the sponsored difference differ by tier? The joint Wald test that the flag's differences from the first
    tier are all zero (account fixed effects, with `date`: each tier's trend in post date; clustered by account),
    and the same test by the wild cluster bootstrap restricted under the null (wild_cluster_bootstrap), which holds
    with few accounts in a tier: run when some tier has fewer than `few` accounts with both kinds of post (always
    with few None; bootstrap_p_value NaN and reps 0 when not run). statistic, df, p_value (chi-squared),
    bootstrap_p_value, reps, accounts, tiers, date_trend."""
    both = _mixed_accounts(data, flag, date)
    present = _present(both, flag)
    if len(present) < 2:
        return {"statistic": np.nan, "df": 0, "p_value": np.nan, "bootstrap_p_value": np.nan, "reps": 0}
    columns, _ = _sponsored_design(both, flag, date, present, contrast=True)
    y = _within_columns(both, [both["log_er"].to_numpy(float)]).ravel()
    design = _within_columns(both, columns)
    test = list(range(1, len(present)))
    params, full = _ols_cr1(y, design, pd.factorize(both["account_id"])[0])
    b, cov = params[test], full[np.ix_(test, test)]
    statistic = float(b @ np.linalg.solve(cov, b))
    counts = _account_tiers(both).set_index("tier")["accounts"]
    thinnest = min(int(counts[t]) for t in present)
    run = few is None or thinnest < few
    boot = wild_cluster_bootstrap(y, design, both["account_id"], test, reps=reps, seed=seed) if run else None
    return {
        "statistic": statistic,
        "df": len(test),
        "p_value": float(stats.chi2.sf(statistic, len(test))),
        "bootstrap_p_value": boot["p_value"] if boot else np.nan,
        "reps": reps if boot else 0,
        "accounts": int(both["account_id"].nunique()),
        "tiers": present,
        "date_trend": date is not None,
    }


def ppml_equal_weights(posts: pd.DataFrame) -> pd.DataFrame:
    """PPML on the engagement *rate* (engagements / followers, zeros kept) with every post weighted equally: the
    elasticity of the mean rate across posts. ppml() on engagement counts weighs each post by its size in the
    count, so the largest accounts dominate it; this one does not. Row engagement_rate, clustered by account."""
    data = posts.assign(log_followers=np.log(posts["followers"].to_numpy(float)))
    design, names = _design(data, {"log_followers": data["log_followers"]})
    rate = (data["engagements"] / data["followers"]).to_numpy(float)
    result = sm.GLM(rate, design, family=sm.families.Poisson()).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(data["account_id"])[0]}
    )
    table = tidy(result)
    table["term"] = names
    out = table[table["term"] == "log_followers"].assign(term="engagement_rate").reset_index(drop=True)
    out.insert(0, "model", "ppml_equal_weights")
    out["n"] = int(result.nobs)
    return out


def shape_rows(data: pd.DataFrame) -> pd.DataFrame:
    """The slope's shape as rows of fit_posts: slope_spline's tier slopes (tier_slopes; term the tier) and the
    equal-slopes test (model equal_slopes, term kinks: estimate the Wald statistic, df, p_value)."""
    fit = slope_spline(data)
    slopes = tier_slopes(fit).rename(columns={"tier": "term"})
    test = equal_slopes_test(fit)
    row = {"model": "equal_slopes", "term": "kinks", "estimate": test["statistic"], "df": test["df"]}
    return pd.concat([slopes, pd.DataFrame([{**row, "p_value": test["p_value"]}])], ignore_index=True)


def sponsored_rows(data: pd.DataFrame, flag: str = "sponsored", date: str = "date", seed: int = 0) -> pd.DataFrame:
    """The sponsored comparison as rows of fit_posts: sponsored_by_tier (with the date trend when the posts have
    dates) and the tier interaction test (model sponsored_interaction, term tiers: estimate the Wald statistic,
    df, p_value, bootstrap_p_value). The contrast is within accounts: with one kind of post only, or no account with
    both, it is not estimable (NotEstimable, saying why); when post dates do not vary within any such account (every
    post the same date), the date trend is left out and a note says so."""
    _check_both_kinds(data, flag)
    use = date if date in data.columns and data[date].notna().any() else None
    note: str | None = None
    if use is not None and not _dates_vary(data, flag, use):
        use = None
        note = (
            "date trend left out: post dates do not vary within any account with both kinds of post (every post "
            "the same date, or one date per account), so a trend in date cannot be estimated; the comparison is "
            "made without it"
        )
    table = sponsored_by_tier(data, flag=flag, date=use, seed=seed)
    test = sponsored_interaction_test(data, flag=flag, date=use, seed=seed)
    row = {
        "model": "sponsored_interaction",
        "term": "tiers",
        "estimate": test["statistic"],
        "df": test["df"],
        "p_value": test["p_value"],
        "bootstrap_p_value": test["bootstrap_p_value"],
        "date_trend": use is not None,
    }
    out = pd.concat([table, pd.DataFrame([row])], ignore_index=True)
    out["note"] = out["model"].map({"sponsored_by_tier": note})  # said once, with the comparison (else NaN)
    return out


def _check_both_kinds(data: pd.DataFrame, flag: str) -> None:
    """Raise NotEstimable, saying why, when no account has both sponsored and organic posts."""
    kinds = data.loc[data[flag].notna(), flag].astype(bool)
    if kinds.all():
        raise NotEstimable("every post is sponsored: there are no organic posts to compare them with")
    if not kinds.any():
        raise NotEstimable("every post is organic: there are no sponsored posts to compare")
    if not _mixed(data[data[flag].notna()].assign(**{flag: kinds}), flag).any():
        raise NotEstimable(
            "no account has both sponsored and organic posts, and the comparison is made within accounts"
        )


def _dates_vary(data: pd.DataFrame, flag: str, date: str) -> bool:
    """Whether post dates vary within at least one account with both kinds of post (else no trend is estimable)."""
    both = _mixed_accounts(data, flag, date)
    return bool((both.groupby("account_id")[date].nunique() > 1).any())
