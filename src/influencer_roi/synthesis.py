"""The synthesis of the evidence: how engagement rate, conversion rate and price per post change with follower count,
fitted jointly across the ledger's benchmark claims, with the real Instagram posts as engagement evidence beside
them; what that implies for return per dollar; and joint draws of the elasticities for everything downstream.

This module is the single source of elasticities: the campaign model, the allocation and the front page take
their parameters from `synthesise()` and `draws()`, never from a typed number.

The identity (order value taken as flat in followers): revenue per post = followers x engagement rate x conversion
rate x order value, cost = the price of the post, so

    e(revenue) = 1 + e(engagement rate) + e(conversion rate),   e(cost) = e(price per post),
    e(return per dollar) = e(revenue) - e(cost).

The analyst's choices, each a field of `Choices` with the main one first (see OPTIONS):

- copies: "drop" keeps each figure once (METHODS: a figure repeated inside one source is one figure; a claim
  that restates another source's figure is a copy, and the original is kept), or "keep" every row;
- open_values: a value stated as open ("$10,000+", "up to 7%") becomes a range by "median_ratio" (its bound times
  the median ratio of upper to lower end over the same metric's closed ranges), or is taken at "bound";
- placement: a claim sits at the geometric midpoint of "source" (its own bounds, else its source's own scheme for
  that tier, an open tier placed by the source's own follower ratio where it states one, as Beichert et al.'s macro
  at 32 times their nano) or "canonical" (its own bounds, else the canonical tier) follower range;
- open_ranges: an open follower range ("1M+", "> 50k") is closed by "median_ratio" (lower bound times the median
  ratio of upper to lower bound over the ledger's closed tier bands), or "cap" (at FOLLOWER_CAP, the old rule);
- weights: "equal" (the stacked mixed model, below), "grade" or "grade_and_width" (weighted least squares of the
  same stacked model, errors clustered by source; GRADE_WEIGHTS, and for grade_and_width divided by 1 + log10
  of the width of the claim's follower range, which places its value less precisely);
- audit: "exclude" leaves out a claim an audit check finds in error (the stated claim of an inconsistent check
  whose finding is an article error or a misattribution), or "keep";
- engagement: "pooled" (the benchmark slope and the real posts' slope combined by a random-effects meta-analysis),
  "benchmarks", "real" (the real posts' log model) or "real_ppml" (their Poisson model).

The joint model: every usable claim of the three metrics stacked, log10 value on a per-metric intercept and a
per-metric slope in log10 followers (and a level per platform for engagement rate), with a random intercept per
source shared by its metrics and one per source and metric (statsmodels MixedLM, REML): the same article supplies
points to several metrics, so its points are not independent evidence. Intervals use the t distribution with
n - p degrees of freedom (n points, p fixed parameters).
"""

from __future__ import annotations

import functools
import itertools
import warnings
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.meta_analysis import combine_effects
from statsmodels.tools.sm_exceptions import ConvergenceWarning

from . import engagement, instagram, real_posts
from .audit import run_audit
from .constants import FOLLOWER_CAP, Z95
from .evidence import load_ledger, load_tier_definitions
from .tiers import CANONICAL

METRICS = ("engagement_rate", "conversion_rate", "price_per_post")
SIGNS = {"engagement_rate": 1.0, "conversion_rate": 1.0, "price_per_post": -1.0}  # in e(return per dollar)
DIRECT = "roas"  # the direct return claims: a cross-check, not part of the joint model
COPY_TOLERANCE = 0.05  # two figures within 5% of each other (geometric midpoints) are one figure
ERROR_FINDINGS = ("article error", "misattribution")
OPTIONS = {
    "copies": ("drop", "keep"),
    "open_values": ("median_ratio", "bound"),
    "placement": ("source", "canonical"),
    "open_ranges": ("median_ratio", "cap"),
    "weights": ("equal", "grade", "grade_and_width"),
    "audit": ("exclude", "keep"),
    "engagement": ("pooled", "benchmarks", "real", "real_ppml"),
}
# How much a claim counts under the grade rules: a source's grade sets the weight, halving at each step down.
GRADE_WEIGHTS = {"A": 1.0, "B": 0.5, "C": 0.25, "D": 0.125}
ELASTICITIES = ("engagement_rate", "conversion_rate", "price_per_post", "revenue", "cost", "return_per_dollar")


@dataclass(frozen=True)
class Choices:
    """One specification of the synthesis: each field one of OPTIONS, the first value the book's main choice."""

    copies: str = "drop"
    open_values: str = "median_ratio"
    placement: str = "source"
    open_ranges: str = "median_ratio"
    weights: str = "equal"
    audit: str = "exclude"
    engagement: str = "pooled"

    def __post_init__(self):
        for name, value in asdict(self).items():
            if value not in OPTIONS[name]:
                raise ValueError(f"{name} must be one of {OPTIONS[name]}, not {value!r}")


MAIN = Choices()


# ---- Which claims are points, and where they sit


def median_range_ratio(definitions: pd.DataFrame) -> float:
    """The median ratio of upper to lower bound over the closed tier bands of tier_definitions.csv: how wide a
    source's band typically is, for closing an open one ("1M+" -> 1M to 1M x ratio)."""
    closed = definitions.dropna(subset=["min_followers", "max_followers"])
    closed = closed[closed["min_followers"] > 0]
    return float(np.median(closed["max_followers"] / closed["min_followers"]))


