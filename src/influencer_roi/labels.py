"""What a reader reads in place of a code: the one mapping from the package's column and row codes (metrics,
models, terms, tidy columns, simulation parameters) to human labels, used by the book's tables
(influencer_roi.tables) and by the command's report.html (influencer_roi.report) alike. Data files, CSV and JSON
keep the codes; only what is displayed is labelled.

    >>> label("engagement_rate"), label("nano_vs_macro"), label("gamma_glm"), label("log_followers_q90")
    ('engagement rate', 'nano vs macro', 'Gamma GLM', 'log followers (90th percentile)')

A code with no entry is still made readable (underscores to spaces, "_vs_" to " vs "), so a new model never shows a
raw code; tests/test_tables.py checks that every code the package produces has an entry of its own.
"""

from __future__ import annotations

import re

# Metrics of the evidence ledger (data/evidence/metrics.csv: the descriptions there say what each one counts).
METRICS = {
    "tier_bounds": "tier bounds",
    "engagement_rate": "engagement rate",
    "conversion_rate": "conversion rate",
    "roas": "return per dollar (ROAS)",
    "roi": "ROI (net)",
    "cost_per_engagement": "cost per engagement",
    "cost_per_acquisition_ratio": "cost per acquisition, ratio",
    "price_per_post": "price per post",
    "price_per_follower": "price per follower",
    "revenue": "revenue",
    "revenue_per_follower": "revenue per follower",
    "revenue_per_reach": "revenue per person reached",
    "brand_value": "brand value",
    "reach_per_post": "reach per post",
    "engagements": "engagements",
    "impressions": "impressions",
    "site_visits": "site visits",
    "followers": "followers",
    "share_of_sales": "share of sales",
    "share_of_endorsers": "share of endorsers",
    "survey_share": "share of those surveyed",
    "sample_size": "sample size",
    "n_creators": "number of creators",
    "budget_share": "share of budget",
    "engagement_rate_ratio": "engagement rate, ratio",
    "conversion_rate_ratio": "conversion rate, ratio",
    "cost_per_engagement_ratio": "cost per engagement, ratio",
    "roas_ratio": "return per dollar, ratio",
    "roi_ratio": "ROI, ratio",
    "revenue_ratio": "revenue, ratio",
    "cost_ratio": "cost, ratio",
    "follower_ratio": "followers, ratio",
    "revenue_per_follower_ratio": "revenue per follower, ratio",
    "revenue_elasticity": "revenue elasticity",
    "cost_elasticity": "cost elasticity",
    "price_elasticity": "price elasticity",
    "roas_elasticity": "return-per-dollar elasticity",
    "engagement_rate_elasticity": "engagement-rate elasticity",
    "impressions_elasticity": "impressions elasticity",
    "engagement_spend_elasticity": "engagement-per-spend elasticity",
    "turning_point_followers": "followers at the turning point",
    "cost_per_like_minimum_at": "followers where cost per like is lowest",
    "live_viewer_elasticity": "live-viewer elasticity",
    "share_profitable": "share of campaigns that profit",
}

# Models and estimators (influencer_roi.models.REGISTRY, engagement, robustness).
MODELS = {
    "ols_log_roas": "OLS on log return per dollar (HC3)",
    "ols_log": "OLS on logs",
    "ols_levels": "OLS on levels",
    "ols_clustered": "OLS, clustered by account",
    "decomposition": "revenue and cost decomposition",
    "tier_contrasts": "tier contrasts",
    "curvature": "curvature",
    "quantile": "quantile regression",
    "median": "median regression",
    "mixed_brand": "mixed model (brand)",
    "gamma_glm": "Gamma GLM",
    "huber": "Huber",
    "ppml": "PPML",
    "ppml_tier_contrasts": "PPML tier contrasts",
    "ppml_equal_weights": "PPML, accounts weighted equally",
    "tier_median": "tier median",
    "engagement_peak": "engagement peak",
    "fixed_effects": "account fixed effects",
    "sponsored_penalty": "sponsored-post penalty",
    "slope_spline": "slope by tier (spline)",
    "pair_elasticity": "elasticity between adjacent tiers",
    "tier_fit": "fit within a tier",
    "sponsored_by_tier": "sponsored posts by tier",
    "equal_slopes": "one slope for every tier (test)",
    "sponsored_interaction": "sponsored penalty alike in every tier (test)",
}

