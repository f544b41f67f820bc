"""statsmodels fits, reported as tidy tables: term, estimate, std_error, ci_low, ci_high, p_value."""

from __future__ import annotations

import hashlib
import itertools
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf
from statsmodels.stats.multitest import multipletests
from statsmodels.tools.sm_exceptions import ConvergenceWarning, SingularMatrixWarning

from .constants import ALPHA, Z95
from .tiers import TIERS, assign_tier

TIDY_COLUMNS = ["term", "estimate", "std_error", "ci_low", "ci_high", "p_value"]


class NotEstimable(ValueError):
    """A model that cannot be estimated on this data (one tier only, too few groups); the message says why."""


def attempt(model: str, fit, term: str = "") -> pd.DataFrame:
    """fit() (one model's tidy table) with a `note` column, or, when the model cannot be estimated on this data,
    one row marked so: estimates missing, the reason in `note`. Warnings raised while fitting are never printed:
    a rank-deficient design makes the model not estimable (statsmodels would return one of many solutions), any
    other warning becomes the note."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            table = fit()
            singular = [w for w in caught if issubclass(w.category, SingularMatrixWarning)]
            if singular:
                raise NotEstimable(f"the design is singular ({str(singular[0].message).splitlines()[0]})")
        except Exception as err:  # noqa: BLE001 - degenerate data fails in many ways; each is reported, not raised
            reason = (
                str(err).splitlines()[0]
                if isinstance(err, NotEstimable)
                else f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else 'failed'}"
            )
            return pd.DataFrame(
                [
                    {
                        "model": model,
                        "term": term,
                        **dict.fromkeys(TIDY_COLUMNS[1:], np.nan),
                        "note": f"not estimable: {reason}",
                    }
                ]
            )
    notes = sorted({f"{w.category.__name__}: {str(w.message).splitlines()[0]}" for w in caught})
    warned = "; ".join(notes) if notes else None
    if "note" in table.columns:  # a row's own note (what the fit says of it) is kept, the warnings added
        table["note"] = [
            "; ".join(n for n in (own if isinstance(own, str) else None, warned) if n) or None for own in table["note"]
        ]
    else:
        table["note"] = warned
    return table


def tidy(result, alpha: float = ALPHA) -> pd.DataFrame:
    """A fitted statsmodels result as a tidy table, one row per term, with (1 - alpha) confidence intervals.

    >>> tidy(smf.ols("y ~ x", data).fit(cov_type="HC3"))
    """
    # formula fits carry named parameters; array fits take their names from the model ("const", "x1")
    names = list(result.params.index) if hasattr(result.params, "index") else list(result.model.exog_names)
    ci = np.asarray(result.conf_int(alpha=alpha))
    ci = pd.DataFrame({"lo": ci[: len(names), 0], "hi": ci[: len(names), 1]})
    return pd.DataFrame(
        {
            "term": names,
            "estimate": np.asarray(result.params)[: len(names)],
            "std_error": np.asarray(result.bse)[: len(names)],
            "ci_low": ci["lo"].to_numpy(),
            "ci_high": ci["hi"].to_numpy(),
            "p_value": np.asarray(result.pvalues)[: len(names)],
        }
    ).reset_index(drop=True)


# ---- The regressions of return per dollar on follower count. Every function takes a tidy campaign table
# (followers, cost, revenue; brand for the mixed model) and returns a tidy table with a `model` column.

# The secondary models (curvature, quantile, mixed, Gamma GLM, Huber) are fitted on a seeded random subsample above
# this many rows; the report says so. The main fits (OLS, decomposition, tier contrasts) always use every row. (The
# Gamma GLM's IRLS holds about 65 floats per row: 6.5 GB at ten million campaigns, and a second at one million.)
SUBSAMPLE_ABOVE = 50_000


# Fits kept by the content of their arrays (ols(memo=True)): model 1, the decomposition and the report's three
# fitted lines ask for the same three regressions, each about 0.2 s at a million rows and 3 s at ten million. Kept
# without their data (statsmodels' remove_data), so each costs a few hundred bytes here; the last few are kept.
_MEMO: dict[tuple, object] = {}
_MEMO_SIZE = 8


def _fingerprint(values: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(values).data).hexdigest()  # the fastest here (SHA-NI)


def ols(y: np.ndarray, x: np.ndarray, cov: str = "HC3", memo: bool = False):
    """OLS of y on a constant and x through the array interface (several times faster than formulas on a
    million rows). memo: reuse the fit of the same numbers, returned without its data (params, errors,
    covariance and intervals only: no residuals)."""
    y, x = np.asarray(y, dtype=float), np.asarray(x, dtype=float)
    if not memo:
        return sm.OLS(y, sm.add_constant(x)).fit(cov_type=cov)
    key = (cov, y.shape, _fingerprint(y), _fingerprint(x))
    if key not in _MEMO:
        result = sm.OLS(y, sm.add_constant(x)).fit(cov_type=cov)
        tidy(result)  # computes (and caches) what tidy() needs before the data it is computed from are removed
        result.remove_data()
        _MEMO[key] = result
        while len(_MEMO) > _MEMO_SIZE:
            _MEMO.pop(next(iter(_MEMO)))
    return _MEMO[key]


def _named(table: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    table["term"] = names
    return table


def prepare(campaigns: pd.DataFrame, keep_zeros: bool = False) -> pd.DataFrame:
    """Add the logs the models use: log_followers, log_revenue, log_cost, log_roas (natural logs), roas, tier.

    Rows with zero revenue have no log return per dollar. By default they are dropped (their count in
    .attrs["dropped_zero_revenue"]). keep_zeros: every row is kept (their count in .attrs["zero_revenue"]), with
    log_revenue and log_roas missing where revenue is zero: the Poisson fits (Model.zeros) use every row and the
    log models the rows with revenue (with_revenue; fit_prepared does both)."""
    zero = (campaigns["revenue"] <= 0).to_numpy()
    data = campaigns.copy() if keep_zeros else campaigns[~zero].copy()
    data.attrs["zero_revenue" if keep_zeros else "dropped_zero_revenue"] = int(zero.sum())
    data["log_followers"] = np.log(data["followers"])
    positive = data["revenue"] > 0
    data["log_revenue"] = np.log(data["revenue"].where(positive))
    data["log_cost"] = np.log(data["cost"])
    data["roas"] = data["revenue"] / data["cost"]
    data["log_roas"] = np.log(data["roas"].where(positive))
    data["tier"] = assign_tier(data["followers"]).to_numpy()
    return data


def with_revenue(data: pd.DataFrame) -> pd.DataFrame:
    """prepare()'s table without its campaigns of zero revenue (the rows the log models can use), their count in
    .attrs["dropped_zero_revenue"]; the table itself when it has none."""
    zero = data["revenue"] <= 0
    if not zero.any():
        return data
    kept = data[~zero].copy()
    kept.attrs = {k: v for k, v in data.attrs.items() if k != "zero_revenue"}
    kept.attrs["dropped_zero_revenue"] = int(zero.sum()) + int(data.attrs.get("dropped_zero_revenue", 0))
    return kept


def _with_model(table: pd.DataFrame, model: str) -> pd.DataFrame:
    table.insert(0, "model", model)
    return table


def subsample(data: pd.DataFrame, limit: int = SUBSAMPLE_ABOVE, seed: int = 0) -> pd.DataFrame:
    """A seeded random subsample of `limit` rows when the data is larger (for the slow fits)."""
    return data if len(data) <= limit else data.sample(limit, random_state=seed)


def ols_log_roas(data: pd.DataFrame) -> pd.DataFrame:
    """1. OLS of log(revenue / cost) on log(followers), HC3 errors. The slope is the elasticity of return per
    dollar."""
    result = ols(data["log_roas"], data["log_followers"], memo=True)
    return _with_model(_named(tidy(result), ["Intercept", "log_followers"]), "ols_log_roas")


def decomposition(data: pd.DataFrame) -> pd.DataFrame:
    """2. log revenue and log cost on log followers; the elasticity of return per dollar is their difference.

    The two equations share their regressor, so the difference of their slopes, and its robust standard error
    with the equations' covariance kept, are exactly the slope and HC3 error of log revenue - log cost on log
    followers: the joint fit needs no stacking.

    Why this is the honest model of a ratio: a regression of a ratio on a variable that also drives its
    denominator mixes two relations into one slope, and can show one where the numerator has none (Pearson
    1897; Kronmal 1993). Fitting numerator and denominator separately shows where the slope comes from.
    """
    rows = []
    for term, outcome in (
        ("revenue_elasticity", "log_revenue"),
        ("cost_elasticity", "log_cost"),
        ("roi_elasticity", "log_roas"),
    ):
        slope = tidy(ols(data[outcome], data["log_followers"], memo=True)).iloc[1].copy()
        slope["term"] = term
        rows.append(slope)
    return _with_model(pd.DataFrame(rows).reset_index(drop=True), "decomposition")


def _pairwise(result, present: list[str], model: str, method: str) -> pd.DataFrame:
    """Every pairwise difference of a fit on one dummy per tier (present), as a ratio with its interval, p-values
    adjusted for multiple testing."""
    rows = []
    for a, b in itertools.combinations(range(len(present)), 2):
        contrast = np.zeros(len(present))
        contrast[a], contrast[b] = 1, -1
        test = result.t_test(contrast)
        lo, hi = np.asarray(test.conf_int()).ravel()
        rows.append(
            {
                "term": f"{present[a]}_vs_{present[b]}",
                "estimate": float(np.squeeze(test.effect)),
                "std_error": float(np.squeeze(test.sd)),
                "ci_low": lo,
                "ci_high": hi,
                "p_value": float(np.squeeze(test.pvalue)),
            }
        )
    table = pd.DataFrame(rows)
    table["p_adjusted"] = multipletests(table["p_value"], method=method)[1]
    table["ratio"] = np.exp(table["estimate"])
    table["ratio_ci_low"], table["ratio_ci_high"] = np.exp(table["ci_low"]), np.exp(table["ci_high"])
    return _with_model(table, model)


def _tiers_present(data: pd.DataFrame, ok=None) -> list[str]:
    """The canonical tiers with at least two campaigns (one campaign has leverage 1: no robust error), and `ok`
    (a per-tier condition on its rows) if given; refused below two tiers."""
    present = [t for t in TIERS if (data["tier"] == t).sum() >= 2 and (ok is None or ok(data[data["tier"] == t]))]
    if len(present) < 2:
        raise NotEstimable(
            f"campaigns in {len(present)} canonical tier(s) with at least two campaigns each"
            + (" and some revenue" if ok is not None else "")
            + "; a contrast needs two tiers"
        )
    return present


def tier_contrasts(data: pd.DataFrame, method: str = "holm") -> pd.DataFrame:
    """3. log return per dollar on canonical tier dummies (HC3); every pairwise difference, as a ratio of
    geometric-mean return per dollar, with p-values adjusted for multiple testing (Holm by default)."""
    data = data.dropna(subset=["tier"])
    present = _tiers_present(data)
    data = data[data["tier"].isin(present)]
    dummies = np.column_stack([(data["tier"] == t).to_numpy(float) for t in present])
    result = sm.OLS(data["log_roas"].to_numpy(float), dummies).fit(cov_type="HC3")
    return _pairwise(result, present, "tier_contrasts", method)


# ---- Poisson pseudo-maximum likelihood: the main estimates, campaigns with zero revenue included.
# log(revenue) has no value at zero, so the log models leave such campaigns out, which selects on success. PPML
# fits the mean of revenue itself, E[revenue] = cost * exp(a + b log followers), with log(cost) as offset: the
# slope b is the elasticity of the mean return per dollar, the log models' elasticity when they are right
# (Santos Silva and Tenreyro 2006), and a zero is an observation like any other. Errors are robust: clustered by
# influencer when the file holds an influencer more than once, HC1 otherwise (the counts are not Poisson: only
# their mean is modelled).


def _poisson_cov(data: pd.DataFrame) -> tuple[str, dict]:
    """Clustered by influencer_id when an influencer has more than one campaign, else heteroskedasticity-robust."""
    if "influencer_id" in data.columns and data["influencer_id"].duplicated().any():
        groups = pd.factorize(data["influencer_id"])[0]
        return "cluster", {"groups": groups}
    return "HC1", {}


def poisson(y: np.ndarray, exog: np.ndarray, offset: np.ndarray | None, data: pd.DataFrame):
    """A Poisson GLM with log link (pseudo-maximum likelihood: y need not be counts) with robust errors
    (_poisson_cov). y is rescaled by its mean for a well-conditioned fit; only the intercept moves, and it is moved
    back."""
    y = np.asarray(y, dtype=float)
    if not (y > 0).any():
        raise NotEstimable("every value of the outcome is zero")
    scale = float(y.mean())
    cov_type, cov_kwds = _poisson_cov(data)
    model = sm.GLM(y / scale, exog, family=sm.families.Poisson(), offset=offset)
    return model.fit(start_params=_newton_start(y / scale, exog, offset), cov_type=cov_type, cov_kwds=cov_kwds), scale


def _newton_start(y: np.ndarray, exog: np.ndarray, offset: np.ndarray | None, steps: int = 25) -> np.ndarray | None:
    """Where statsmodels' IRLS starts: a few Newton steps on the Poisson log-likelihood (score X'(y - mu), Hessian
    X' diag(mu) X), from the level of y with zero slopes. With few columns a step costs a few passes over the rows,
    where an IRLS iteration costs a least-squares solve and the deviance: starting IRLS near its end halves a fit
    at a million rows. IRLS still decides convergence; None (its own start) if the steps go astray."""
    exog = np.asarray(exog, dtype=float)
    offset = np.zeros(len(y)) if offset is None else np.asarray(offset, dtype=float)
    try:
        level = np.linalg.lstsq(exog, np.full(len(y), np.log(y.sum() / np.exp(offset).sum())), rcond=None)[0]
        params = level
        with np.errstate(all="ignore"):
            for _ in range(steps):
                mu = np.exp(exog @ params + offset)
                step = np.linalg.solve((exog * mu[:, None]).T @ exog, exog.T @ (y - mu))
                params = params + step
                if not np.isfinite(params).all():
                    return None
                if np.abs(step).max() < 1e-10:
                    break
    except (np.linalg.LinAlgError, ValueError, FloatingPointError):
        return None
    return params


def ppml(data: pd.DataFrame) -> pd.DataFrame:
    """The main model: Poisson pseudo-maximum likelihood on every campaign, zero revenue included.
    roi_elasticity: revenue on log followers with log(cost) as offset (the elasticity of the mean return per
    dollar); revenue_elasticity and cost_elasticity: revenue and cost each on log followers (the elasticities of
    their means; their difference is the roi elasticity up to sampling error, not exactly as in the log model's
    decomposition). Intercept: the offset model's, in log return per dollar at one follower."""
    x = sm.add_constant(data["log_followers"].to_numpy(float))
    revenue, cost = data["revenue"].to_numpy(float), data["cost"].to_numpy(float)
    rows = []
    roi, scale = poisson(revenue, x, np.log(cost), data)
    table = tidy(roi)
    shift = np.log(scale)  # the intercept of revenue / mean(revenue) back on revenue's own scale
    table.loc[0, ["estimate", "ci_low", "ci_high"]] += shift
    table["term"] = ["Intercept", "roi_elasticity"]
    rows.append(table)
    for term, y in (("revenue_elasticity", revenue), ("cost_elasticity", cost)):
        slope = tidy(poisson(y, x, None, data)[0]).iloc[[1]].copy()
        slope["term"] = term
        rows.append(slope)
    return _with_model(pd.concat(rows, ignore_index=True), "ppml")


