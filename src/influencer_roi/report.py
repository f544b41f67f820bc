"""What `influencer-roi analyze`, `engagement` and `allocate` write: results.json, the figure as an SVG file, and
one self-contained report.html (figure inline, no network needed to read it). Files are written to a temporary
folder beside the output and moved in at the end, results.json last (publish), so a failure leaves no partial output
behind."""

from __future__ import annotations

import html
import io
import json
import os
import shutil
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from . import engagement, models, plots


def _interval(row: pd.Series) -> dict:
    return {"estimate": float(row["estimate"]), "ci_low": float(row["ci_low"]), "ci_high": float(row["ci_high"]),
            "std_error": float(row["std_error"]), "p_value": float(row["p_value"])}


def results(fits: pd.DataFrame, data: pd.DataFrame, source: str) -> dict:
    """The machine-readable results: elasticities (from the joint decomposition), tier contrasts, every model."""
    decomposition = fits[fits["model"] == "decomposition"].set_index("term")
    contrasts = fits[fits["model"] == "tier_contrasts"]
    by_model = models.roi_elasticities(fits).set_index("model")
    used = min(len(data), models.SUBSAMPLE_ABOVE)
    clean = fits.replace({np.nan: None})
    return {
        "input": source,
        "n_campaigns": int(len(data)),
        "dropped_zero_revenue": int(data.attrs.get("dropped_zero_revenue", 0)),
        "subsampled": ({m: used for m in models.SUBSAMPLED_MODELS} if len(data) > models.SUBSAMPLE_ABOVE else {}),
        "elasticity": {
            "roi": _interval(decomposition.loc["roi_elasticity"]),
            "revenue": _interval(decomposition.loc["revenue_elasticity"]),
            "cost": _interval(decomposition.loc["cost_elasticity"]),
        },
        "roi_elasticity_by_model": {m: _interval(row) for m, row in by_model.iterrows()},
        "tier_contrasts": [
            {"contrast": r.term, "ratio": float(r.ratio), "ratio_ci_low": float(r.ratio_ci_low),
             "ratio_ci_high": float(r.ratio_ci_high), "p_adjusted": float(r.p_adjusted)}
            for r in contrasts.itertuples()],
        "models": clean.to_dict(orient="records"),
    }


def figure(data: pd.DataFrame, note: str = "") -> plt.Figure:
    return plots.roi_fit_chart(data, models.fitted_line(data, "log_roas"), models.fitted_line(data, "log_revenue"),
                               models.fitted_line(data, "log_cost"), note=note)


def _svg(fig: plt.Figure) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    return buffer.getvalue()


STYLE = """body{font-family:sans-serif;max-width:60rem;margin:auto;padding:1rem;line-height:1.4}
table{border-collapse:collapse;font-size:.8rem;display:block;overflow-x:auto}
td,th{padding:.2rem .5rem;border-bottom:1px solid #ddd}
svg{max-width:100%;height:auto}"""


def _page(title: str, body: str) -> str:
    """One self-contained HTML page: inline style, no scripts, nothing fetched."""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>{STYLE}</style></head><body>
{body}</body></html>
"""


def _fits_table(fits: pd.DataFrame) -> str:
    return fits.drop(columns=[c for c in fits.columns if fits[c].isna().all()]).to_html(
        index=False, float_format=lambda v: f"{v:.4g}", na_rep="", border=0)


def render_html(record: dict, svg: str, fits: pd.DataFrame) -> str:
    roi = record["elasticity"]["roi"]
    table = _fits_table(fits)
    subsampled = (f"<p>The {', '.join(record['subsampled'])} models were fitted on a seeded random subsample of "
                  f"{next(iter(record['subsampled'].values())):,} campaigns; the others on all of them.</p>"
                  if record["subsampled"] else "")
    return _page(f"influencer-roi analyze: {record['input']}", f"""<h1>Return per dollar and follower count</h1>