# Terms of the tidy model tables.
TERMS = {
    "Intercept": "intercept",
    "Intercept_centred": "intercept (centred)",
    "brand_variance": "brand variance",
    "roi_elasticity": "return-per-dollar elasticity",
    "log_followers": "log followers",
    "linear": "linear",
    "quadratic": "quadratic",
    "spline_vs_linear": "spline vs linear (test)",
    "vertex_followers": "followers at the peak",
    "kinks": "kinks",
}

# Columns of the tidy tables (term, estimate, interval, p-value) and of the command's tables.
COLUMNS = {
    "model": "model",
    "term": "term",
    "estimate": "estimate",
    "std_error": "standard error",
    "ci_low": "95% CI from",
    "ci_high": "95% CI to",
    "p_value": "p",
    "p_adjusted": "p (Holm)",
    "ratio": "ratio",
    "ratio_ci_low": "ratio, 95% CI from",
    "ratio_ci_high": "ratio, 95% CI to",
    "converged": "converged",
    "note": "note",
    "df": "degrees of freedom",
    "statistic": "statistic",
    "n_obs": "observations",
    "accounts": "accounts",
    "posts": "posts",
}

# The simulation's parameters (influencer_roi.simulate.Params).
PARAMETERS = {
    "follower_decay": "decay of the follower distribution",
    "followers_min": "fewest followers",
    "followers_max": "most followers",
    "reference_followers": "reference account size (followers)",
    "platform_shares": "share of campaigns per platform",
    "er_ref": "engagement rate at the reference size",
    "e_er": "elasticity of engagement rate",
    "platform_er": "engagement rate multiplier per platform",
    "sd_er": "spread of engagement rate (SD of log)",
    "cr_ref": "conversion rate at the reference size",
    "e_cr": "elasticity of conversion rate",
    "sd_cr": "spread of conversion rate (SD of log)",
    "sd_niche": "spread of niche effects (SD of log)",
    "order_value": "order value",
    "price_ref": "price per post at the reference size",
    "e_price": "elasticity of price",
    "sd_price": "spread of price (SD of log)",
    "n_brands": "number of brands",
    "sd_brand": "spread of brand effects (SD of log)",
    "fake_share": "share of fake followers",
    "fake_share_slope": "rise of the fake share per decade",
    "fake_share_max": "largest fake share",
    "roas_ref": "return per dollar at the reference size",
}

# Units of the ledger's stated values (data/evidence/claims.csv, unit).
UNITS = {
    "usd": "USD",
    "eur": "EUR",
    "usd_per_usd": "USD per USD",
    "percent_lower": "percent lower",
    "percent_higher": "percent higher",
    "times_lower": "times lower",
}

LABELS: dict[str, str] = {**METRICS, **MODELS, **TERMS, **COLUMNS, **PARAMETERS, **UNITS}

CODE = re.compile(r"^[A-Za-z][A-Za-z0-9]*(_[A-Za-z0-9]+)+$|^[a-z]+$")
_QUANTILE = re.compile(r"^(?P<base>.+)_q(?P<q>\d{1,2})$")


def label(code: str) -> str:
    """The label a reader sees for `code` (the code itself when it is already a plain word with no entry)."""
    if code in LABELS:
        return LABELS[code]
    quantile = _QUANTILE.match(code)
    if quantile:
        return f"{label(quantile['base'])} ({quantile['q']}th percentile)"
    if "_vs_" in code:
        return " vs ".join(label(part) for part in code.split("_vs_"))
    return code.replace("_", " ")


def is_code(text: str) -> bool:
    """Is `text` a bare code (snake_case, or a code of the mapping) rather than words?"""
    return text in LABELS or ("_" in text and bool(CODE.match(text)))


# The allocation's strategies (allocate.strategies) in plain words: what a reader who meets the name (in a table,
# the decision explorer) is told it means, and what a sentence says in place of the name.
STRATEGIES = {
    **{f"all {t}": f"spending it all on {t} creators" for t in ("nano", "micro", "macro", "mega")},
    "70/30 micro/mega": "spending 70% on micro and 30% on mega creators",
    "pyramid": (
        "a pyramid by number: many micro, some macro and one or two mega creators (by budget, the few macro and mega "
        "creators can take most of it)"
    ),
    "nano first": "spending on nano creators first, then larger ones",
    "micro first": "spending on micro creators first, then nano ones",
}


def strategy(name: str) -> str:
    """A strategy's name and what it means: 'all micro (spending it all on micro creators)'."""
    return f"{name} ({STRATEGIES[name]})" if name in STRATEGIES else name