def ppml_tier_contrasts(data: pd.DataFrame, method: str = "holm") -> pd.DataFrame:
    """The tier comparison of the main model: PPML of revenue on canonical tier dummies with log(cost) as offset,
    every campaign included. exp(a tier's coefficient) is the tier's total revenue per dollar of total cost, zeros
    and all, so each pairwise ratio is a ratio of the tiers' return per dollar spent (Holm-adjusted). A tier with
    no revenue at all has no finite log return and is left out."""
    data = data.dropna(subset=["tier"])
    present = _tiers_present(data, ok=lambda rows: bool((rows["revenue"] > 0).any()))
    data = data[data["tier"].isin(present)]
    dummies = np.column_stack([(data["tier"] == t).to_numpy(float) for t in present])
    result, _ = poisson(data["revenue"].to_numpy(float), dummies, np.log(data["cost"].to_numpy(float)), data)
    return _pairwise(result, present, "ppml_tier_contrasts", method)


def peak_row(b1: float, b2: float, p_quadratic: float, centre: float, log_followers: pd.Series) -> dict:
    """The vertex_followers row of a quadratic b1 x + b2 x**2 in x = log followers - centre, the same for every
    curvature check: the peak's follower count, with the quadratic term's p-value, when the curve is concave
    (b2 < 0) and its peak lies inside the data; NaN otherwise (a convex curve has no peak, and a vertex beyond the
    data is an extrapolation, not a 'Goldilocks' account size)."""
    vertex = -b1 / (2 * b2) + centre if b2 < 0 else np.nan
    inside = bool(log_followers.min() < vertex < log_followers.max())
    return {
        "term": "vertex_followers",
        "estimate": float(np.exp(vertex)) if inside else np.nan,
        "std_error": np.nan,
        "ci_low": np.nan,
        "ci_high": np.nan,
        "p_value": p_quadratic if inside else np.nan,
    }