<p>Input: <code>{html.escape(record['input'])}</code>, {record['n_campaigns']:,} campaigns
({record['dropped_zero_revenue']:,} with zero revenue left out of the log models).</p>
<p><strong>Elasticity of return per dollar with respect to followers: {roi['estimate']:.3f}
(95% CI {roi['ci_low']:.3f} to {roi['ci_high']:.3f}).</strong> Ten times the followers goes with
{10 ** roi['estimate']:.2f} times the revenue per dollar. It is the difference between the revenue elasticity
({record['elasticity']['revenue']['estimate']:.3f}) and the cost elasticity
({record['elasticity']['cost']['estimate']:.3f}).</p>
{subsampled}
<figure role="img" aria-label="Return per dollar, revenue and cost of each campaign against follower count on log
scales, with fitted lines and 95% bands.">{svg}<figcaption>Each campaign, with the fitted log-log lines and their 95%
confidence bands. Shaded bands: the canonical tiers.</figcaption></figure>
<h2>Every model</h2>{table}
""")


def publish(out: Path, files: dict[str, str]) -> None:
    """Write `files` (name -> text) into `out` (created if needed), all or nothing: staged in a temporary folder
    beside it, then moved in with results.json last, so its presence means the run finished."""
    out = Path(out)
    parent = out.parent if str(out.parent) else Path(".")
    staging = Path(tempfile.mkdtemp(dir=parent, prefix=f".{out.name}.partial-"))
    try:
        for name, content in files.items():
            (staging / name).write_text(content, encoding="utf-8")
        out.mkdir(parents=True, exist_ok=True)
        for name in sorted(files, key=lambda n: n == "results.json"):
            os.replace(staging / name, out / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def write(out: Path, fits: pd.DataFrame, data: pd.DataFrame, source: str, note: str = "") -> dict:
    """Write results.json, roi_fit.svg and report.html into `out` (created if needed), all or nothing."""
    record = results(fits, data, source)
    svg = _svg(figure(data, note))
    publish(out, {"roi_fit.svg": svg, "report.html": render_html(record, svg, fits),
                  "results.json": json.dumps(record, indent=2) + "\n"})
    return record


# ---- influencer-roi engagement

def engagement_results(fits: pd.DataFrame, data: pd.DataFrame, source: str) -> dict:
    """The machine-readable engagement results: the elasticity, the curvature check, the tier medians, every row."""
    slope = fits[(fits["model"] == "ols_clustered") & (fits["term"] == "log_followers")].iloc[0]
    curve = fits[fits["model"] == "curvature"].set_index("term")
    medians = fits[fits["model"] == "tier_median"]
    vertex = curve.loc["vertex_followers", "estimate"]
    return {
        "input": source,
        "n_posts": int(len(data)),
        "n_accounts": int(data["account_id"].nunique()),
        "dropped_zero_engagement": int(data.attrs.get("dropped_zero_engagement", 0)),
        "platform_levels": sorted(data["platform"].dropna().unique()) if "platform" in data.columns else [],
        "errors": "clustered by account",
        "elasticity": {"engagement_rate": _interval(slope)},
        "curvature": {"quadratic": _interval(curve.loc["quadratic"]),
                      "peak_followers": None if pd.isna(vertex) else float(vertex)},
        "tier_medians": [{"tier": r.term, "accounts": int(r.accounts), "posts": int(r.posts),
                          "median_engagement_rate": float(r.estimate),
                          "ci_low": None if pd.isna(r.ci_low) else float(r.ci_low),
                          "ci_high": None if pd.isna(r.ci_high) else float(r.ci_high)}
                         for r in medians.itertuples()],
        "models": fits.replace({np.nan: None}).to_dict(orient="records"),
    }


def engagement_figure(data: pd.DataFrame, fits: pd.DataFrame, note: str = "") -> plt.Figure:
    return plots.engagement_chart(data, engagement.fitted_line(data), fits[fits["model"] == "tier_median"], note=note)


def render_engagement_html(record: dict, svg: str, fits: pd.DataFrame) -> str:
    er = record["elasticity"]["engagement_rate"]
    peak = record["curvature"]["peak_followers"]
    quad = record["curvature"]["quadratic"]
    curve = (f"a peak inside the data, near {peak:,.0f} followers (quadratic term p = {quad['p_value']:.2g})"
             if peak else f"no peak inside the data (quadratic term {quad['estimate']:.3f}, p = {quad['p_value']:.2g})")
    platforms = (f" Platform levels ({', '.join(record['platform_levels'])}) are controlled for."
                 if len(record["platform_levels"]) > 1 else "")
    table = _fits_table(fits)
    return _page(f"influencer-roi engagement: {record['input']}", f"""<h1>Engagement rate and follower count</h1>
<p>Input: <code>{html.escape(record['input'])}</code>, {record['n_posts']:,} posts by {record['n_accounts']:,} accounts
({record['dropped_zero_engagement']:,} posts with no engagement left out of the log model).</p>
<p><strong>Elasticity of engagement rate with respect to followers: {er['estimate']:.3f}
(95% CI {er['ci_low']:.3f} to {er['ci_high']:.3f}, errors clustered by account).</strong> Ten times the followers goes
with {10 ** er['estimate']:.2f} times the engagement rate.{platforms} Curvature: {curve}.</p>
<figure role="img" aria-label="Engagement rate of each post against follower count on log scales, with the fitted
line, its 95% band, and each tier's median account.">{svg}<figcaption>Each post, the fitted log-log line with its 95%
band, and the median account of each tier with a 95% interval. Shaded bands: the canonical tiers.</figcaption></figure>
<h2>Every estimate</h2>{table}
""")


def write_engagement(out: Path, fits: pd.DataFrame, data: pd.DataFrame, source: str, note: str = "") -> dict:
    """Write results.json, engagement_fit.svg and report.html into `out`, all or nothing."""
    record = engagement_results(fits, data, source)
    svg = _svg(engagement_figure(data, fits, note))
    publish(out, {"engagement_fit.svg": svg, "report.html": render_engagement_html(record, svg, fits),
                  "results.json": json.dumps(record, indent=2) + "\n"})
    return record


# ---- influencer-roi allocate

def write_allocation(out: Path, record: dict, table: pd.DataFrame) -> None:
    """Write results.json, strategies.svg and report.html for `influencer-roi allocate`, all or nothing."""
    svg = _svg(plots.strategies_chart(table, note="SIMULATED"))
    shown = table.drop(columns="budget").to_html(index=False, float_format=lambda v: f"{v:,.3g}", border=0)
    body = f"""<h1>Spending {record['budget']:,.0f} across influencer tiers</h1>
<p><strong>Simulated.</strong> {record['draws']:,} Monte Carlo draws per strategy from {html.escape(record['basis'])},
with a finite supply of creators per tier, audience saturation within the niche and a management cost of
{record['market']['management_cost']:,.0f} per creator. Loss: revenue below {record['breakeven']:g} times spend.</p>
<figure role="img" aria-label="Revenue per dollar of each strategy: expected value and 5th to 95th percentile.">{svg}
<figcaption>Revenue per dollar spent under each strategy: the dot is the expected value, the bar the 5th to 95th
percentile of the draws.</figcaption></figure>
<h2>Every strategy</h2>{shown}
"""
    page = _page(f"influencer-roi allocate: {record['budget']:,.0f}", body)
    publish(out, {"strategies.svg": svg, "report.html": page, "results.json": json.dumps(record, indent=2) + "\n"})
