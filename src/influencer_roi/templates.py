"""The command's report pages as Jinja2 templates, with autoescape on: every value put into a page (a platform or
brand name, a column header, a file name, an id, a note) is escaped by default, wherever it lands, without anyone
having to remember to escape it. Used by report (analyze, engagement) and allocation_report (allocate).

Two kinds of pre-rendered HTML are trusted, and only through `figure` and `table` below (the one place that marks
text safe): the SVG figure matplotlib draws, and a table pandas renders with escape=True.

Every page carries a Content-Security-Policy: no script may run, nothing may be fetched; inline styles (the page's
own and the figure's) and data: images (matplotlib writes a colour bar or a dense layer as an embedded PNG) are all
it needs. The pages hold no <script> of their own.
"""

from __future__ import annotations

import pandas as pd
from jinja2 import DictLoader, Environment, StrictUndefined
from markupsafe import Markup

# default-src 'none' forbids everything not named after it: scripts, fetches, frames, fonts, objects, forms' targets.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

STYLE = """*{box-sizing:border-box}
body{font-family:system-ui,sans-serif;max-width:60rem;margin:auto;padding:1rem;line-height:1.45;color:#222}
h1{font-size:1.5rem;margin:.2rem 0 .8rem}h2{font-size:1.15rem;margin-top:1.8rem}
code{overflow-wrap:anywhere}
.answer{font-size:1.1rem;border-left:.3rem solid #0072B2;padding:.2rem .8rem;margin:0 0 1rem}
.warning{border-left:.3rem solid #D55E00;background:#fff4ec;padding:.5rem .8rem}
.scroll{overflow-x:auto;max-width:100%;margin:.5rem 0;
 background:linear-gradient(to right,#fff 30%,rgba(255,255,255,0)),
  linear-gradient(to right,rgba(255,255,255,0),#fff 70%) 100% 0,
  radial-gradient(farthest-side at 0 50%,rgba(0,0,0,.25),rgba(0,0,0,0)),
  radial-gradient(farthest-side at 100% 50%,rgba(0,0,0,.25),rgba(0,0,0,0)) 100% 0;
 background-repeat:no-repeat;background-size:2.5rem 100%,2.5rem 100%,.8rem 100%,.8rem 100%;
 background-attachment:local,local,scroll,scroll}
.hint{display:none;font-size:.8rem;color:#555;margin:.2rem 0}
table{border-collapse:collapse;font-size:.8rem}
td,th{padding:.2rem .5rem;border-bottom:1px solid #ddd;text-align:right;white-space:nowrap}
th:first-child,td:first-child{text-align:left}
figure{margin:1rem 0}svg{max-width:100%;height:auto}
details{margin:1rem 0}summary{cursor:pointer;font-weight:600}
footer{margin-top:2rem;font-size:.8rem;color:#555;overflow-wrap:anywhere}
@media (max-width:40rem){.hint{display:block}body{padding:.6rem}}
@media print{body{max-width:none;padding:0;font-size:10pt}.hint{display:none}.scroll{overflow:visible;background:none}
 td,th{white-space:normal}figure,table{break-inside:avoid}details>summary{list-style:none}
 details::details-content{content-visibility:visible;display:block}a{color:inherit}}"""

# The page every report shares: head (CSP, style), the report's body, the run's facts in the footer. The style is
# template text, not a value: autoescape would turn its `>` into `&gt;`, which CSS does not read.
PAGE = (
    """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{{ csp }}">
<meta name="generator" content="influencer-roi {{ run.version }}">
<title>{{ title }}</title>
<style>{% raw %}"""
    + STYLE
    + """{% endraw %}</style></head><body>
{% block body %}{% endblock %}<footer>Made by influencer-roi {{ run.version }} on {{ when }}
{%- if run.get("input") %} from <code>{{ run.input }}</code> (SHA-256 {#
#}<code>{{ run.input_sha256 }}</code>){% endif %}.</footer>
</body></html>
"""
)

# Template text is broken across lines with an empty comment spanning the line break: `{#` at a line's end, `#}` at
# the next one's start, so that the page's text is one line where the old page had it on one.

# Pieces the reports share: a wide table in its own sideways-scrolling box (with a written cue on narrow screens),
# a folded section, the warnings about the data, a list.
PARTS = """{% macro scrolling(table, label) -%}
<p class="hint" aria-hidden="true">Wide table: scroll it sideways →</p>{#
#}<div class="scroll" role="region" aria-label="{{ label }}" tabindex="0">{{ table }}</div>
{%- endmacro %}
{% macro folded(title, content) -%}
<details><summary>{{ title }}</summary>{{ content }}</details>
{%- endmacro %}
{% macro warnings(lines) -%}
{% for line in lines %}<p class="warning"><strong>Warning.</strong> {{ line }}</p>{% endfor %}
{%- endmacro %}
{% macro items(lines) -%}
{% for line in lines %}<li>{{ line }}</li>{% endfor %}
{%- endmacro %}"""

