"""The book's figures: the house style (style) and the charts, one module per part of the book.

    style      set_style, the palette and tier colours, the follower axis, the tier bands
    evidence   tier schemes, claims, the audit, the joint fit, the specification curve
    posts      engagement of real and a reader's own posts
    model      regressions, diagnostics, coverage, robustness
    decisions  strategies, worlds, flips, management cost, the frontier
    digest     what a figure draws, as a digest strict nbval compares in place of its SVG bytes

Every chart is importable from here: plots.scheme_chart(...); so are the alt texts written from a chart's values
(ALT_TEXTS: plots.audit_alt(...)), which a chapter glues as "<figure name>-alt" (tests/test_alt_text.py).
"""

from ..formats import format_followers
from .decisions import (
    STRATEGY_COLOURS,
    decision_alt,
    decision_chart,
    flip_alt,
    flip_chart,
    frontier_chart,
    management_chart,
    strategies_chart,
    tornado_chart,
)
from .evidence import (
    TIER_PANELS,
    audit_alt,
    audit_chart,
    claims_by_tier_chart,
    evidence_chart,
    metaregression_chart,
    scheme_alt,
    scheme_chart,
    specification_curve_chart,
    tier_ranges_chart,
)
from .model import boundary_heatmap, coverage_chart, diagnostics_chart, estimates_chart, power_chart, roi_fit_chart
from .posts import (
    engagement_chart,
    engagement_density_alt,
    engagement_density_chart,
    sponsored_alt,
    sponsored_chart,
    tier_slope_alt,
    tier_slope_chart,
)
from .style import (
    FOLLOWER_LIMITS,
    GRADE_COLOURS,
    LINE_COLOURS,
    OKABE_ITO,
    OTHER_BAND,
    PLATFORM_COLOURS,
    PLATFORM_MARKERS,
    TIER_COLOURS,
    TIER_TEXT_COLOURS,
    VERDICT_COLOURS,
    follower_axis,
    log_axis,
    set_style,
    tier_bands,
)

CHARTS = (
    scheme_chart,
    claims_by_tier_chart,
    audit_chart,
    tier_ranges_chart,
    metaregression_chart,
    evidence_chart,
    specification_curve_chart,
    engagement_density_chart,
    sponsored_chart,
    tier_slope_chart,
    engagement_chart,
    roi_fit_chart,
    diagnostics_chart,
    coverage_chart,
    boundary_heatmap,
    power_chart,
    estimates_chart,
    strategies_chart,
    frontier_chart,
    management_chart,
    decision_chart,
    flip_chart,
    tornado_chart,
)

# Alt texts that state numbers, written from the values a chart draws (tests/test_alt_text.py)
ALT_TEXTS = (scheme_alt, audit_alt, engagement_density_alt, tier_slope_alt, sponsored_alt, decision_alt, flip_alt)

__all__ = [f.__name__ for f in CHARTS + ALT_TEXTS] + [
    "ALT_TEXTS",
    "FOLLOWER_LIMITS",
    "GRADE_COLOURS",
    "LINE_COLOURS",
    "OKABE_ITO",
    "OTHER_BAND",
    "PLATFORM_COLOURS",
    "PLATFORM_MARKERS",
    "STRATEGY_COLOURS",
    "TIER_COLOURS",
    "TIER_PANELS",
    "TIER_TEXT_COLOURS",
    "VERDICT_COLOURS",
    "follower_axis",
    "format_followers",
    "log_axis",
    "set_style",
    "tier_bands",
]
