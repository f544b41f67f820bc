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
- engagement: how the engagement slope is taken from the benchmarks and the real posts. "fixed_effect" pools the
  two by inverse variance (METHODS: with two estimates the between-study variance is not estimable, so a random-
  effects pool is unstable); "random_effects" pools them by DerSimonian-Laird (sensitivity); "real_first" takes the
  real posts alone, the benchmarks a check; "benchmarks" the benchmarks alone; "real_ppml" the real posts' Poisson fit;
- form: "tier_pair" (the engagement slope between two tiers is the real posts' spline's mean slope between their
  midpoints, engagement.pair_elasticities, pooled with the benchmark slope by the same rule: equal slopes are
  rejected, METHODS "Shape before slope") or "constant" (one slope for every pair);
- price: "no_rate_cards" (the price points that are measurements: a rate card's rule, RATE_CARD_SOURCES, is a source
  class of its own, not a measurement), "rate_cards" (with them: sensitivity) or "real_quotes" (the real asking
  prices' slope, quote_slope, in place of the benchmarks');
- conversion: "blogs" (the slope of the conversion points, all from grade-C blogs) or "zero" (no slope: revenue per
  engaged follower flat in size).

The inference rule, one for everything: each slope's standard error carries the degrees of freedom of the fit that
estimated it (the joint fit of the ledger n - p, shared by its slopes since their variance components are estimated
together; the real posts' account-clustered fits, accounts - 1; the real quotes, n - 2; a DerSimonian-Laird pool,
k - 1 = 1), and a linear combination of slopes (an inverse-variance pool, the elasticity of return per dollar, a
break-even) gets the Welch-Satterthwaite degrees of freedom of its parts. The intervals, every specification of the
curve and the draws (each slope a t with its own degrees of freedom) follow it.

The joint model: every usable claim of the three metrics stacked, log10 value on a per-metric intercept and a
per-metric slope in log10 followers (and a level per platform for engagement rate), with a random intercept per
source shared by its metrics and one per source and metric (statsmodels MixedLM, REML): the same article supplies
points to several metrics, so its points are not independent evidence. Intervals use the t distribution with
n - p degrees of freedom (n points, p fixed parameters).

The answer in tier-pair form is the elasticity of return per dollar between two tiers' midpoints; the book's
headline pair is micro vs mega (HEADLINE_PAIR), the comparison the articles make.
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

from . import engagement, instagram, price_quotes, real_posts
from .audit import run_audit
from .constants import ALPHA, FOLLOWER_CAP, Z95
from .evidence import load_ledger, load_tier_definitions
from .formats import fmt_money
from .tiers import tier_midpoints

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
    "engagement": ("fixed_effect", "random_effects", "real_first", "benchmarks", "real_ppml"),
    "form": ("tier_pair", "constant"),
    "price": ("no_rate_cards", "rate_cards", "real_quotes"),
    "conversion": ("blogs", "zero"),
}
CURVE_DECIMALS = 2  # the specification curve's order: its estimates to the digits the book shows
# Rate cards: a source whose prices are a rule of thumb ("$100 per 10,000 followers", an elasticity of exactly 1 by
# construction; sources.csv: "a common rule of thumb rather than a measured benchmark"), not measured prices.
RATE_CARD_SOURCES = ("imh_ratecard",)
# The tier pairs the book compares: each adjacent pair, and micro vs mega (the articles' comparison, the headline).
PAIRS = engagement.ADJACENT_PAIRS + (("micro", "mega"),)
HEADLINE_PAIR = ("micro", "mega")
# The engagement choices that read the real posts' log model, the only ones with a tier-pair form.
PAIR_ENGAGEMENT = ("fixed_effect", "random_effects", "real_first")
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
    engagement: str = "fixed_effect"
    form: str = "tier_pair"
    price: str = "no_rate_cards"
    conversion: str = "blogs"

    def __post_init__(self):
        for name, value in asdict(self).items():
            if value not in OPTIONS[name]:
                raise ValueError(f"{name} must be one of {OPTIONS[name]}, not {value!r}")
        if self.form == "tier_pair" and self.engagement not in PAIR_ENGAGEMENT:
            raise ValueError(f"the tier-pair form needs the real posts' log model: engagement one of {PAIR_ENGAGEMENT}")


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
    if choices.price != "rate_cards":
        rate_card = rows["source_id"].isin(RATE_CARD_SOURCES) & rows["metric"].eq("price_per_post")
        mark(rate_card, "a rate card's rule, not a measured price (used only in the rate-card sensitivity)")
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
    df: float
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


@functools.lru_cache(maxsize=1)
def real_accounts() -> int:
    """How many accounts the real posts' clustered fits rest on (their degrees of freedom: accounts - 1)."""
    return int(instagram.cached()["account_id"].nunique())


def pair_name(pair) -> str:
    """The column of a tier pair's engagement elasticity: engagement_rate[micro-mega]."""
    return f"engagement_rate[{pair[0]}-{pair[1]}]"