ANALYZE = """{% extends "page.html" %}{% from "parts.html" import scrolling, folded, warnings, items %}
{%- block body %}<h1>Does smaller pay? Return per dollar and
follower count</h1>
<p class="answer">{{ answer }}</p>
{{ warnings(data_warnings) }}
<figure role="img" aria-label="Return per dollar, revenue and cost of each campaign with revenue against follower
count on log scales, with the log model's fitted lines and 95% bands.">{#
#}{{ svg }}<figcaption>Each campaign with revenue (log scales have no place for a zero), with the log model's
fitted lines and their 95% confidence bands. Shaded bands: the canonical tiers.</figcaption></figure>
<h2>What the numbers say</h2>
<p>Input: <code>{{ record.input }}</code>, {{ record.n_campaigns|fmt(",") }} campaigns, {#
#}{{ record.zero_revenue.campaigns|fmt(",") }} of them with zero revenue
({{ record.zero_revenue.share|fmt(".1%") }})
{%- if record.dropped_duplicates %}; {{ record.dropped_duplicates|fmt(",") }} rows that repeated a campaign {#
#}exactly dropped{% endif %}.</p>
{% if about %}<ul>{{ items(about) }}</ul>{% endif %}
<p>Main estimate: {{ record.main_model.estimator }}</p>
<p>Elasticity of return per dollar with respect to followers: {{ roi.estimate|fmt(".3f") }} ({{ ci }} {#
#}{{ roi.ci_low|fmt(".3f") }} to
{{ roi.ci_high|fmt(".3f") }}), every campaign included. Up to sampling error it is the revenue elasticity
({{ record.elasticity.revenue.estimate|fmt(".3f") }}) minus the cost elasticity
({{ record.elasticity.cost.estimate|fmt(".3f") }}): a steep cost line with a flat revenue line is a statement about
prices, not about what small creators sell. These campaigns were chosen, not randomised, so the numbers describe
them; they do not say what moving budget would do.</p>
<p>The alternative, the {{ record.log_model.label }} ({{ record.log_model.n_campaigns|fmt(",") }} {#
#}campaigns, {{ record.dropped_zero_revenue|fmt(",") }} with zero revenue left out): elasticity
{{ log_roi.estimate|fmt(".3f") }} ({{ ci }} {{ log_roi.ci_low|fmt(".3f") }} to {{ log_roi.ci_high|fmt(".3f") }}),
the revenue elasticity ({{ record.log_model.elasticity.revenue.estimate|fmt(".3f") }}) minus the cost elasticity
({{ record.log_model.elasticity.cost.estimate|fmt(".3f") }}) exactly; its tier ratios are of geometric-mean return
per dollar. When the log model is right and no campaign sold nothing, the two estimate the same elasticity, each
with its own sampling error; a gap far beyond that says the zeros, or the log model's shape, matter.</p>
{% if record.subsampled %}<p>The {{ record.subsampled|join(", ") }} models were fitted on a seeded random subsample of
{{ record.subsampled.values()|first|fmt(",") }} campaigns; the others on all of them.</p>{% endif %}
{% if notes %}<p>Notes on the models:</p><ul>{{ items(notes) }}</ul>{% endif %}
{{ folded("Every model's estimates", scrolling(table, "every model's estimates")) }}
{% endblock %}"""