def _value_ratio(claims: pd.DataFrame, metric: str) -> float:
    """The median ratio of high to low over the closed ranges of one metric's claims (a wider pool if fewer than
    three: every closed level claim)."""

    def ratios(rows):
        closed = rows.dropna(subset=["value_low", "value_high"])
        closed = closed[(closed["value_low"] > 0) & (closed["value_high"] > closed["value_low"])]
        return closed["value_high"] / closed["value_low"]

    own = ratios(claims[claims["metric"] == metric])
    pool = own if len(own) >= 3 else ratios(claims[claims["metric"].isin(METRICS + (DIRECT,))])
    return float(np.median(pool))


def _stated_ratio(claims: pd.DataFrame, source_id: str, tier: str) -> tuple[str, str, float] | None:
    """(claim id, other tier, ratio) where a source states the follower ratio of `tier` over another of its tiers
    (metric follower_ratio, 'macro_vs_nano' = 32)."""
    rows = claims[
        (claims["source_id"] == source_id) & (claims["metric"] == "follower_ratio") & (claims["tier_a"] == tier)
    ]
    if rows.empty:
        return None
    row = rows.iloc[0]
    return row["claim_id"], row["tier_b"], float(np.sqrt(row["value_low"] * row["value_high"]))


def place(
    claims: pd.DataFrame, definitions: pd.DataFrame, choices: Choices = MAIN, ledger_claims: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Each claim's follower position under `choices` (placement, open_ranges): range_low, range_high (closed),
    followers (their geometric midpoint) and placed_by, a few words on how. `ledger_claims` (default `claims`) is
    where a source's statements of follower ratios are looked up."""
    ratio = median_range_ratio(definitions)
    lookup = claims if ledger_claims is None else ledger_claims
    out = claims.copy()
    lows, highs, how = [], [], []

    def close(lo, hi):
        lo = 0.0 if pd.isna(lo) else float(lo)
        hi = np.inf if pd.isna(hi) else float(hi)
        floor = 100.0 if hi <= 1_000 else 1_000.0  # the book's follower range starts at 1,000 (100 under it)
        lo = max(lo, floor)
        if np.isinf(hi):
            hi = lo * ratio if choices.open_ranges == "median_ratio" else max(FOLLOWER_CAP, lo)
        return lo, hi

    bands = {(r["source_id"], str(r["tier"])): r for r in definitions.to_dict("records")}
    counts = definitions.assign(tier=definitions["tier"].astype(str)).groupby(["source_id", "tier"]).size().to_dict()

    def source_band(source_id, tier):
        if counts.get((source_id, tier), 0) != 1:
            return None
        r = bands[(source_id, tier)]
        return r["min_followers"], r["max_followers"]

    for row in out.to_dict("records"):
        stated = pd.notna(row["tier_min_followers"]) or pd.notna(row["tier_max_followers"])
        if pd.notna(row["tier_b"]) or row["tier_a"] not in ("sub_nano", "nano", "micro", "macro", "mega"):
            lows.append(np.nan)
            highs.append(np.nan)
            how.append("no single tier")
            continue
        band, label = (row["tier_min_followers"], row["tier_max_followers"]), "the claim's own range"
        if not stated:
            own = source_band(row["source_id"], row["tier_a"]) if choices.placement == "source" else None
            if own is not None:
                band, label = own, "its source's scheme"
            else:
                band, label = (row["range_min"], row["range_max"]), "the canonical tier"
        if choices.placement == "source" and pd.isna(band[1]):
            stated_ratio = _stated_ratio(lookup, row["source_id"], row["tier_a"])
            other = source_band(row["source_id"], stated_ratio[1]) if stated_ratio else None
            if stated_ratio is not None and other is not None:
                claim_id, other_tier, times = stated_ratio
                o_lo, o_hi = close(*other)
                centre = np.sqrt(o_lo * o_hi) * times
                lows.append(centre)
                highs.append(centre)
                how.append(f"{times:g} times its {other_tier} tier ({claim_id})")
                continue
        lo, hi = close(*band)
        lows.append(lo)
        highs.append(hi)
        how.append(label + (" (open range closed)" if pd.isna(band[1]) else ""))
    out["range_low"], out["range_high"], out["placed_by"] = lows, highs, how
    out["followers"] = np.sqrt(out["range_low"] * out["range_high"])
    return out


def audit_errors(result: pd.DataFrame) -> dict[str, str]:
    """claim_id -> the check that finds it in error: the stated claim of every inconsistent check whose finding is
    an article error or a misattribution (audit.run_audit's table). A disagreement between sources, or with real
    data, says that two figures differ, not which is wrong, and leaves both in."""
    failed = result[(result["verdict"] == "inconsistent") & result["finding"].isin(ERROR_FINDINGS)]
    errors: dict[str, str] = {}
    for row in failed.itertuples(index=False):
        stated = row.claim_ids.split(", ")[0]
        if stated:
            errors.setdefault(stated, row.check_id)
    return errors


def candidates(
    ledger: dict, metrics=METRICS + (DIRECT,), choices: Choices = MAIN, audit_result: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Every ledger claim of `metrics`, used or not: the claim's columns plus followers (placed), value (the
    geometric midpoint of its stated range, open ends closed by the open_values rule), used (bool) and reason (why a
    claim is left out; blank when used). The rules, in order: a comparison between tiers, an illustration, a case
    study (one campaign), a reason from the sources (fit_exclusion), a figure an audit check finds in error, the same
    figure again in one source, a copy of another source's figure."""
    claims = ledger["claims"]
    rows = place(claims[claims["metric"].isin(metrics)], ledger["tier_definitions"], choices, claims)
    grade = rows["source_id"].map(ledger["sources"].set_index("source_id")["grade"])
    rows["grade"] = grade
    low, high = rows["value_low"].copy(), rows["value_high"].copy()
    for metric in metrics:
        sel = rows["metric"] == metric
        if choices.open_values == "median_ratio":
            ratio = _value_ratio(claims, metric)
            high[sel & high.isna()] = low[sel & high.isna()] * ratio
            low[sel & low.isna()] = high[sel & low.isna()] / ratio
        else:
            high[sel] = high[sel].fillna(low[sel])
            low[sel] = low[sel].fillna(high[sel])
    rows["value"] = np.sqrt(low * high)
    reason = pd.Series("", index=rows.index, dtype=object)

    def mark(mask, text):
        target = mask & reason.eq("")
        reason[target] = text if isinstance(text, str) else text[target]

    mark(rows["tier_b"].notna(), "a comparison between tiers, not a tier's level")
    mark(rows["tier_a"].eq("any"), "a figure for a wide span of sizes, not one tier's level")
    mark(rows["followers"].isna(), "no follower range: the source gives none for this tier")
    mark(rows["illustrative"], "an illustration in the article ('might charge'), not a measurement")
    mark(rows["cited_origin"].fillna("").str.contains("case study"), "one campaign's result (a case study)")
    mark(rows["fit_exclusion"].notna(), "from the sources: " + rows["fit_exclusion"].fillna(""))
    mark(~(rows["value"] > 0), "no positive value")
    if choices.audit == "exclude":
        if audit_result is None:
            audit_result = run_audit(claims)
        errors = audit_errors(audit_result)
        found = rows["claim_id"].map(errors)
        mark(found.notna(), "found in error by audit check " + found.fillna(""))
    if choices.copies == "drop":
        _mark_repeats(rows, reason)
    rows["used"] = reason.eq("")
    rows["reason"] = reason
    rows["log_followers"] = np.log10(rows["followers"])
    rows["log_value"] = np.log10(rows["value"].where(rows["value"] > 0))
    width = (rows["range_high"] / rows["range_low"]).clip(lower=1)
    rows["weight_equal"] = 1.0
    rows["weight_grade"] = grade.map(GRADE_WEIGHTS)
    rows["weight_grade_and_width"] = rows["weight_grade"] / (1 + np.log10(width.fillna(1)))
    return rows.reset_index(drop=True)


def _mark_repeats(rows: pd.DataFrame, reason: pd.Series) -> None:
    """METHODS' 'one point per figure', in place on `reason`. Within one source, two claims of one metric and
    platform are one figure when they name the same tier or state the very same value: the first (lowest claim id)
    is kept. Across sources, a claim whose value is within COPY_TOLERANCE of another source's, for the same metric and
    platform at an overlapping follower range, is a copy: the original is kept (a literature row over an article,
    then the better grade, then the lower claim id)."""
    records = rows.assign(_reason=reason).to_dict("index")
    alive = sorted((i for i, r in records.items() if r["_reason"] == ""), key=lambda i: records[i]["claim_id"])

    def same_value(a, b) -> bool:  # across sources: equal within rounding
        return bool(np.isclose(a["value"], b["value"], rtol=COPY_TOLERANCE))

    def identical(a, b) -> bool:  # within one source: the very same figure (on the normalised scale)
        return all((pd.isna(a[k]) and pd.isna(b[k])) or a[k] == b[k] for k in ("value_low", "value_high"))

    kept_in_source: list = []
    for i in alive:  # within one source
        row = records[i]
        first = next(
            (
                k
                for k in kept_in_source
                if records[k]["source_id"] == row["source_id"]
                and records[k]["metric"] == row["metric"]
                and records[k]["platform"] == row["platform"]
                and (records[k]["tier_a"] == row["tier_a"] or identical(records[k], row))
            ),
            None,
        )
        if first is None:
            kept_in_source.append(i)
        else:
            reason[i] = f"the same figure again in one source (kept: {records[first]['claim_id']})"

    def originality(i):
        row = records[i]
        return (bool(re_article(row["source_id"])), str(row["grade"]), row["claim_id"])

    kept: list = []
    for i in sorted(kept_in_source, key=originality):  # across sources
        row = records[i]
        original = next(
            (
                k
                for k in kept
                if records[k]["metric"] == row["metric"]
                and records[k]["platform"] == row["platform"]
                and records[k]["source_id"] != row["source_id"]
                and same_value(records[k], row)
                and records[k]["range_low"] < row["range_high"]
                and row["range_low"] < records[k]["range_high"]
            ),
            None,
        )
        if original is None:
            kept.append(i)
        else:
            cid = records[original]["claim_id"]
            reason[i] = f"a copy of {cid}'s figure (kept: {cid})"


def re_article(source_id: str) -> bool:
    """Whether a source is one of the five articles (A000 to A004)."""
    return len(source_id) == 4 and source_id[0] == "A" and source_id[1:].isdigit()


def points(
    ledger: dict, metric: str, choices: Choices = MAIN, audit_result: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The claims of one metric that enter the fit under `choices` (candidates() where used)."""
    rows = candidates(ledger, (metric,), choices, audit_result)
    return rows[rows["used"]].reset_index(drop=True)


def left_out(
    ledger: dict, metrics=METRICS + (DIRECT,), choices: Choices = MAIN, audit_result: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Every claim of the fitted metrics that does not enter the fit, with the reason: claim_id, source_id, metric,
    tier, platform, reason."""
    rows = candidates(ledger, metrics, choices, audit_result)
    columns = ["claim_id", "source_id", "metric", "tier", "platform", "reason"]
    return rows.loc[~rows["used"], columns].reset_index(drop=True)


# ---- The joint fit


def _design(data: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """Per-metric intercepts and slopes in log10 followers (centred per metric, so the intercept sits inside each
    metric's data), and platform levels for engagement rate (TikTok, YouTube; Instagram the reference)."""
    columns, names = [], []
    for metric in METRICS:
        is_metric = (data["metric"] == metric).to_numpy(float)
        centre = data.loc[data["metric"] == metric, "log_followers"].mean()
        columns += [is_metric, is_metric * (data["log_followers"].to_numpy(float) - centre)]
        names += [f"{metric}:level", f"{metric}:slope"]
    er = data["metric"] == "engagement_rate"
    # a claim that names no platform ('any') is read at Instagram's level: the only such claims come from one
    # article, whose random intercept absorbs any difference (a level of its own would not be identified)
    for platform in sorted(set(data.loc[er, "platform"]) - {"instagram", "any"}):
        columns.append((er & (data["platform"] == platform)).to_numpy(float))
        names.append(f"engagement_rate:platform[{platform}]")
    return np.column_stack(columns), names


@dataclass
class JointFit:
    """The stacked fit: table (tidy, t intervals), slopes (the three elasticities), cov (their covariance), df,
    n (points), n_sources (clusters), per-metric point counts, method and whether the optimiser converged."""

    table: pd.DataFrame
    slopes: pd.Series
    cov: pd.DataFrame
    df: int
    n: int
    n_sources: int
    counts: dict
    method: str
    converged: bool
    params: pd.Series = field(repr=False, default=None)
    params_cov: pd.DataFrame = field(repr=False, default=None)
    centres: dict = field(repr=False, default_factory=dict)


def _t_table(names, estimate, se, df) -> pd.DataFrame:
    q = stats.t.ppf(0.975, df)
    t = np.asarray(estimate) / np.asarray(se)
    return pd.DataFrame(
        {
            "term": names,
            "estimate": estimate,
            "std_error": se,
            "ci_low": estimate - q * se,
            "ci_high": estimate + q * se,
            "p_value": 2 * stats.t.sf(np.abs(t), df),
        }
    )


# L-BFGS can stop where the REML surface is flat and still report convergence, at a point that differs between
# CPUs (the last bits of a sum): one specification gave elasticities 5e-4 apart on two machines, its log-likelihood
# 0.1 below the optimum. So its answer is polished by a derivative-free optimiser started there and run to a tight
# tolerance (not the 1e-4 default), and the best converged fit is kept: every machine lands on the same optimum.
TIGHT = {"ftol": 1e-12, "maxiter": 20_000}
# At the optimum the two agree to about 1e-8 in log-likelihood and 5e-7 in the elasticities; a stall is 0.1 below.
IMPROVES = 1e-6


def fit_joint(data: pd.DataFrame, weights: str = "equal") -> JointFit:
    """The joint model of the module docstring on candidates()' used rows of METRICS. weights "equal": MixedLM with
    a random intercept per source and per source-and-metric (REML; derivative-free optimisers, which converge where
    the default gradient method stalls on a few dozen points); otherwise weighted least squares with errors clustered
    by source and t intervals on G - 1 degrees of freedom (statsmodels' MixedLM takes no weights)."""
    data = data[data["metric"].isin(METRICS)].reset_index(drop=True)
    design, names = _design(data)
    y = data["log_value"].to_numpy(float)
    groups = data["source_id"].to_numpy()
    n, p, g = len(data), design.shape[1], len(set(groups))
    if weights == "equal":
        frame = pd.DataFrame(design, columns=[f"x{i}" for i in range(p)]).assign(
            y=y, source=groups, metric=data["metric"].to_numpy()
        )
        formula = "y ~ 0 + " + " + ".join(f"x{i}" for i in range(p))
        model = sm.MixedLM.from_formula(
            formula, frame, groups="source", re_formula="1", vc_formula={"source_metric": "0 + C(metric)"}
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            warnings.simplefilter("ignore", RuntimeWarning)
            warnings.simplefilter("ignore", UserWarning)
            results = [model.fit(reml=True, method=["lbfgs"])]
            start = results[0].params_object if results[0].converged else None
            for method in ("powell", "nm"):
                results.append(model.fit(reml=True, method=[method], start_params=start, **TIGHT))
                if results[-1].converged:
                    break
        # L-BFGS's fit unless the polish found a REML log-likelihood higher by more than IMPROVES (then L-BFGS had
        # stalled); if none converged, the first, and the table says so
        first = results[0]
        finished = [r for r in results[1:] if r.converged and (not first.converged or r.llf > first.llf + IMPROVES)]
        result = finished[0] if finished else results[0]
        converged = bool(result.converged)
        estimate = np.asarray(result.fe_params)
        cov = np.asarray(result.cov_params())[:p, :p]
        df, method_name = n - p, "mixed model (random intercepts per source and per source and metric)"
    else:
        w = data[f"weight_{weights}"].to_numpy(float)
        result = sm.WLS(y, design, weights=w).fit(cov_type="cluster", cov_kwds={"groups": pd.factorize(groups)[0]})
        estimate, cov = np.asarray(result.params), np.asarray(result.cov_params())
        method_name = f"weighted least squares ({weights} weights), errors clustered by source"
        df, converged = g - 1, True
    table = _t_table(names, estimate, np.sqrt(np.diag(cov)), df)
    slope_idx = [names.index(f"{m}:slope") for m in METRICS]
    slopes = pd.Series(estimate[slope_idx], index=list(METRICS))
    slope_cov = pd.DataFrame(cov[np.ix_(slope_idx, slope_idx)], index=list(METRICS), columns=list(METRICS))
    counts = data.groupby("metric").size().reindex(list(METRICS), fill_value=0).to_dict()
    centres = {m: float(data.loc[data["metric"] == m, "log_followers"].mean()) for m in METRICS}
    return JointFit(
        table,
        slopes,
        slope_cov,
        int(df),
        n,
        g,
        counts,
        method_name,
        converged,
        pd.Series(estimate, index=names),
        pd.DataFrame(cov, index=names, columns=names),
        centres,
    )


# ---- Engagement evidence, and the implied elasticity of return per dollar


@functools.lru_cache(maxsize=2)
def real_engagement(kind: str = "real") -> tuple[float, float]:
    """(estimate, variance) of the real posts' engagement-rate elasticity: 'real' the log model
    (real_posts.engagement_slope), 'real_ppml' Poisson pseudo-maximum likelihood."""
    if kind == "real":
        slope = real_posts.engagement_slope()
        return slope["estimate"], slope["std_error"] ** 2
    row = engagement.ppml(instagram.load_posts()).set_index("term").loc["engagement_rate"]
    return float(row["estimate"]), float(row["std_error"]) ** 2


def combine_engagement(fit: JointFit, choice: str = "pooled") -> tuple[pd.Series, pd.DataFrame, dict]:
    """The three slopes and their covariance with the engagement slope taken from `choice`. 'pooled': the
    benchmark slope and the real posts' slope combined by a random-effects meta-analysis (statsmodels
    combine_effects, DerSimonian-Laird): the pooled slope is w_b b + w_r r, so its covariance with the other two
    slopes is w_b times the benchmark slope's, and its variance the random-effects one (between-source spread
    included). Returns (slopes, cov, info: the parts and the weights)."""
    slopes, cov = fit.slopes.copy(), fit.cov.copy()
    bench, bench_var = float(slopes["engagement_rate"]), float(cov.loc["engagement_rate", "engagement_rate"])
    info = {"benchmarks": bench, "benchmarks_se": np.sqrt(bench_var)}
    if choice == "benchmarks":
        info.update(estimate=bench, std_error=np.sqrt(bench_var), weight_benchmarks=1.0)
        return slopes, cov, info
    real, real_var = real_engagement("real_ppml" if choice == "real_ppml" else "real")
    info.update(real=real, real_se=np.sqrt(real_var))
    if choice in ("real", "real_ppml"):
        slopes["engagement_rate"] = real
        cov.loc["engagement_rate", :] = 0.0
        cov.loc[:, "engagement_rate"] = 0.0
        cov.loc["engagement_rate", "engagement_rate"] = real_var
        info.update(estimate=real, std_error=np.sqrt(real_var), weight_benchmarks=0.0)
        return slopes, cov, info
    pooled = combine_effects(
        np.array([bench, real]),
        np.array([bench_var, real_var]),
        method_re="chi2",
        row_names=["benchmarks", "real posts"],
    )
    w = np.asarray(pooled.weights_re) / np.sum(pooled.weights_re)
    estimate, variance = float(pooled.mean_effect_re), float(pooled.var_eff_w_re)
    slopes["engagement_rate"] = estimate
    others = [m for m in METRICS if m != "engagement_rate"]
    cov.loc["engagement_rate", others] = w[0] * fit.cov.loc["engagement_rate", others]
    cov.loc[others, "engagement_rate"] = w[0] * fit.cov.loc[others, "engagement_rate"]
    cov.loc["engagement_rate", "engagement_rate"] = variance
    info.update(
        estimate=estimate, std_error=np.sqrt(variance), weight_benchmarks=float(w[0]), tau=float(np.sqrt(pooled.tau2))
    )
    return slopes, cov, info


def implied(slopes: pd.Series, cov: pd.DataFrame, df: int) -> pd.DataFrame:
    """The elasticities of ELASTICITIES from the three slopes: revenue 1 + er + cr, cost = price, return per dollar
    their difference; each with its standard error (c'Vc, covariances kept) and t interval on `df` degrees of
    freedom. Tidy: elasticity, estimate, std_error, ci_low, ci_high."""
    combos: dict[str, tuple[float, dict[str, float]]] = {
        "engagement_rate": (0.0, {"engagement_rate": 1}),
        "conversion_rate": (0.0, {"conversion_rate": 1}),
        "price_per_post": (0.0, {"price_per_post": 1}),
        "revenue": (1.0, {"engagement_rate": 1, "conversion_rate": 1}),
        "cost": (0.0, {"price_per_post": 1}),
        "return_per_dollar": (1.0, SIGNS),
    }
    q = stats.t.ppf(0.975, df)
    b = slopes[list(METRICS)].to_numpy(float)
    v = cov.loc[list(METRICS), list(METRICS)].to_numpy(float)
    rows = []
    for name, (constant, weights) in combos.items():
        c = np.array([weights.get(m, 0.0) for m in METRICS])
        estimate, se = constant + float(c @ b), float(np.sqrt(c @ v @ c))
        rows.append(
            {
                "elasticity": name,
                "estimate": estimate,
                "std_error": se,
                "ci_low": estimate - q * se,
                "ci_high": estimate + q * se,
            }
        )
    return pd.DataFrame(rows)


@dataclass
class Synthesis:
    """What synthesise() returns: the choices, the candidate claims (used and not), the joint fit, the
    engagement evidence, the slopes and covariance downstream code uses, and the implied elasticities."""

    choices: Choices
    candidates: pd.DataFrame
    fit: JointFit
    engagement: dict
    slopes: pd.Series
    cov: pd.DataFrame
    df: int
    elasticities: pd.DataFrame = field(repr=False)

    def estimate(self, name: str = "return_per_dollar") -> pd.Series:
        return self.elasticities.set_index("elasticity").loc[name]


def synthesise(
    ledger: dict | None = None, choices: Choices = MAIN, audit_result: pd.DataFrame | None = None
) -> Synthesis:
    """The corrected synthesis under `choices` (the book's main specification by default)."""
    if ledger is None:
        ledger = load_ledger()
    rows = candidates(ledger, METRICS + (DIRECT,), choices, audit_result)
    fit = fit_joint(rows[rows["used"] & rows["metric"].isin(METRICS)], choices.weights)
    slopes, cov, info = combine_engagement(fit, choices.engagement)
    return Synthesis(choices, rows, fit, info, slopes, cov, fit.df, implied(slopes, cov, fit.df))


def direct_returns(synthesis: Synthesis) -> pd.Series:
    """The direct return claims (ROAS) of the same specification, fitted alone as a cross-check: OLS of log10 value
    on log10 followers, t interval on n - 2 degrees of freedom. estimate, std_error, ci_low, ci_high, n, sources."""
    data = synthesis.candidates
    data = data[data["used"] & (data["metric"] == DIRECT)]
    result = sm.OLS(data["log_value"].to_numpy(float), sm.add_constant(data["log_followers"].to_numpy(float))).fit()
    df = len(data) - 2
    q = stats.t.ppf(0.975, df)
    estimate, se = float(result.params[1]), float(result.bse[1])
    return pd.Series(
        {
            "estimate": estimate,
            "std_error": se,
            "ci_low": estimate - q * se,
            "ci_high": estimate + q * se,
            "n": len(data),
            "sources": data["source_id"].nunique(),
        }
    )


def inference_comparison(synthesis: Synthesis) -> pd.DataFrame:
    """How the interval of the implied return-per-dollar elasticity depends on how dependence and sample size are
    treated, on the main specification's points: the old way (three separate fits, heteroskedasticity-robust
    errors, normal intervals, independence), the stacked fit with errors clustered by source, and the mixed
    model (the main one). Tidy: method, estimate, ci_low, ci_high, df."""
    data = synthesis.candidates
    data = data[data["used"] & data["metric"].isin(METRICS)].reset_index(drop=True)
    design, names = _design(data)
    y = data["log_value"].to_numpy(float)
    rows = []
    hc3 = sm.OLS(y, design).fit(cov_type="HC3")
    clustered = sm.OLS(y, design).fit(cov_type="cluster", cov_kwds={"groups": pd.factorize(data["source_id"])[0]})
    idx = [names.index(f"{m}:slope") for m in METRICS]
    for label, result, df, independent in (
        ("separate fits, robust (HC3) errors, normal intervals (the earlier method)", hc3, None, True),
        ("stacked, errors clustered by source, t intervals", clustered, synthesis.fit.n_sources - 1, False),
    ):
        slopes = pd.Series(np.asarray(result.params)[idx], index=list(METRICS))
        cov = pd.DataFrame(
            np.asarray(result.cov_params())[np.ix_(idx, idx)], index=list(METRICS), columns=list(METRICS)
        )
        if independent:
            cov = pd.DataFrame(np.diag(np.diag(cov)), index=list(METRICS), columns=list(METRICS))
        slopes, cov, _ = combine_engagement(replace(synthesis.fit, slopes=slopes, cov=cov), "benchmarks")
        row = implied(slopes, cov, df if df else 10**6).set_index("elasticity").loc["return_per_dollar"]
        rows.append(
            {
                "method": label,
                "estimate": row["estimate"],
                "ci_low": row["ci_low"],
                "ci_high": row["ci_high"],
                "df": df if df else np.inf,
            }
        )
    bench = combine_engagement(synthesis.fit, "benchmarks")
    row = implied(bench[0], bench[1], synthesis.df).set_index("elasticity").loc["return_per_dollar"]
    rows.append(
        {
            "method": "stacked mixed model, random intercepts per source (the book's)",
            "estimate": row["estimate"],
            "ci_low": row["ci_low"],
            "ci_high": row["ci_high"],
            "df": synthesis.df,
        }
    )
    return pd.DataFrame(rows)


# ---- The specification curve


def specification_curve(ledger: dict | None = None, options: dict | None = None) -> pd.DataFrame:
    """The implied elasticity of return per dollar under every combination of the analyst's choices (OPTIONS, or a
    subset given as options), sorted by estimate. Tidy: one column per choice, estimate, ci_low, ci_high, points
    per metric, main (True for the book's main specification)."""
    if ledger is None:
        ledger = load_ledger()
    audit_result = run_audit(ledger["claims"])
    options = {**OPTIONS, **(options or {})}
    # the choices that move points; weights and engagement only change the fit and what follows it
    point_names = [n for n in OPTIONS if n not in ("weights", "engagement")]
    rows = []
    for values in itertools.product(*(options[n] for n in point_names)):
        base = Choices(**dict(zip(point_names, values)))
        cand = candidates(ledger, METRICS, base, audit_result)
        used = cand[cand["used"]]
        for weights in options["weights"]:
            fit = fit_joint(used, weights)
            for engagement_choice in options["engagement"]:
                slopes, cov, _ = combine_engagement(fit, engagement_choice)
                row = implied(slopes, cov, fit.df).set_index("elasticity").loc["return_per_dollar"]
                choices = replace(base, weights=weights, engagement=engagement_choice)
                rows.append(
                    {
                        **asdict(choices),
                        "estimate": row["estimate"],
                        "ci_low": row["ci_low"],
                        "ci_high": row["ci_high"],
                        **{f"n_{m}": fit.counts[m] for m in METRICS},
                        "main": choices == MAIN,
                    }
                )
    table = sorted_by_estimate(pd.DataFrame(rows))
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    return table


def sorted_by_estimate(table: pd.DataFrame, decimals: int = 10) -> pd.DataFrame:
    """Rows sorted by estimate, ties kept in their given order. Specifications whose choices do not reach the
    estimate tie only up to the last bits of a float, which differ between CPUs: the key is rounded far below any
    digit the book shows, so such ties keep their order (the order of OPTIONS) on every machine."""
    order = np.argsort(table["estimate"].round(decimals).to_numpy(), kind="stable")
    return table.iloc[order].reset_index(drop=True)


def choice_medians(curve: pd.DataFrame) -> pd.DataFrame:
    """How much each of the analyst's choices moves a specification curve: the median estimate under each option
    (in OPTIONS order, the main option first) and the choice's spread, the largest minus the smallest of its
    medians. Tidy: choice, option, median, spread; the choices in OPTIONS order."""
    rows = []
    for choice, names in OPTIONS.items():
        medians = curve.groupby(choice)["estimate"].median()
        spread = float(medians.max() - medians.min())
        present = [o for o in names if o in medians]
        rows += [{"choice": choice, "option": o, "median": float(medians[o]), "spread": spread} for o in present]
    return pd.DataFrame(rows)


# ---- Joint draws for everything downstream


def draws(n: int, seed: int = 0, synthesis: Synthesis | None = None) -> pd.DataFrame:
    """n joint draws of the elasticities (ELASTICITIES) from the synthesis (the main specification by default):
    the three slopes from a multivariate t with the fit's covariance as its scale and its degrees of freedom, so
    that the draws' quantiles reproduce the t intervals; revenue, cost and return per dollar computed from them by
    the identity. Seeded: the same seed gives the same draws. Tidy: draw, and one column per elasticity."""
    synthesis = synthesis or synthesise()
    mean = synthesis.slopes[list(METRICS)].to_numpy(float)
    scale = synthesis.cov.loc[list(METRICS), list(METRICS)].to_numpy(float)
    sample = stats.multivariate_t(loc=mean, shape=scale, df=synthesis.df, seed=seed).rvs(size=n)
    sample = np.atleast_2d(sample)
    table = pd.DataFrame(sample, columns=list(METRICS))
    table["revenue"] = 1 + table["engagement_rate"] + table["conversion_rate"]
    table["cost"] = table["price_per_post"]
    table["return_per_dollar"] = table["revenue"] - table["cost"]
    table.insert(0, "draw", np.arange(n))
    return table


def tier_midpoints() -> pd.Series:
    """The canonical tiers' geometric midpoints in followers, the open mega tier closed by the open-range rule
    (its lower bound times the median ratio of the closed ranges, median_range_ratio). Indexed by tier."""
    ratio = median_range_ratio(load_tier_definitions())
    lo = CANONICAL["min_followers"].to_numpy(float)
    hi = CANONICAL["max_followers"].to_numpy(float)
    hi = np.where(np.isinf(hi), lo * ratio, hi)
    return pd.Series(np.sqrt(lo * hi), index=CANONICAL["tier"].astype(str), name="midpoint_followers")


def tier_returns(synthesis: Synthesis, reference: str = "micro") -> pd.DataFrame:
    """What the implied elasticity of return per dollar means for each canonical tier: return per dollar at the
    tier's geometric midpoint (the open mega tier closed by the open-range rule) relative to the reference tier's,
    with the interval the elasticity's interval gives (a constant elasticity: (F / F_ref) ** e). Tidy: tier,
    midpoint_followers, relative, ci_low, ci_high."""
    mid = tier_midpoints()
    row = synthesis.estimate("return_per_dollar")
    rel = mid / mid[reference]
    ends = np.column_stack([rel ** row["ci_low"], rel ** row["ci_high"]])
    return pd.DataFrame(
        {
            "tier": mid.index,
            "midpoint_followers": mid.to_numpy(),
            "relative": (rel ** row["estimate"]).to_numpy(),
            "ci_low": ends.min(axis=1),
            "ci_high": ends.max(axis=1),
        }
    )


def fitted_lines(synthesis: Synthesis, metric: str, grid: np.ndarray | None = None) -> pd.DataFrame:
    """The joint fit's line for one metric on a follower grid, with its 95% t band (fixed effects only: what a
    typical source reports), one line per platform the metric's points name: platform, followers, fitted, ci_low,
    ci_high, on the metric's own scale. For engagement rate the slope is the benchmark slope, not the pooled one."""
    fit = synthesis.fit
    grid = np.logspace(2, 7, 51) if grid is None else grid
    data = synthesis.candidates
    platforms = sorted(set(data.loc[data["used"] & (data["metric"] == metric), "platform"]) - {"any"}) or ["instagram"]
    names = list(fit.params.index)
    q = stats.t.ppf(0.975, fit.df)
    frames = []
    for platform in platforms:
        x = np.zeros((len(grid), len(names)))
        x[:, names.index(f"{metric}:level")] = 1.0
        x[:, names.index(f"{metric}:slope")] = np.log10(grid) - fit.centres[metric]
        level = f"{metric}:platform[{platform}]"
        if level in names:
            x[:, names.index(level)] = 1.0
        mean = x @ fit.params.to_numpy()
        se = np.sqrt(np.einsum("ij,jk,ik->i", x, fit.params_cov.to_numpy(), x))
        frames.append(
            pd.DataFrame(
                {
                    "platform": platform,
                    "followers": grid,
                    "fitted": 10**mean,
                    "ci_low": 10 ** (mean - q * se),
                    "ci_high": 10 ** (mean + q * se),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


# how the evidence table names each engagement choice (Choices.engagement)
ENGAGEMENT_EVIDENCE = {
    "pooled": "benchmarks and real posts pooled",
    "benchmarks": "benchmarks",
    "real": "real posts",
    "real_ppml": "real posts (Poisson)",
}


def evidence_table(synthesis: Synthesis) -> pd.DataFrame:
    """The evidence for each slope, side by side: evidence (what), elasticity, estimate, ci_low, ci_high, points
    (how many), sources. Engagement: the benchmarks (joint fit), the real posts (log model and Poisson), and the
    two pooled; conversion and price from the joint fit; return per dollar implied, and the direct return claims."""
    fit, info = synthesis.fit, synthesis.engagement
    used = synthesis.candidates[synthesis.candidates["used"]]

    def row(evidence, elasticity, estimate, se, df, points, sources):
        half = stats.t.ppf(0.975, df) * se if np.isfinite(df) else Z95 * se
        return {
            "evidence": evidence,
            "elasticity": elasticity,
            "estimate": estimate,
            "ci_low": estimate - half,
            "ci_high": estimate + half,
            "points": points,
            "sources": sources,
        }

    def sources(metric):
        return int(used.loc[used["metric"] == metric, "source_id"].nunique())

    real = real_posts.engagement_slope()
    ppml_est, ppml_var = real_engagement("real_ppml")
    rows = [
        row(
            "benchmark tier averages",
            "engagement_rate",
            info["benchmarks"],
            info["benchmarks_se"],
            fit.df,
            fit.counts["engagement_rate"],
            sources("engagement_rate"),
        ),
        row(
            "real Instagram posts (log model)",
            "engagement_rate",
            real["estimate"],
            real["std_error"],
            np.inf,
            real["n_posts"],
            1,
        ),
        row(
            "real Instagram posts (Poisson, zeros kept)",
            "engagement_rate",
            ppml_est,
            np.sqrt(ppml_var),
            np.inf,
            real["n_posts"],
            1,
        ),
    ]
    main = synthesis.elasticities.set_index("elasticity")
    for name, evidence, points, n_sources in (
        ("engagement_rate", ENGAGEMENT_EVIDENCE[synthesis.choices.engagement] + " (used)", None, None),
        ("conversion_rate", "ledger claims (used)", fit.counts["conversion_rate"], sources("conversion_rate")),
        ("price_per_post", "ledger claims (used)", fit.counts["price_per_post"], sources("price_per_post")),
        ("return_per_dollar", "implied by the three (used)", None, None),
    ):
        r = main.loc[name]
        rows.append(
            {
                "evidence": evidence,
                "elasticity": name,
                "estimate": r["estimate"],
                "ci_low": r["ci_low"],
                "ci_high": r["ci_high"],
                "points": points,
                "sources": n_sources,
            }
        )
    direct = direct_returns(synthesis)
    rows.append(
        {
            "evidence": "direct return claims",
            "elasticity": "return_per_dollar",
            "estimate": direct["estimate"],
            "ci_low": direct["ci_low"],
            "ci_high": direct["ci_high"],
            "points": int(direct["n"]),
            "sources": int(direct["sources"]),
        }
    )
    return pd.DataFrame(rows)