PAIR_NAMES = tuple(pair_name(p) for p in PAIRS)


def midpoints(ledger: dict | None = None) -> pd.Series:
    """The canonical tiers' midpoints with the open tier closed by the ledger's open-range rule (tiers.tier_midpoints
    at median_range_ratio): where the synthesis reads tier pairs and tier returns."""
    definitions = load_tier_definitions() if ledger is None else ledger["tier_definitions"]
    return tier_midpoints(median_range_ratio(definitions))


@functools.lru_cache(maxsize=1)
def real_pairs() -> tuple[pd.Series, pd.DataFrame, int]:
    """The real posts' engagement elasticity between the tiers of each of PAIRS (engagement.slope_spline's mean slope
    between their midpoints, clustered by account): (estimates, covariance, degrees of freedom: accounts - 1)."""
    fit = engagement.slope_spline(instagram.cached())
    _, estimate, cov = engagement.pair_elasticities(fit, PAIRS, midpoints())
    names = list(PAIR_NAMES)
    return pd.Series(estimate, index=names), pd.DataFrame(cov, index=names, columns=names), fit.n_accounts - 1


def satterthwaite(parts) -> float:
    """Welch-Satterthwaite degrees of freedom of a sum of independent variance parts, each (variance, df):
    (sum v)^2 / sum(v^2 / df). Parts with no variance drop out; infinite when none is left."""
    parts = [(float(v), float(d)) for v, d in parts if v > 0]
    if not parts:
        return np.inf
    denominator = sum(v * v / d for v, d in parts)
    return sum(v for v, _ in parts) ** 2 / denominator if denominator > 0 else np.inf


@functools.lru_cache(maxsize=4096)  # the specification curve asks for the same pools many times
def pool_two(bench: float, bench_var: float, bench_df: float, real: float, real_var: float, real_df: float, rule: str):
    """The benchmark slope and a real-posts slope under one pooling rule (Choices.engagement): estimate, variance,
    weight_benchmarks, df, tau. 'fixed_effect': inverse variance (statsmodels combine_effects), its df the
    Welch-Satterthwaite df of the weighted parts; 'random_effects': DerSimonian-Laird, df k - 1 = 1 (the
    between-study variance rests on one degree of freedom); 'real_first' or 'real_ppml': the real slope alone;
    'benchmarks': the benchmark slope alone."""
    if rule == "benchmarks":
        return {"estimate": bench, "variance": bench_var, "weight_benchmarks": 1.0, "df": bench_df, "tau": np.nan}
    if rule in ("real_first", "real_ppml"):
        return {"estimate": real, "variance": real_var, "weight_benchmarks": 0.0, "df": real_df, "tau": np.nan}
    pooled = combine_effects(
        np.array([bench, real]), np.array([bench_var, real_var]), method_re="chi2", row_names=["benchmarks", "real"]
    )
    if rule == "fixed_effect":
        w = np.asarray(pooled.weights_fe) / np.sum(pooled.weights_fe)
        variance = float(pooled.var_eff_w_fe)
        df = satterthwaite([(w[0] ** 2 * bench_var, bench_df), (w[1] ** 2 * real_var, real_df)])
        return {
            "estimate": float(pooled.mean_effect_fe),
            "variance": variance,
            "weight_benchmarks": float(w[0]),
            "df": df,
            "tau": 0.0,
        }
    w = np.asarray(pooled.weights_re) / np.sum(pooled.weights_re)
    return {
        "estimate": float(pooled.mean_effect_re),
        "variance": float(pooled.var_eff_w_re),
        "weight_benchmarks": float(w[0]),
        "df": 1.0,
        "tau": float(np.sqrt(pooled.tau2)),
    }


@dataclass
class Parameters:
    """Every slope the synthesis hands on: estimates (METRICS and the tier pairs' engagement, PAIR_NAMES), their
    covariance, each one's degrees of freedom, and its block (the fit it comes from: 'joint', 'engagement',
    'quotes', 'assumed'); slopes of different blocks are independent apart from the covariance a pool carries."""

    slopes: pd.Series
    cov: pd.DataFrame
    dfs: pd.Series
    blocks: pd.Series


@functools.lru_cache(maxsize=1)
def quote_slope() -> pd.Series:
    """The real asking prices' price elasticity (price_quotes.asking_prices: OLS of log price on log followers, t
    interval on n - 2 df): estimate, std_error, ci_low, ci_high, p_value, df, n, followers_low, followers_high. Nano
    only, asking not paid: a cross-check on price, never pooled with the benchmarks. REAL."""
    quotes = price_quotes.asking_prices()
    result = sm.OLS(
        np.log(quotes["price"].to_numpy(float)), sm.add_constant(np.log(quotes["followers"].to_numpy(float)))
    ).fit()
    df = len(quotes) - 2
    estimate, se = float(result.params[1]), float(result.bse[1])
    q = stats.t.ppf(1 - ALPHA / 2, df)
    return pd.Series(
        {
            "estimate": estimate,
            "std_error": se,
            "ci_low": estimate - q * se,
            "ci_high": estimate + q * se,
            "p_value": float(result.pvalues[1]),
            "df": df,
            "n": len(quotes),
            "followers_low": float(quotes["followers"].min()),
            "followers_high": float(quotes["followers"].max()),
        }
    )


