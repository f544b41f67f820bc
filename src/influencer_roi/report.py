"""What `influencer-roi analyze` writes: results.json, the figures as SVG files, and one self-contained
report.html (figures inline, no network needed to read it). Files are written to a temporary folder beside the
output and moved in at the end, results.json last, so a failure leaves no partial output behind."""

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

from . import models, plots


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


def render_html(record: dict, svg: str, fits: pd.DataFrame) -> str:
    roi = record["elasticity"]["roi"]
    table = fits.drop(columns=[c for c in fits.columns if fits[c].isna().all()]).to_html(
        index=False, float_format=lambda v: f"{v:.4g}", na_rep="", border=0)
    subsampled = (f"<p>The {', '.join(record['subsampled'])} models were fitted on a seeded random subsample of "
                  f"{next(iter(record['subsampled'].values())):,} campaigns; the others on all of them.</p>"
                  if record["subsampled"] else "")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>influencer-roi analyze: {html.escape(record['input'])}</title>
<style>body{{font-family:sans-serif;max-width:60rem;margin:auto;padding:1rem;line-height:1.4}}
table{{border-collapse:collapse;font-size:.8rem;display:block;overflow-x:auto}}td,th{{padding:.2rem .5rem;border-bottom:1px solid #ddd}}
svg{{max-width:100%;height:auto}}</style></head><body>
<h1>Return per dollar and follower count</h1>
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
</body></html>
"""


def write(out: Path, fits: pd.DataFrame, data: pd.DataFrame, source: str, note: str = "") -> dict:
    """Write results.json, roi_fit.svg and report.html into `out` (created if needed), all or nothing."""
    out = Path(out)
    parent = out.parent if str(out.parent) else Path(".")
    record = results(fits, data, source)
    svg = _svg(figure(data, note))
    staging = Path(tempfile.mkdtemp(dir=parent, prefix=f".{out.name}.partial-"))
    try:
        (staging / "roi_fit.svg").write_text(svg, encoding="utf-8")
        (staging / "report.html").write_text(render_html(record, svg, fits), encoding="utf-8")
        (staging / "results.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        out.mkdir(parents=True, exist_ok=True)
        for name in ("roi_fit.svg", "report.html", "results.json"):  # results.json last: its presence means done
            os.replace(staging / name, out / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return record