def curvature(data: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """4. Is there an interior peak (Wies et al.'s 'Goldilocks' question)? A quadratic in centred log followers
    (HC3), with the peak if there is one inside the data (peak_row), and a cubic B-spline compared with the straight
    line by an F test. Rows: linear, quadratic, vertex_followers, spline_vs_linear. Subsampled above
    SUBSAMPLE_ABOVE rows."""
    data = subsample(data, seed=seed)
    centre = data["log_followers"].mean()
    frame = data.assign(x=data["log_followers"] - centre)
    quad = smf.ols("log_roas ~ x + I(x ** 2)", frame).fit(cov_type="HC3")
    table = tidy(quad).set_index("term").loc[["x", "I(x ** 2)"]].rename(index={"x": "linear", "I(x ** 2)": "quadratic"})
    rows = pd.concat(
        [
            table.reset_index(),
            pd.DataFrame(
                [
                    peak_row(
                        quad.params["x"],
                        quad.params["I(x ** 2)"],
                        float(quad.pvalues["I(x ** 2)"]),
                        centre,
                        data["log_followers"],
                    )
                ]
            ),
        ],
        ignore_index=True,
    )
    linear = smf.ols("log_roas ~ x", frame).fit()
    spline = smf.ols("log_roas ~ bs(x, df=5)", frame).fit()
    f_value, p_value, _ = spline.compare_f_test(linear)
    rows = pd.concat(
        [
            rows,
            pd.DataFrame(
                [
                    {
                        "term": "spline_vs_linear",
                        "estimate": f_value,
                        "std_error": np.nan,
                        "ci_low": np.nan,
                        "ci_high": np.nan,
                        "p_value": p_value,
                    }
                ]
            ),
        ],
        ignore_index=True,
    )
    return _with_model(rows, "curvature")


def quantiles(data: pd.DataFrame, qs=(0.1, 0.5, 0.9), seed: int = 0) -> pd.DataFrame:
    """5. Quantile regressions of log return per dollar on log followers (median and tails); subsampled above
    SUBSAMPLE_ABOVE rows. The slope at q is the elasticity of that quantile."""
    sample = subsample(data, seed=seed)
    rows = []
    for q in qs:
        # the default 1,000 iterations is not always enough on samples of a few hundred campaigns
        table = tidy(smf.quantreg("log_roas ~ log_followers", sample).fit(q=q, max_iter=5_000))
        suffix = f"_q{int(round(q * 100)):02d}"
        table["term"] = table["term"] + suffix
        rows.append(table)
    return _with_model(pd.concat(rows, ignore_index=True), "quantile")


def mixed(data: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """6. A linear mixed model with brand random intercepts (brands differ in what a sale is worth);
    subsampled above SUBSAMPLE_ABOVE rows. log followers is centred for a well-conditioned fit (the slope is
    unchanged; the intercept is at the mean). The estimated brand variance is reported as a row, and whether the
    optimiser converged as a column: with few campaigns per brand the variance can sit at zero, on the boundary,
    which statsmodels warns about; those warnings are caught here because the table itself says so."""
    sample = subsample(data, seed=seed)
    centred = sample.assign(log_followers_c=sample["log_followers"] - sample["log_followers"].mean())
    model = smf.mixedlm("log_roas ~ log_followers_c", centred, groups=centred["brand"])
    # Derivative-free optimisers: the default gradient method can stop unconverged here (seen on small samples).
    for method in ("powell", "nm"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            warnings.simplefilter("ignore", SingularMatrixWarning)
            warnings.simplefilter("ignore", RuntimeWarning)
            result = model.fit(reml=True, method=[method])
        if result.converged:
            break
    table = tidy(result)
    table["term"] = table["term"].replace(
        {"log_followers_c": "log_followers", "Intercept": "Intercept_centred", "Group Var": "brand_variance"}
    )
    variance = table["term"] == "brand_variance"
    table.loc[variance, "estimate"] = float(result.cov_re.iloc[0, 0])  # already on the scale of the data
    table.loc[variance, ["std_error", "ci_low", "ci_high", "p_value"]] = np.nan
    table["converged"] = bool(result.converged)  # shown, never assumed
    return _with_model(table, "mixed_brand")


def gamma_glm(data: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """7. A Gamma GLM with log link for return per dollar itself (not its log), HC3 errors: the slope is the
    elasticity of the mean, which a few very good campaigns can pull. Subsampled above SUBSAMPLE_ABOVE rows."""
    data = subsample(data, seed=seed)
    y, x = data["roas"].to_numpy(float), sm.add_constant(data["log_followers"].to_numpy(float))
    # Started from the log-scale OLS fit, with the intercept moved from the median to the mean of a lognormal:
    # IRLS converges to the same estimates in about two thirds of the iterations (measured at a million rows).
    log_fit = sm.OLS(np.log(y), x).fit()
    start = np.asarray(log_fit.params, dtype=float) + np.array([log_fit.scale / 2, 0.0])
    result = sm.GLM(y, x, family=sm.families.Gamma(sm.families.links.Log())).fit(start_params=start, cov_type="HC3")
    return _with_model(_named(tidy(result), ["Intercept", "log_followers"]), "gamma_glm")


def huber(data: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """8. Robust (Huber) regression of log return per dollar on log followers: outliers weigh less. Subsampled
    above SUBSAMPLE_ABOVE rows."""
    sample = subsample(data, seed=seed)
    result = sm.RLM(
        sample["log_roas"].to_numpy(float),
        sm.add_constant(sample["log_followers"].to_numpy(float)),
        M=sm.robust.norms.HuberT(),
    ).fit()
    return _with_model(_named(tidy(result), ["Intercept", "log_followers"]), "huber")


def mean_curve(campaigns: pd.DataFrame, column: str, reference: float) -> dict:
    """The curve of a campaign amount (revenue, cost) in follower count for a market fitted to a file (allocate
    --campaigns), by the main model's rule: Poisson pseudo-maximum likelihood of the amount on log(followers /
    reference), zeros included. mean_ref: the mean amount at `reference` followers; elasticity: of the mean;
    sd_log: the spread of log amount around its own line among the campaigns with a positive amount (the spread
    of a lognormal whose mean is mean_ref: its median is mean_ref * exp(-sd_log**2 / 2)); zero_share: the share
    of campaigns with zero."""
    y = campaigns[column].to_numpy(float)
    x = sm.add_constant(np.log(campaigns["followers"].to_numpy(float) / reference))
    result, scale = poisson(y, x, None, campaigns)
    positive = y > 0
    spread = sm.OLS(np.log(y[positive]), x[positive]).fit()
    return {
        "mean_ref": float(np.exp(result.params[0]) * scale),
        "elasticity": float(result.params[1]),
        "sd_log": float(np.sqrt(spread.scale)),
        "zero_share": float(1 - positive.mean()),
    }


# ---- The registry: every model once, and everything that lists models reads it (analyze, the report, the coverage
# study, the tests, the counts the chapters glue). Adding a model is adding a Model here.


@dataclass(frozen=True)
class Model:
    """One regression of the book: `fit(data, seed)` takes prepare()'s table and returns the model's tidy table
    (with a `model` column); `slope_term` is the term that holds its elasticity of return per dollar (None for a
    model that has none, such as the tier contrasts); `subsampled`: fitted on a seeded subsample of SUBSAMPLE_ABOVE
    rows above that size; `coverage_fit`, if given, is the lighter fit the coverage study uses (the median only, for
    the quantile regressions); `zeros`: fitted on every campaign, zero revenue included (the Poisson fits), where
    the others are fitted on the campaigns with revenue only (with_revenue)."""

    name: str
    title: str
    fit: Callable[[pd.DataFrame, int], pd.DataFrame]
    slope_term: str | None = None
    subsampled: bool = False
    coverage_fit: Callable[[pd.DataFrame, int], pd.DataFrame] | None = None
    zeros: bool = False


# The main estimates `analyze` reports (its answer, its tier ratios, results.json's "elasticity"): the Poisson fits,
# which keep campaigns with zero revenue; the log model (the decomposition and its tier contrasts, on campaigns with
# revenue only) is reported beside them as the alternative, labelled LOG_LABEL.
MAIN_MODEL, MAIN_CONTRASTS = "ppml", "ppml_tier_contrasts"
LOG_MODEL, LOG_CONTRASTS = "decomposition", "tier_contrasts"
LOG_LABEL = "log model, campaigns with revenue only"

REGISTRY: list[Model] = [
    Model(
        "ppml",
        "Poisson pseudo-maximum likelihood of revenue with log cost as offset, zero revenue included (main)",
        lambda d, s: ppml(d),
        "roi_elasticity",
        zeros=True,
    ),
    Model(
        "ppml_tier_contrasts",
        "Poisson tier dummies with log cost as offset, every pairwise contrast (Holm), zero revenue included (main)",
        lambda d, s: ppml_tier_contrasts(d),
        zeros=True,
    ),
    Model(
        "ols_log_roas",
        "OLS of log return per dollar on log followers (HC3)",
        lambda d, s: ols_log_roas(d),
        "log_followers",
    ),
    Model(
        "decomposition",
        "log revenue and log cost on log followers (their difference)",
        lambda d, s: decomposition(d),
        "roi_elasticity",
    ),
    Model("tier_contrasts", "tier dummies with every pairwise contrast (Holm)", lambda d, s: tier_contrasts(d)),
    Model("curvature", "a quadratic and a spline in log followers", lambda d, s: curvature(d, seed=s), subsampled=True),
    Model(
        "quantile",
        "quantile regressions at the 10th, 50th and 90th percentiles",
        lambda d, s: quantiles(d, seed=s),
        "log_followers_q50",
        subsampled=True,
        coverage_fit=lambda d, s: quantiles(d, qs=(0.5,), seed=s),
    ),
    Model(
        "mixed_brand",
        "a mixed model with a random intercept per brand",
        lambda d, s: mixed(d, seed=s),
        "log_followers",
        subsampled=True,
    ),
    Model(
        "gamma_glm",
        "a Gamma GLM with log link on return per dollar",
        lambda d, s: gamma_glm(d, seed=s),
        "log_followers",
        subsampled=True,
    ),
    Model("huber", "robust (Huber) regression", lambda d, s: huber(d, seed=s), "log_followers", subsampled=True),
]


def slope_terms() -> dict[str, str]:
    """model -> the term holding its elasticity of return per dollar, for every slope model of the registry."""
    return {m.name: m.slope_term for m in REGISTRY if m.slope_term}


def subsampled_models() -> tuple[str, ...]:
    """The models fitted on a seeded subsample above SUBSAMPLE_ABOVE rows."""
    return tuple(m.name for m in REGISTRY if m.subsampled)


def counts() -> dict[str, int]:
    """How many models and slope models the registry holds: the counts the chapters and reports say in words."""
    return {"models": len(REGISTRY), "slope_models": len(slope_terms())}


def fit_all(campaigns: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """Every model of the registry on a campaign table (zero revenue kept for the models that use it), stacked
    into one tidy table."""
    return fit_prepared(prepare(campaigns, keep_zeros=True), seed=seed)


def fit_prepared(data: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """Every model of the registry on prepare()'s output. A model that cannot be estimated on this data is one row
    marked so (see attempt); the `note` column says why, or what statsmodels warned about. The subsampled models
    share one seeded subsample (each would draw the same one; drawing it once saves a copy of a million rows per
    model). Models with `zeros` get every row of `data`, the others its rows with revenue (with_revenue)."""
    positive = with_revenue(data)
    sample = subsample(positive, seed=seed)

    def rows(m: Model) -> pd.DataFrame:
        return data if m.zeros else sample if m.subsampled else positive

    return pd.concat(
        [attempt(m.name, lambda m=m: m.fit(rows(m), seed), m.slope_term or "") for m in REGISTRY],
        ignore_index=True,
    )


def roi_elasticities(fits: pd.DataFrame) -> pd.DataFrame:
    """From fit_all's table: one row per slope model, its estimate of the elasticity of return per dollar."""
    rows = [fits[(fits["model"] == m) & (fits["term"] == t)] for m, t in slope_terms().items()]
    return pd.concat(rows, ignore_index=True)[["model", "term", *TIDY_COLUMNS[1:]]]


def fitted_line(data: pd.DataFrame, outcome: str = "log_roas", grid: np.ndarray | None = None) -> pd.DataFrame:
    """OLS (HC3) of a logged outcome on log followers, predicted on a follower grid with a 95% band, back on the
    outcome's own scale: followers, fitted, ci_low, ci_high (tidy, for plotting)."""
    result = ols(data[outcome], data["log_followers"], memo=True)
    if grid is None:
        grid = np.logspace(np.log10(data["followers"].min()), np.log10(data["followers"].max()), 41)
    design = sm.add_constant(np.log(grid))
    mean = design @ result.params
    se = np.sqrt(np.einsum("ij,jk,ik->i", design, result.cov_params(), design))
    return pd.DataFrame(
        {
            "followers": grid,
            "fitted": np.exp(mean),
            "ci_low": np.exp(mean - Z95 * se),
            "ci_high": np.exp(mean + Z95 * se),
        }
    )


def ols_diagnostics(data: pd.DataFrame) -> pd.DataFrame:
    """Residual and influence diagnostics of model 1 (OLS of log return per dollar on log followers), one row per
    campaign: followers, fitted, residual, leverage, cooks_distance (tidy, for plotting)."""
    result = smf.ols("log_roas ~ log_followers", data).fit()
    influence = result.get_influence()
    return pd.DataFrame(
        {
            "followers": data["followers"].to_numpy(),
            "fitted": result.fittedvalues.to_numpy(),
            "residual": result.resid.to_numpy(),
            "leverage": influence.hat_matrix_diag,
            "cooks_distance": influence.cooks_distance[0],
        }
    )