def parameters(fit: JointFit, choices: Choices = MAIN) -> tuple[Parameters, dict]:
    """The slopes under `choices` from a joint fit: engagement by the pooling rule and form, price by its source,
    conversion with the blogs' slope or none. Returns (Parameters, info: the engagement parts and weights)."""
    names = list(METRICS) + list(PAIR_NAMES)
    k = len(names)
    er, cr, pr = 0, 1, 2  # positions of METRICS; the engagement names are er and 3..k-1
    slopes, cov = np.zeros(k), np.zeros((k, k))
    dfs = np.full(k, np.inf)
    blocks = np.array(["joint"] * k, dtype=object)
    fit_slopes = fit.slopes[list(METRICS)].to_numpy(float)
    fit_cov = fit.cov.loc[list(METRICS), list(METRICS)].to_numpy(float)
    slopes[[cr, pr]] = fit_slopes[[cr, pr]]
    dfs[[cr, pr]] = fit.df
    cov[np.ix_([cr, pr], [cr, pr])] = fit_cov[np.ix_([cr, pr], [cr, pr])]
    bench, bench_var = float(fit_slopes[er]), float(fit_cov[er, er])
    real, real_var = real_engagement("real_ppml" if choices.engagement == "real_ppml" else "real")
    const = pool_two(bench, bench_var, fit.df, real, real_var, real_accounts() - 1, choices.engagement)
    info = {
        "benchmarks": bench,
        "benchmarks_se": np.sqrt(bench_var),
        "real": real,
        "real_se": np.sqrt(real_var),
        "estimate": const["estimate"],
        "std_error": np.sqrt(const["variance"]),
        "weight_benchmarks": const["weight_benchmarks"],
        "tau": const["tau"],
        "df": const["df"],
    }
    eng = [er] + list(range(3, k))
    if choices.form == "tier_pair":
        pair_est, pair_cov, pair_df = real_pairs()
        c = pair_cov.to_numpy(float)
        parts = [
            pool_two(bench, bench_var, fit.df, float(pair_est.iloc[i]), float(c[i, i]), pair_df, choices.engagement)
            for i in range(len(PAIR_NAMES))
        ]
        wb = np.array([const["weight_benchmarks"]] + [p["weight_benchmarks"] for p in parts])
        inner = np.outer(wb, wb) * bench_var  # the pools share the benchmark slope
        inner[1:, 1:] += np.outer(1 - wb[1:], 1 - wb[1:]) * c
        np.fill_diagonal(inner, [const["variance"]] + [p["variance"] for p in parts])
        slopes[eng] = [const["estimate"]] + [p["estimate"] for p in parts]
        dfs[eng] = [const["df"]] + [p["df"] for p in parts]
    else:
        wb = np.full(len(eng), const["weight_benchmarks"])
        inner = np.full((len(eng), len(eng)), const["variance"])
        slopes[eng], dfs[eng] = const["estimate"], const["df"]
    cov[np.ix_(eng, eng)] = inner
    blocks[eng] = "engagement"
    for m in (cr, pr):  # a pool carries w_b times the benchmark slope's covariance with the others
        cov[eng, m] = cov[m, eng] = wb * fit_cov[er, m]
    if choices.price == "real_quotes":
        quotes = quote_slope()
        cov[pr, :] = cov[:, pr] = 0.0
        slopes[pr], dfs[pr], blocks[pr], cov[pr, pr] = (
            quotes["estimate"],
            quotes["df"],
            "quotes",
            quotes["std_error"] ** 2,
        )
    if choices.conversion == "zero":
        cov[cr, :] = cov[:, cr] = 0.0
        slopes[cr], dfs[cr], blocks[cr] = 0.0, np.inf, "assumed"
    params = Parameters(
        pd.Series(slopes, index=names),
        pd.DataFrame(cov, index=names, columns=names),
        pd.Series(dfs, index=names),
        pd.Series(blocks, index=names),
    )
    return params, info


def combination(params: Parameters, weights: dict[str, float], constant: float = 0.0) -> dict:
    """constant + sum(weight x slope) with its standard error (c'Vc, covariances kept), its Welch-Satterthwaite
    degrees of freedom (each block's part c_b'V_bb c_b with the block's df) and its t interval, and the p-value of
    a zero: estimate, std_error, df, ci_low, ci_high, p_value."""
    names = list(params.slopes.index)
    c = np.array([weights.get(n, 0.0) for n in names])
    v = params.cov.to_numpy(float)
    blocks, dfs = params.blocks.to_numpy(), params.dfs.to_numpy(float)
    estimate = constant + float(c @ params.slopes.to_numpy(float))
    variance = float(c @ v @ c)
    parts = []
    for block in dict.fromkeys(blocks):
        sel = (blocks == block) & (c != 0)
        if sel.any():
            parts.append((float(c[sel] @ v[np.ix_(sel, sel)] @ c[sel]), float(dfs[sel].min())))
    df = satterthwaite(parts)
    se = float(np.sqrt(max(variance, 0.0)))
    q = stats.t.ppf(1 - ALPHA / 2, df) if np.isfinite(df) else Z95
    p = 2 * stats.t.sf(abs(estimate) / se, df) if se > 0 else np.nan
    return {
        "estimate": estimate,
        "std_error": se,
        "df": df,
        "ci_low": estimate - q * se,
        "ci_high": estimate + q * se,
        "p_value": p,
    }