ENGAGEMENT = """{% extends "page.html" %}{% from "parts.html" import scrolling, folded, warnings, items %}
{%- block body %}<h1>Does smaller engage more? Engagement rate
and follower count</h1>
<p class="answer">{{ answer }}</p>
{{ warnings(data_warnings) }}
<figure role="img" aria-label="Engagement rate of each post against follower count on log scales, with the fitted
line, its 95% band, and each tier's median account.">{#
#}{{ svg }}<figcaption>Each post, the fitted log-log line with its 95%
band, and the median account of each tier with a 95% interval. Shaded bands: the canonical tiers.</figcaption></figure>
<h2>What the numbers say</h2>
<p>Input: <code>{{ record.input }}</code>, {{ record.n_posts|fmt(",") }} posts by {{ record.n_accounts|fmt(",") }} {#
#}accounts
({{ record.dropped_zero_engagement|fmt(",") }} posts with no engagement left out of the log model
{%- if record.dropped_duplicates %}, {{ record.dropped_duplicates|fmt(",") }} rows that repeated a post exactly {#
#}dropped{% endif %}).</p>
{% if about %}<ul>{{ items(about) }}</ul>{% endif %}
<p>Elasticity of engagement rate with respect to followers: {{ er.estimate|fmt(".3f") }} ({{ ci }} {#
#}{{ er.ci_low|fmt(".3f") }} to
{{ er.ci_high|fmt(".3f") }}, errors clustered by account).
{%- if record.platform_levels|length > 1 %} Platform levels ({{ record.platform_levels|join(", ") }}) are {#
#}controlled for.{% endif %} Curvature: {{ curve }}.</p>
<h2>The slope in each tier</h2>
<p>{{ record.slope_shape }}</p>
{% if record.elasticity_by_tier %}<ul>{% for t in record.elasticity_by_tier %}<li>{{ t.tier }}: {#
#}{{ t.estimate|fmt(".3f") }} ({{ ci }} {{ t.ci_low|fmt(".3f") }} to {{ t.ci_high|fmt(".3f") }}), {#
#}{{ t.posts|fmt(",") }} posts by {{ t.accounts|fmt(",") }} accounts</li>{% endfor %}</ul>{% endif %}
<p>A continuous piecewise-linear spline in log followers with knots at the tier bounds (10k, 100k, 1M), errors
clustered by account; a tier with fewer than 20 accounts shares its neighbour's slope and is not listed. The shape is
a fact about the posts in this file, one platform and one period: it need not hold elsewhere.</p>
{% if record.get("sponsored_by_tier") %}<h2>Sponsored against the same accounts' organic posts</h2>
<ul>{% for s in record.sponsored_by_tier %}<li>{{ s.tier }}{% if s.date_trend %}, with a trend in post date{#
#}{% else %}, without a date trend{% endif %}: {{ s.ratio|fmt(".3f") }} times the organic rate ({{ ci }} {#
#}{{ s.ratio_ci_low|fmt(".3f") }} to {{ s.ratio_ci_high|fmt(".3f") }}; {{ s.accounts|fmt(",") }} accounts with both {#
#}kinds of post; {{ s.inference }})</li>{% endfor %}</ul>
{% if record.get("sponsored_interaction_test") %}<p>Does the difference depend on the tier? Joint Wald test of the tier
interaction: chi-squared {{ record.sponsored_interaction_test.statistic|fmt(".2f") }} on {#
#}{{ record.sponsored_interaction_test.df }} df, p = {{ record.sponsored_interaction_test.p_value|fmt(".2g") }}
{%- if record.sponsored_interaction_test.bootstrap_p_value is not none %} (wild cluster bootstrap p = {#
#}{{ record.sponsored_interaction_test.bootstrap_p_value|fmt(".2g") }}){% endif %}.</p>{% endif %}{% endif %}
{% if notes %}<p>Notes on the models:</p><ul>{{ items(notes) }}</ul>{% endif %}
{{ folded("Every estimate", scrolling(table, "every model's estimates")) }}
{% endblock %}"""

ALLOCATE = """{% extends "page.html" %}{% from "parts.html" import scrolling %}
{%- block body %}<h1>Spending {{ budget }} across influencer tiers</h1>
<p class="answer">{{ answer }}</p>
<p><strong>Simulated.</strong> {{ record.draws|fmt(",") }} Monte Carlo draws per strategy from {{ record.basis }},
with a finite supply of creators per tier, audience saturation within the niche and a management cost of
{{ management_cost }} per creator. Loss: revenue below {{ record.breakeven|fmt("g") }}
times spend.</p>
<figure role="img" aria-label="Revenue per dollar of each strategy: expected value and 5th to 95th percentile.">{#
#}{{ svg }}
<figcaption>Revenue per dollar spent under each strategy: the dot is the expected value, the bar the 5th to 95th
percentile of the draws.</figcaption></figure>
<h2>Every strategy</h2>{{ scrolling(table, "every strategy") }}
{% endblock %}"""

_ENVIRONMENT = Environment(
    loader=DictLoader(
        {
            "page.html": PAGE,
            "parts.html": PARTS,
            "analyze.html": ANALYZE,
            "engagement.html": ENGAGEMENT,
            "allocate.html": ALLOCATE,
        }
    ),
    autoescape=True,
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)
_ENVIRONMENT.filters["fmt"] = format  # {{ n|fmt(",") }} is format(n, ","): 12345 -> 12,345


def render(name: str, title: str, run: dict, **context) -> str:
    """The page `name` (analyze.html, engagement.html, allocate.html) with its values escaped; `run` the run's
    facts for the footer (date, version, input and its SHA-256)."""
    when = run["date"].replace("T", " ").replace("Z", " UTC")
    return _ENVIRONMENT.get_template(name).render(title=title, run=run, when=when, csp=CSP, **context)


# ---- The only pre-rendered HTML a page takes as it is


def figure(svg: str) -> Markup:
    """The SVG that matplotlib drew for the report (report.svg_file): trusted, because its SVG backend escapes every
    text it writes (labels, legends, titles: `<` becomes `&lt;`, also in the comments it adds), so a name from the
    user's file drawn in the figure arrives as text, never as markup (tests/test_injection.py checks it)."""
    return _trusted(svg)


def table(frame: pd.DataFrame, **options) -> Markup:
    """`frame` as an HTML table (pandas' to_html, no border): trusted, because escape=True is forced here, so that
    every header, index and cell is escaped by pandas itself."""
    return _trusted(frame.to_html(**{"border": 0, **options, "escape": True}))


def _trusted(text: str) -> Markup:
    # Safe: called only by figure() and table() above, on HTML whose every text was escaped by the library that
    # wrote it (matplotlib's SVG backend; pandas' to_html with escape=True). Nothing else is ever marked safe.
    return Markup(text)