def _return_weights(engagement_name: str = "engagement_rate") -> dict[str, float]:
    return {engagement_name: 1.0, "conversion_rate": 1.0, "price_per_post": -1.0}


def implied(params: Parameters) -> pd.DataFrame:
    """The elasticities of ELASTICITIES from the constant-form slopes: revenue 1 + er + cr, cost = price, return per
    dollar their difference; each with its standard error, Welch-Satterthwaite df and t interval (combination).
    Tidy: elasticity, estimate, std_error, df, ci_low, ci_high."""
    combos: dict[str, tuple[float, dict[str, float]]] = {
        "engagement_rate": (0.0, {"engagement_rate": 1}),
        "conversion_rate": (0.0, {"conversion_rate": 1}),
        "price_per_post": (0.0, {"price_per_post": 1}),
        "revenue": (1.0, {"engagement_rate": 1, "conversion_rate": 1}),
        "cost": (0.0, {"price_per_post": 1}),
        "return_per_dollar": (1.0, _return_weights()),
    }
    rows = []
    for name, (constant, weights) in combos.items():
        r = combination(params, weights, constant)
        rows.append({"elasticity": name, **{k: r[k] for k in ("estimate", "std_error", "df", "ci_low", "ci_high")}})
    return pd.DataFrame(rows)


@dataclass
class Synthesis:
    """What synthesise() returns: the choices, the candidate claims (used and not), the joint fit, the
    engagement evidence, the slopes downstream code uses (constant and tier-pair engagement, conversion, price) with
    their covariance and degrees of freedom, and the implied elasticities (constant form)."""

    choices: Choices
    candidates: pd.DataFrame
    fit: JointFit
    engagement: dict
    params: Parameters
    elasticities: pd.DataFrame = field(repr=False)

    @property
    def slopes(self) -> pd.Series:
        return self.params.slopes

    @property
    def cov(self) -> pd.DataFrame:
        return self.params.cov

    @property
    def df(self) -> float:
        """The joint fit's degrees of freedom (n - p)."""
        return self.fit.df

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
    params, info = parameters(fit, choices)
    return Synthesis(choices, rows, fit, info, params, implied(params))


def pair_returns(synthesis: Synthesis) -> pd.DataFrame:
    """The elasticity of return per dollar between the tiers of each of PAIRS, 1 + e(engagement, the pair's) +
    e(conversion) - e(price), in the synthesis's form (constant form: the same for every pair). Tidy: term (tier_a
    vs tier_b), tier_a, tier_b, engagement_rate, estimate, std_error, df, ci_low, ci_high, p_value."""
    rows = []
    for pair, name in zip(PAIRS, PAIR_NAMES):
        r = combination(synthesis.params, _return_weights(name), 1.0)
        rows.append(
            {
                "term": f"{pair[0]} vs {pair[1]}",
                "tier_a": pair[0],
                "tier_b": pair[1],
                "engagement_rate": float(synthesis.slopes[name]),
                **r,
            }
        )
    return pd.DataFrame(rows)


def headline(synthesis: Synthesis) -> pd.Series:
    """The answer of a specification: the elasticity of return per dollar between micro and mega (HEADLINE_PAIR) in
    tier-pair form, the constant elasticity in constant form (which assumes they are the same). estimate, std_error,
    df, ci_low, ci_high, p_value."""
    if synthesis.choices.form == "constant":
        return pd.Series(combination(synthesis.params, _return_weights(), 1.0))
    return pd.Series(combination(synthesis.params, _return_weights(pair_name(HEADLINE_PAIR)), 1.0))


def breakeven_price(synthesis: Synthesis) -> pd.DataFrame:
    """The break-even price elasticity: the price elasticity at which return per dollar is flat in size, given the
    other slopes, 1 + e(engagement) + e(conversion) (the revenue elasticity). A price that rises faster with
    followers than this makes smaller pay; slower, bigger. Per tier pair in tier-pair form (each adjacent pair and
    micro vs mega), and for the constant slope; its interval from the other slopes' uncertainty (Welch-Satterthwaite
    df), p_value against 1 (the rate cards' elasticity). Tidy: term, tier_a, tier_b, estimate, std_error, df, ci_low,
    ci_high, p_value."""
    rows = []
    for pair, name in [(("", ""), "engagement_rate"), *zip(PAIRS, PAIR_NAMES)]:
        r = combination(synthesis.params, {name: 1.0, "conversion_rate": 1.0}, 1.0)
        se = r["std_error"]
        r["p_value"] = 2 * stats.t.sf(abs(r["estimate"] - 1) / se, r["df"]) if se > 0 else np.nan
        term = "one slope for all sizes" if name == "engagement_rate" else f"{pair[0]} vs {pair[1]}"
        rows.append({"term": term, "tier_a": pair[0] or None, "tier_b": pair[1] or None, **r})
    return pd.DataFrame(rows)


def price_evidence(synthesis: Synthesis, ledger: dict | None = None) -> pd.DataFrame:
    """The evidence on the price elasticity, side by side with where it comes from: the rate card's own points
    alone, the benchmark price points with and without the rate cards (the joint fit), and the real asking prices
    (quote_slope). Tidy: evidence, estimate, std_error, df, ci_low, ci_high, points."""
    ledger = load_ledger() if ledger is None else ledger
    rows = []
    for label, price in (
        ("benchmark price points without rate cards", "no_rate_cards"),
        ("benchmark price points with rate cards", "rate_cards"),
    ):
        spec = (
            synthesis
            if synthesis.choices.price == price
            else synthesise(ledger, replace(synthesis.choices, price=price))
        )
        r = combination(spec.params, {"price_per_post": 1.0})
        rows.append({"evidence": label, **r, "points": spec.fit.counts["price_per_post"]})
    cards = synthesis.candidates
    cards = cards[
        cards["source_id"].isin(RATE_CARD_SOURCES)
        & cards["metric"].eq("price_per_post")
        & cards["log_followers"].notna()
    ]
    result = sm.OLS(
        np.log10(cards["value"].to_numpy(float)), sm.add_constant(cards["log_followers"].to_numpy(float))
    ).fit()
    df = len(cards) - 2
    q = stats.t.ppf(1 - ALPHA / 2, df)
    est, se = float(result.params[1]), float(result.bse[1])
    rows.append(
        {
            "evidence": "the rate card's tiers alone",
            "estimate": est,
            "std_error": se,
            "df": df,
            "ci_low": est - q * se,
            "ci_high": est + q * se,
            "p_value": float(result.pvalues[1]),
            "points": len(cards),
        }
    )
    quotes = quote_slope()
    rows.append(
        {
            "evidence": "real asking prices (Xiaohongshu, nano)",
            **{k: quotes[k] for k in ("estimate", "std_error", "df", "ci_low", "ci_high", "p_value")},
            "points": int(quotes["n"]),
        }
    )
    return pd.DataFrame(rows)


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
    treated, on the main specification's points with the benchmark engagement slope in constant form: the old way
    (three separate fits, heteroskedasticity-robust errors, normal intervals, independence), the stacked fit with
    errors clustered by source, and the mixed model (the main one). Tidy: method, estimate, ci_low, ci_high, df."""
    data = synthesis.candidates
    data = data[data["used"] & data["metric"].isin(METRICS)].reset_index(drop=True)
    design, names = _design(data)
    y = data["log_value"].to_numpy(float)
    hc3 = sm.OLS(y, design).fit(cov_type="HC3")
    clustered = sm.OLS(y, design).fit(cov_type="cluster", cov_kwds={"groups": pd.factorize(data["source_id"])[0]})
    idx = [names.index(f"{m}:slope") for m in METRICS]
    bench = replace(synthesis.choices, engagement="benchmarks", form="constant")
    fits = []
    for label, result, df, independent in (
        ("separate fits, robust (HC3) errors, normal intervals (the earlier method)", hc3, np.inf, True),
        ("stacked, errors clustered by source, t intervals", clustered, synthesis.fit.n_sources - 1, False),
    ):
        cov = np.asarray(result.cov_params())[np.ix_(idx, idx)]
        cov = np.diag(np.diag(cov)) if independent else cov
        slopes = pd.Series(np.asarray(result.params)[idx], index=list(METRICS))
        cov_frame = pd.DataFrame(cov, index=list(METRICS), columns=list(METRICS))
        fits.append((label, replace(synthesis.fit, slopes=slopes, cov=cov_frame, df=df)))
    fits.append(("stacked mixed model, random intercepts per source (the book's)", synthesis.fit))
    rows = []
    for label, fit in fits:
        row = implied(parameters(fit, bench)[0]).set_index("elasticity").loc["return_per_dollar"]
        rows.append(
            {
                "method": label,
                "estimate": row["estimate"],
                "ci_low": row["ci_low"],
                "ci_high": row["ci_high"],
                "df": row["df"],
            }
        )
    return pd.DataFrame(rows)


# ---- The specification curve


def specification_curve(ledger: dict | None = None, options: dict | None = None) -> pd.DataFrame:
    """The answer (headline: return per dollar between micro and mega in tier-pair form, the constant elasticity in
    constant form) under every combination of the analyst's choices (OPTIONS, or a subset given as options; the
    tier-pair form only with the engagement choices that read the real posts' log model), all under the one
    inference rule, sorted by estimate. Tidy: rank, one column per choice, estimate, std_error, df, ci_low,
    ci_high, revenue_slope (the pooled revenue elasticity, 1 + engagement + conversion), points per metric, main
    (True for the book's main specification)."""
    if ledger is None:
        ledger = load_ledger()
    audit_result = run_audit(ledger["claims"])
    options = {**OPTIONS, **(options or {})}
    # the choices that move points; the rest change the fit or what follows it
    point_names = ["copies", "open_values", "placement", "open_ranges", "audit"]
    # a price source reads the benchmark points with or without the rate cards (the real quotes: without)
    price_points = {p: ("rate_cards" if p == "rate_cards" else "no_rate_cards") for p in options["price"]}
    rows = []
    for values in itertools.product(*(options[n] for n in point_names)):
        base = Choices(**dict(zip(point_names, values)))
        for points_rule in dict.fromkeys(price_points.values()):
            cand = candidates(ledger, METRICS, replace(base, price=points_rule), audit_result)
            used = cand[cand["used"]]
            for weights in options["weights"]:
                fit = fit_joint(used, weights)
                for price, engagement_choice, form, conversion in itertools.product(
                    [p for p, rule in price_points.items() if rule == points_rule],
                    options["engagement"],
                    options["form"],
                    options["conversion"],
                ):
                    if form == "tier_pair" and engagement_choice not in PAIR_ENGAGEMENT:
                        continue
                    choices = replace(
                        base,
                        weights=weights,
                        engagement=engagement_choice,
                        form=form,
                        price=price,
                        conversion=conversion,
                    )
                    params, info = parameters(fit, choices)
                    spec = Synthesis(choices, cand, fit, info, params, pd.DataFrame())
                    row = headline(spec)
                    rows.append(
                        {
                            **asdict(choices),
                            **{k: row[k] for k in ("estimate", "std_error", "df", "ci_low", "ci_high")},
                            # the pooled revenue elasticity (implied's "revenue"): less a decision's price
                            # elasticity, where this specification sits on the decisions' axis (flip_sentence)
                            "revenue_slope": 1.0 + params.slopes["engagement_rate"] + params.slopes["conversion_rate"],
                            **{f"n_{m}": fit.counts[m] for m in METRICS},
                            "main": choices == MAIN,
                        }
                    )
    # sorted to the two decimals the book shows: thousands of specifications come from fits that differ between CPUs
    # in the seventh decimal, and near-ties that close would otherwise swap places from one machine to the next
    table = sorted_by_estimate(pd.DataFrame(rows), decimals=CURVE_DECIMALS)
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


def sign_changes(curve: pd.DataFrame, threshold: float = 0.0) -> pd.DataFrame:
    """Which choices move the answer across zero (or across `threshold`, e.g. a decision's flip point): for each
    option of each choice other than the main one, the specification that changes only that choice from the main
    specification (where the curve has it; the tier-pair form's partner of a constant-only engagement choice is its
    constant form), its estimate and interval, whether its estimate lies on the other side of the threshold from the
    main one (crosses_zero), and the share of the whole curve under that option whose estimate is below the
    threshold. Tidy: choice, option, estimate, ci_low, ci_high, crosses_zero, share_negative."""
    main = curve[curve["main"]].iloc[0]
    choices = list(OPTIONS)
    rows = []
    for choice in choices:
        for option in OPTIONS[choice]:
            if option == main[choice] or option not in set(curve[choice]):
                continue
            target = {c: main[c] for c in choices} | {choice: option}
            if choice == "engagement" and option not in PAIR_ENGAGEMENT:
                target["form"] = "constant"
            hit = curve[np.logical_and.reduce([curve[c] == v for c, v in target.items()])]
            if hit.empty:
                continue
            row = hit.iloc[0]
            rows.append(
                {
                    "choice": choice,
                    "option": option,
                    "estimate": float(row["estimate"]),
                    "ci_low": float(row["ci_low"]),
                    "ci_high": float(row["ci_high"]),
                    "crosses_zero": bool(np.sign(row["estimate"] - threshold) != np.sign(main["estimate"] - threshold)),
                    "share_negative": float((curve.loc[curve[choice] == option, "estimate"] < threshold).mean()),
                }
            )
    return pd.DataFrame(rows)


def _slope(x: float) -> str:
    """An estimate of the curve in a sentence: two decimals, three where two would read as -0.00 or 0.00."""
    return f"{x:.2f}" if abs(x) >= 0.005 else f"{x:.3f}"


def on_decision_axis(curve: pd.DataFrame, price_elasticity: float) -> pd.DataFrame:
    """The curve where a decision reads it: each specification's pooled revenue elasticity less the decision's price
    elasticity (an axis of the decision, not the measured price slope the curve's estimates carry), as `estimate`,
    as worlds.return_interval reads the main one. Only the estimate moves; the interval columns are emptied."""
    return curve.assign(estimate=curve["revenue_slope"] - price_elasticity, ci_low=np.nan, ci_high=np.nan)


def flip_sentence(curve: pd.DataFrame, flips: dict[float, float], price_elasticity: float) -> str:
    """Which single changes of choice from the main specification move it across a decision's flip point (`flips`:
    budget -> the elasticity of return per dollar where the best strategy at that budget changes nearest the main
    specification, allocate.best_regions), in words; or that none does. Read on the decisions' axis
    (on_decision_axis at `price_elasticity`), where the flip points are, and said so. Three decimals: a flip and an
    estimate beside it can agree to two."""
    curve = on_decision_axis(curve, price_elasticity)
    main = float(curve.loc[curve["main"], "estimate"].iloc[0])
    parts = []
    for budget, point in flips.items():
        changes = sign_changes(curve, point)
        crossing = changes[changes["crosses_zero"]]
        moved = (
            "no single change of choice moves it across"
            if crossing.empty
            else "changing "
            + "; ".join(
                f"{r.choice.replace('_', ' ')} to {r.option.replace('_', ' ')} ({r.estimate:.3f})"
                for r in crossing.itertuples()
            )
            + " moves it across"
        )
        side = "below" if main < point else "above"
        parts.append(
            f"at {fmt_money(budget)} the best strategy changes at {point:.3f} (the main specification is {side}): "
            f"{moved}"
        )
    return (
        "Against the flip points of the simulated decisions: those take the price elasticity as an input "
        f"({price_elasticity:g}), not the measured slope, so each specification is read there as its pooled revenue "
        "elasticity less that price elasticity, which the price choice does not move "
        f"({main:.3f} for the main specification; the estimates above carry the measured price slope). "
        + (body[:1].upper() + body[1:] if (body := "; ".join(parts)) else "No budget's best strategy changes")
        + "."
    )


def sign_sentence(changes: pd.DataFrame, main_estimate: float) -> str:
    """sign_changes in words: which single changes from the main specification turn the answer's sign, or that
    none does."""
    side = "below" if main_estimate < 0 else "above"
    crossing = changes[changes["crosses_zero"]]
    if crossing.empty:
        return f"No single change of choice from the main specification moves the estimate from {side} zero."
    said = "; ".join(
        f"{r.choice.replace('_', ' ')} {r.option.replace('_', ' ')} ({_slope(r.estimate)})"
        for r in crossing.itertuples()
    )
    return (
        f"The estimate is {side} zero in the main specification; changing one choice moves it across zero for: {said}."
    )


# ---- Joint draws for everything downstream


def draws(n: int, seed: int = 0, synthesis: Synthesis | None = None) -> pd.DataFrame:
    """n joint draws of the elasticities from the synthesis (the main specification by default), under its one
    inference rule: a multivariate normal with the slopes' covariance, each slope then scaled to a t with its own
    degrees of freedom by one chi-squared quantile per block (the slopes of one fit share their variance estimate);
    revenue, cost and return per dollar computed from them by the identity (constant form), so their quantiles
    come close to the Welch-Satterthwaite intervals. Seeded: the same seed gives the same draws. Tidy: draw, one
    column per elasticity (ELASTICITIES) and the tier pairs' engagement elasticities (PAIR_NAMES)."""
    synthesis = synthesis or synthesise()
    params = synthesis.params
    names = list(params.slopes.index)
    rng = np.random.default_rng(seed)
    normal = rng.multivariate_normal(np.zeros(len(names)), params.cov.to_numpy(float), size=n, method="eigh")
    scale = np.ones((n, len(names)))
    for block in params.blocks.unique():
        u = rng.uniform(size=n)
        for j, name in enumerate(names):
            df = float(params.dfs[name])
            if params.blocks[name] == block and np.isfinite(df):
                scale[:, j] = np.sqrt(df / stats.chi2.ppf(u, df))
    table = pd.DataFrame(params.slopes.to_numpy(float) + normal * scale, columns=names)
    table["revenue"] = 1 + table["engagement_rate"] + table["conversion_rate"]
    table["cost"] = table["price_per_post"]
    table["return_per_dollar"] = table["revenue"] - table["cost"]
    table = table[list(ELASTICITIES) + list(PAIR_NAMES)]
    table.insert(0, "draw", np.arange(n))
    return table


def tier_returns(synthesis: Synthesis, reference: str = "micro") -> pd.DataFrame:
    """What the elasticity of return per dollar means for each canonical tier: return per dollar at the tier's
    geometric midpoint (the open mega tier closed by the open-range rule) relative to the reference tier's, with
    the interval the elasticity's interval gives, (F / F_ref) ** e. In tier-pair form e is the pair's own
    (pair_returns: the tier and the reference), in constant form the one slope. Tidy: tier, midpoint_followers,
    elasticity, relative, ci_low, ci_high."""
    mid = midpoints()
    pairs = pair_returns(synthesis).set_index(["tier_a", "tier_b"])
    rows = []
    for tier, followers in mid.items():
        key = (tier, reference) if (tier, reference) in pairs.index else (reference, tier)
        row = pairs.loc[key] if tier != reference else pd.Series({"estimate": 0.0, "ci_low": 0.0, "ci_high": 0.0})
        ratio = followers / mid[reference]
        ends = sorted([ratio ** row["ci_low"], ratio ** row["ci_high"]])
        rows.append(
            {
                "tier": tier,
                "midpoint_followers": followers,
                "elasticity": float(row["estimate"]),
                "relative": ratio ** row["estimate"],
                "ci_low": ends[0],
                "ci_high": ends[1],
            }
        )
    return pd.DataFrame(rows)


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
    "fixed_effect": "benchmarks and real posts pooled (inverse variance)",
    "random_effects": "benchmarks and real posts pooled (DerSimonian-Laird)",
    "real_first": "real posts",
    "benchmarks": "benchmarks",
    "real_ppml": "real posts (Poisson)",
}

PRICE_EVIDENCE = {
    "no_rate_cards": "ledger price points, rate cards left out",
    "rate_cards": "ledger price points with the rate cards",
    "real_quotes": "real asking prices (Xiaohongshu, nano)",
}
CONVERSION_EVIDENCE = {"blogs": "ledger claims (blogs)", "zero": "none: set to zero"}


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
        (
            "conversion_rate",
            CONVERSION_EVIDENCE[synthesis.choices.conversion] + " (used)",
            fit.counts["conversion_rate"],
            sources("conversion_rate"),
        ),
        (
            "price_per_post",
            PRICE_EVIDENCE[synthesis.choices.price] + " (used)",
            fit.counts["price_per_post"],
            sources("price_per_post"),
        ),
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


# ---- Cross-checks

REVENUE_CLAIMS = ("L08", "L09")  # Beichert et al.'s revenue per follower, nano and macro


def revenue_check(synthesis: Synthesis, ledger: dict | None = None) -> pd.DataFrame:
    """Beichert et al.'s revenue per follower by tier (REVENUE_CLAIMS, placed by the synthesis's rules) as a check
    on the revenue elasticity 1 + e(engagement) + e(conversion): their two tiers give revenue per follower's
    elasticity between the two points, and 1 plus it is the revenue elasticity they imply (two points: no interval).
    Beside it the synthesis's revenue elasticity, one slope and per tier pair. Tidy: evidence, estimate, ci_low,
    ci_high, followers_low, followers_high."""
    ledger = load_ledger() if ledger is None else ledger
    rows = candidates(ledger, ("revenue_per_follower",), synthesis.choices).set_index("claim_id")
    low, high = (rows.loc[c] for c in REVENUE_CLAIMS)
    slope = float(np.log(high["value"] / low["value"]) / np.log(high["followers"] / low["followers"]))
    out = [
        {
            "evidence": f"Beichert et al.'s revenue per follower, {low['tier']} vs {high['tier']} "
            f"({', '.join(REVENUE_CLAIMS)})",
            "estimate": 1 + slope,
            "ci_low": np.nan,
            "ci_high": np.nan,
            "followers_low": float(low["followers"]),
            "followers_high": float(high["followers"]),
        }
    ]
    mid = midpoints(ledger)
    for pair, name in [(None, "engagement_rate"), *zip(PAIRS, PAIR_NAMES)]:
        r = combination(synthesis.params, {name: 1.0, "conversion_rate": 1.0}, 1.0)
        label = "the synthesis, one slope" if pair is None else f"the synthesis, {pair[0]} vs {pair[1]}"
        out.append(
            {
                "evidence": label,
                "estimate": r["estimate"],
                "ci_low": r["ci_low"],
                "ci_high": r["ci_high"],
                "followers_low": np.nan if pair is None else float(mid[pair[0]]),
                "followers_high": np.nan if pair is None else float(mid[pair[1]]),
            }
        )
    return pd.DataFrame(out)


def breakeven_sentence(breakeven: pd.Series, evidence: pd.DataFrame) -> str:
    """Where each piece of price evidence lies against a break-even price elasticity (a row of breakeven_price):
    above its interval, smaller pays on that evidence; below, bigger pays; overlapping, the evidence cannot say.
    `evidence` is a table with evidence, estimate, ci_low, ci_high (price_evidence's rows)."""
    lo, hi = breakeven["ci_low"], breakeven["ci_high"]
    words = []
    for r in evidence.itertuples():
        if r.estimate > hi:
            side = "above the break-even: on it smaller pays"
        elif r.estimate < lo:
            side = "below the break-even: on it bigger pays"
        else:
            side = "inside the break-even's interval: on it neither clearly pays more"
        spans = r.ci_low < lo and r.ci_high > hi
        words.append(
            f"{r.evidence} ({r.estimate:.2f}) lies {side}"
            + (", though its own interval spans the break-even" if spans else "")
        )
    return "; ".join(words)[:1].upper() + "; ".join(words)[1:] + "."
