"""What `influencer-roi analyze` and `engagement` write: results.json, the figure as an SVG file, and one
self-contained report.html (figure inline, no scripts, nothing fetched). `allocate`'s files are allocation_report's,
on the same page (html_page, svg_file).

The report's first screen answers the reader's question in a sentence, on their data: does smaller pay, and by how
much (the tier ratios with their intervals), then any warning about the data (rows dropped, counts that were
rounded), then the figure; the run (date, tool version, the input's SHA-256) closes the page and every model's
table is folded away. It reads on a phone (no sideways scroll; wide tables scroll in their own box, with a cue)
and prints cleanly.

results.json is strict JSON: a number that is not finite (an undefined p-value, a return per dollar with nothing
spent) is written as null, and `nulls` says why, per reason the paths it concerns. Files are written by
paths.publish (all or nothing, results.json last).
"""

from __future__ import annotations

import datetime
import hashlib
import html
import io
import json
import math
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from . import __version__, engagement, models, paths, plots
from .formats import fmt_pct, fmt_ratio, fmt_times
from .plots.digest import figure_digest
from .tiers import TIERS

CI = "95% CI"


# ---- The run: date, version, input


def run_date() -> str:
    """Now, in UTC, or the moment SOURCE_DATE_EPOCH names (reproducible builds' convention), so that a report
    made for the book is the same on every run."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    when = (
        datetime.datetime.fromtimestamp(int(epoch), datetime.UTC)
        if epoch.isdigit()
        else datetime.datetime.now(datetime.UTC)
    )
    return when.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def run_info(path: Path | None, digest: str | None = None) -> dict:
    """Date, tool and version, and the input file's name and SHA-256 (which file, exactly, the numbers describe;
    `digest` when it was computed already)."""
    info = {"date": run_date(), "tool": "influencer-roi", "version": __version__}
    if path is not None:
        info.update({"input": Path(path).name, "input_sha256": digest or sha256(Path(path))})
    return info


# ---- Strict JSON


def strict_json(record: dict) -> str:
    """`record` as strict JSON (no NaN or Infinity, which most JSON readers refuse): each non-finite number becomes
    null, and record["nulls"] maps each reason to the paths of the values it explains."""
    nulls: dict[str, list[str]] = {}

    def clean(value, where: str, row: dict | None):
        if isinstance(value, dict):
            return {k: clean(v, f"{where}.{k}" if where else str(k), value) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [clean(v, f"{where}[{i}]", row) for i, v in enumerate(value)]
        if isinstance(value, (np.floating, np.integer, np.bool_)):
            value = value.item()
        if isinstance(value, float) and not math.isfinite(value):
            nulls.setdefault(_null_reason(row or {}, where), []).append(where)
            return None
        return value

    cleaned = clean(record, "", None)
    if nulls:
        cleaned["nulls"] = nulls
    return json.dumps(cleaned, indent=2, allow_nan=False) + "\n"


def _null_reason(row: dict, where: str) -> str:
    note = row.get("note")
    if isinstance(note, str) and note.startswith("not estimable"):
        return note
    if "creators" in row and not row.get("mean_creators"):
        return "no creator could be booked with this budget under this strategy, so nothing was spent"
    if where.startswith("models"):
        return (
            "not defined for this row: a column of other models (converged, ratio ...), or a statistic, "
            "derived quantity or variance component with no standard error or interval of its own"
        )
    return "not a finite number on these data (see the notes)"


# ---- Page

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


def html_page(title: str, body: str, run: dict) -> str:
    """One self-contained HTML page: inline style, no scripts, nothing fetched; the run's facts in the footer."""
    source = (
        f" from <code>{html.escape(run['input'])}</code> (SHA-256 <code>{run['input_sha256']}</code>)"
        if run.get("input")
        else ""
    )
    when = run["date"].replace("T", " ").replace("Z", " UTC")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="influencer-roi {html.escape(run["version"])}">
<title>{html.escape(title)}</title>
<style>{STYLE}</style></head><body>
{body}<footer>Made by influencer-roi {html.escape(run["version"])} on {html.escape(when)}{source}.</footer>
</body></html>
"""


def scrolling(table_html: str, label: str) -> str:
    """A table in its own horizontally scrolling box (the page itself never scrolls sideways), with a shadow at
    the edge that hides more columns and, on narrow screens, a written cue."""
    return (
        f'<p class="hint" aria-hidden="true">Wide table: scroll it sideways →</p>'
        f'<div class="scroll" role="region" aria-label="{html.escape(label)}" tabindex="0">{table_html}</div>'
    )


def _fits_table(fits: pd.DataFrame) -> str:
    table = fits.drop(columns=[c for c in fits.columns if fits[c].isna().all()])
    return scrolling(
        table.to_html(index=False, float_format=lambda v: f"{v:.4g}", na_rep="", border=0), "every model's estimates"
    )


def _folded(title: str, content: str) -> str:
    return f"<details><summary>{html.escape(title)}</summary>{content}</details>"


def _warnings_html(warnings: list[str]) -> str:
    return "".join(
        f'<p class="warning"><strong>Warning.</strong> {html.escape(w[:1].upper() + w[1:])}</p>' for w in warnings
    )


def svg_file(fig: plt.Figure, name: str, record: dict) -> str:
    """The figure as SVG text; its content digest goes into the record's "figures" under the file's name (what it
    draws, comparable across machines where the SVG's bytes are not: plots.digest)."""
    record.setdefault("figures", {})[name] = figure_digest(fig)
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    return buffer.getvalue()


def _fit_follower_axes(fig: plt.Figure, followers: pd.Series, axes=None) -> None:
    """Widen the house follower axis (1k to 10M) when the data go beyond it, so that no account is cut off."""
    low, high = float(followers.min()), float(followers.max())
    if low >= 1_000 and high <= 10_000_000:
        return
    limits = (min(1_000.0, 10 ** np.floor(np.log10(low))), max(10_000_000.0, 10 ** np.ceil(np.log10(high))))
    for ax in axes or fig.axes:
        plots.follower_axis(ax, limits=limits, label=ax.get_xlabel())


# ---- influencer-roi analyze


def _interval(row: pd.Series) -> dict:
    out = {
        "estimate": float(row["estimate"]),
        "ci_low": float(row["ci_low"]),
        "ci_high": float(row["ci_high"]),
        "std_error": float(row["std_error"]),
        "p_value": float(row["p_value"]),
    }
    if isinstance(row.get("note"), str):
        out["note"] = row["note"]
    return out


def _notes(fits: pd.DataFrame) -> list[str]:
    """One line per model that could not be estimated or that statsmodels warned about."""
    if "note" not in fits.columns:
        return []
    noted = fits.dropna(subset=["note"]).drop_duplicates(["model", "note"])
    return [f"{r.model}: {r.note}" for r in noted.itertuples()]


def results(
    fits: pd.DataFrame, data: pd.DataFrame, source: str, run: dict | None = None, about: dict | None = None
) -> dict:
    """The machine-readable results: the run, what was read, elasticities (from the joint decomposition), tier
    contrasts, every model, and notes on models that could not be estimated."""
    decomposition = fits[fits["model"] == "decomposition"].set_index("term")
    contrasts = fits[(fits["model"] == "tier_contrasts") & fits["term"].str.contains("_vs_")]
    by_model = models.roi_elasticities(fits).set_index("model")
    used = min(len(data), models.SUBSAMPLE_ABOVE)
    return {
        "run": run or {},
        "input": source,
        "n_campaigns": int(len(data)),
        "dropped_zero_revenue": int(data.attrs.get("dropped_zero_revenue", 0)),
        "dropped_duplicates": int(data.attrs.get("dropped_duplicates", 0)),
        **(about or {}),
        "subsampled": ({m: used for m in models.subsampled_models()} if len(data) > models.SUBSAMPLE_ABOVE else {}),
        "elasticity": {
            "roi": _interval(decomposition.loc["roi_elasticity"]),
            "revenue": _interval(decomposition.loc["revenue_elasticity"]),
            "cost": _interval(decomposition.loc["cost_elasticity"]),
        },
        "roi_elasticity_by_model": {m: _interval(row) for m, row in by_model.iterrows()},
        "tier_contrasts": [
            {
                "contrast": r.term,
                "ratio": float(r.ratio),
                "ratio_ci_low": float(r.ratio_ci_low),
                "ratio_ci_high": float(r.ratio_ci_high),
                "p_adjusted": float(r.p_adjusted),
            }
            for r in contrasts.itertuples()
        ],
        "notes": _notes(fits),
        "models": fits.to_dict(orient="records"),
    }


def _verdict(interval: dict, on: str, did: str, does: str) -> str:
    """Yes, No or Not clearly, by whether the elasticity's interval lies below zero, above it, or across it."""
    if interval["ci_high"] < 0:
        return f"Yes: on these {on}, smaller {did}."
    if interval["ci_low"] > 0:
        return f"No: on these {on}, larger {did}."
    return f"Not clearly: on these {on}, the data cannot tell whether smaller {does}."


def answer(record: dict) -> str:
    """The first screen's sentence: on these campaigns, did smaller pay, and by how much (each tier against the
    largest, as a ratio of geometric-mean return per dollar with its interval)."""
    roi = record["elasticity"]["roi"]
    verdict = _verdict(
        roi,
        f"{record['n_campaigns']:,} campaigns",
        "creators returned more per dollar",
        "creators return more per dollar",
    )
    contrasts = {c["contrast"]: c for c in record["tier_contrasts"]}
    tiers = [t for t in TIERS if any(t in name.split("_vs_") for name in contrasts)]
    ratios = ""
    if len(tiers) >= 2:
        largest = tiers[-1]
        found = [(t, contrasts[f"{t}_vs_{largest}"]) for t in tiers[:-1] if f"{t}_vs_{largest}" in contrasts]

        def ratio(c: dict) -> str:
            return f"{fmt_ratio(c['ratio'])} ({CI} {fmt_times(c['ratio_ci_low'])}–{fmt_times(c['ratio_ci_high'])})"

        if found:
            (tier, first), rest = found[0], found[1:]
            others = [f"{t} {ratio(c)}" for t, c in rest]
            tail = (
                ""
                if not others
                else (f", {others[0]}" if len(others) == 1 else ", " + ", ".join(others[:-1]) + f" and {others[-1]}")
            )
            ratios = f" {tier.capitalize()} returned {ratio(first)} what {largest} did per dollar{tail}."
    else:
        ratios = " The tiers could not be compared (the campaigns are not in two tiers with two campaigns each)."
    slope = (
        f" Each tenfold increase in followers went with {10 ** roi['estimate']:.2f} times the return per dollar "
        f"({CI} {10 ** roi['ci_low']:.2f}–{10 ** roi['ci_high']:.2f}; elasticity {roi['estimate']:.3f})."
    )
    return verdict + ratios + slope


def data_warnings(record: dict) -> list[str]:
    """What a reader must know about the data before the numbers: rows dropped, counts that were rounded."""
    out = list((record.get("drop_invalid") or {}).get("warnings", []))
    for column, entry in (record.get("input_formats") or {}).items():
        if entry.get("abbreviated") and entry.get("rounding_max", 0) > 0.05:
            out.append(
                f"{entry['abbreviated']:,} {column} values were abbreviated (such as "
                f"{entry['rounding_max_value']}), rounded by up to ±{fmt_pct(entry['rounding_max'], 1)}; "
                "export exact counts if you can."
            )
    return out


def _about_html(record: dict) -> str:
    """What was read: rows, dropped, expanded formats, currency."""
    items = []
    drop = record.get("drop_invalid")
    if drop:
        tiers = ", ".join(
            f"{t} {fmt_pct(v['share'], 1)} ({v['dropped']:,} of {v['rows']:,})" for t, v in drop["by_tier"].items()
        )
        items.append(
            f"--drop-invalid dropped {drop['dropped']:,} of {drop['rows_read']:,} rows "
            f"({fmt_pct(drop['share'], 1)})" + (f"; by tier: {tiers}" if tiers else "")
        )
    for column, entry in (record.get("input_formats") or {}).items():
        if entry.get("abbreviated"):
            items.append(
                f"{column}: {entry['abbreviated']:,} abbreviated counts expanded (largest rounding "
                f"±{fmt_pct(entry['rounding_max'], 2)}, median ±{fmt_pct(entry['rounding_median'], 2)})"
            )
        if entry.get("thousands_separators"):
            items.append(f"{column}: {entry['thousands_separators']:,} values with thousands separators")
    if record.get("currency"):
        items.append(f"amounts in {record['currency']}")
    return "".join(f"<li>{html.escape(i)}</li>" for i in items)


def figure(data: pd.DataFrame, note: str = "", currency: str | None = None) -> plt.Figure:
    """The report's figure. currency: the file's symbol ('' when its amounts had none); None keeps the book's
    label (the book's simulated data are in US dollars)."""
    fig = plots.roi_fit_chart(
        data,
        models.fitted_line(data, "log_roas"),
        models.fitted_line(data, "log_revenue"),
        models.fitted_line(data, "log_cost"),
        note=note,
    )
    if currency is not None:
        fig.axes[1].set_ylabel(f"{currency or 'Amount'} per campaign (log scale)")
    _fit_follower_axes(fig, data["followers"])
    return fig


def render_html(record: dict, svg: str, fits: pd.DataFrame) -> str:
    roi = record["elasticity"]["roi"]
    subsampled = (
        f"<p>The {', '.join(record['subsampled'])} models were fitted on a seeded random subsample of "
        f"{next(iter(record['subsampled'].values())):,} campaigns; the others on all of them.</p>"
        if record["subsampled"]
        else ""
    )
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in record.get("notes", []))
    about = _about_html(record)
    return html_page(
        f"influencer-roi analyze: {record['input']}",
        f"""<h1>Does smaller pay? Return per dollar and
follower count</h1>
<p class="answer">{html.escape(answer(record))}</p>
{_warnings_html(data_warnings(record))}
<figure role="img" aria-label="Return per dollar, revenue and cost of each campaign against follower count on log
scales, with fitted lines and 95% bands.">{svg}<figcaption>Each campaign, with the fitted log-log lines and their 95%
confidence bands. Shaded bands: the canonical tiers.</figcaption></figure>
<h2>What the numbers say</h2>
<p>Input: <code>{html.escape(record["input"])}</code>, {record["n_campaigns"]:,} campaigns with revenue
({record["dropped_zero_revenue"]:,} with zero revenue left out of the log models{
            ", " + format(record["dropped_duplicates"], ",") + " rows that repeated a campaign exactly dropped"
            if record.get("dropped_duplicates")
            else ""
        }).</p>
{f"<ul>{about}</ul>" if about else ""}
<p>Elasticity of return per dollar with respect to followers: {roi["estimate"]:.3f} ({CI} {roi["ci_low"]:.3f} to
{roi["ci_high"]:.3f}). It is the difference between the revenue elasticity
({record["elasticity"]["revenue"]["estimate"]:.3f}) and the cost elasticity
({record["elasticity"]["cost"]["estimate"]:.3f}): a steep cost line with a flat revenue line is a statement about
prices, not about what small creators sell. These campaigns were chosen, not randomised, so the numbers describe
them; they do not say what moving budget would do.</p>
{subsampled}
{f"<p>Notes on the models:</p><ul>{notes}</ul>" if notes else ""}
{_folded("Every model's estimates", _fits_table(fits))}
""",
        record["run"],
    )


def analysis_files(
    fits: pd.DataFrame,
    data: pd.DataFrame,
    source: str,
    run: dict | None = None,
    about: dict | None = None,
    note: str = "",
    currency: str | None = None,
) -> tuple[dict, dict]:
    """(results record, {file name: content}) for `analyze`."""
    record = results(fits, data, source, run or run_info(None), about)
    svg = svg_file(figure(data, note, currency), "roi_fit.svg", record)
    return record, {
        "roi_fit.svg": svg,
        "report.html": render_html(record, svg, fits),
        "results.json": strict_json(record),
    }


def write(out: Path, fits: pd.DataFrame, data: pd.DataFrame, source: str, note: str = "") -> dict:
    """Write results.json, roi_fit.svg and report.html into `out` (created if needed), all or nothing."""
    record, files = analysis_files(fits, data, source, note=note)
    paths.publish({Path(out) / name: content for name, content in files.items()}, make_folder=True)
    return record


# ---- influencer-roi engagement


def engagement_results(
    fits: pd.DataFrame, data: pd.DataFrame, source: str, run: dict | None = None, about: dict | None = None
) -> dict:
    """The machine-readable engagement results: the elasticity, the curvature check, the tier medians, every row."""
    slope = fits[(fits["model"] == "ols_clustered") & (fits["term"] == "log_followers")].iloc[0]
    curve = fits[fits["model"] == "curvature"].set_index("term")
    medians = fits[(fits["model"] == "tier_median") & fits["term"].isin(TIERS)]
    vertex = curve["estimate"].get("vertex_followers", np.nan)
    quadratic = curve.loc["quadratic"] if "quadratic" in curve.index else None
    return {
        "run": run or {},
        "input": source,
        "n_posts": int(len(data)),
        "n_accounts": int(data["account_id"].nunique()),
        "dropped_zero_engagement": int(data.attrs.get("dropped_zero_engagement", 0)),
        "dropped_duplicates": int(data.attrs.get("dropped_duplicates", 0)),
        **(about or {}),
        "platform_levels": sorted(data["platform"].dropna().unique()) if "platform" in data.columns else [],
        "errors": "clustered by account",
        "elasticity": {"engagement_rate": _interval(slope)},
        "curvature": {
            "quadratic": _interval(quadratic) if quadratic is not None else None,
            "peak_followers": None if pd.isna(vertex) else float(vertex),
        },
        "tier_medians": [
            {
                "tier": r.term,
                "accounts": int(r.accounts),
                "posts": int(r.posts),
                "median_engagement_rate": float(r.estimate),
                "ci_low": None if pd.isna(r.ci_low) else float(r.ci_low),
                "ci_high": None if pd.isna(r.ci_high) else float(r.ci_high),
            }
            for r in medians.itertuples()
        ],
        "notes": _notes(fits),
        "models": fits.to_dict(orient="records"),
    }


def engagement_answer(record: dict) -> str:
    """The first screen's sentence: on these posts, did smaller accounts engage more, and by how much (the median
    account of the smallest and largest tier, each with its interval)."""
    er = record["elasticity"]["engagement_rate"]
    verdict = _verdict(
        er,
        f"{record['n_posts']:,} posts by {record['n_accounts']:,} accounts",
        "accounts engaged more per follower",
        "accounts engage more per follower",
    )
    medians = record["tier_medians"]
    ratio = ""
    if len(medians) >= 2:
        small, large = medians[0], medians[-1]

        def median(m):
            ci = (
                f" ({CI} {fmt_pct(m['ci_low'], 2)}–{fmt_pct(m['ci_high'], 2)})"
                if m["ci_low"] is not None
                else " (too few accounts for an interval)"
            )
            return f"{fmt_pct(m['median_engagement_rate'], 2)}{ci}"

        times = small["median_engagement_rate"] / large["median_engagement_rate"]
        ratio = (
            f" The median {small['tier']} account engaged {median(small)} of its followers per post, "
            f"{fmt_ratio(times)} the median {large['tier']} account's {median(large)}."
        )
    slope = (
        f" Each tenfold increase in followers went with {10 ** er['estimate']:.2f} times the engagement rate "
        f"({CI} {10 ** er['ci_low']:.2f}–{10 ** er['ci_high']:.2f}; elasticity {er['estimate']:.3f}, errors "
        "clustered by account)."
    )
    return verdict + ratio + slope


def engagement_figure(data: pd.DataFrame, fits: pd.DataFrame, note: str = "") -> plt.Figure:
    medians = fits[(fits["model"] == "tier_median") & fits["term"].isin(TIERS)]
    fig = plots.engagement_chart(data, engagement.fitted_line(data), medians, note=note)
    _fit_follower_axes(fig, data["followers"])
    return fig


def render_engagement_html(record: dict, svg: str, fits: pd.DataFrame) -> str:
    er = record["elasticity"]["engagement_rate"]
    peak = record["curvature"]["peak_followers"]
    quad = record["curvature"]["quadratic"]
    if quad is None:
        curve = "not estimable on these data"
    elif peak:
        curve = f"a peak inside the data, near {peak:,.0f} followers (quadratic term p = {quad['p_value']:.2g})"
    else:
        curve = f"no peak inside the data (quadratic term {quad['estimate']:.3f}, p = {quad['p_value']:.2g})"
    platforms = (
        f" Platform levels ({', '.join(record['platform_levels'])}) are controlled for."
        if len(record["platform_levels"]) > 1
        else ""
    )
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in record.get("notes", []))
    about = _about_html(record)
    return html_page(
        f"influencer-roi engagement: {record['input']}",
        f"""<h1>Does smaller engage more? Engagement rate
and follower count</h1>
<p class="answer">{html.escape(engagement_answer(record))}</p>
{_warnings_html(data_warnings(record))}
<figure role="img" aria-label="Engagement rate of each post against follower count on log scales, with the fitted
line, its 95% band, and each tier's median account.">{svg}<figcaption>Each post, the fitted log-log line with its 95%
band, and the median account of each tier with a 95% interval. Shaded bands: the canonical tiers.</figcaption></figure>
<h2>What the numbers say</h2>
<p>Input: <code>{html.escape(record["input"])}</code>, {record["n_posts"]:,} posts by {record["n_accounts"]:,} accounts
({record["dropped_zero_engagement"]:,} posts with no engagement left out of the log model{
            ", " + format(record["dropped_duplicates"], ",") + " rows that repeated a post exactly dropped"
            if record.get("dropped_duplicates")
            else ""
        }).</p>
{f"<ul>{about}</ul>" if about else ""}
<p>Elasticity of engagement rate with respect to followers: {er["estimate"]:.3f} ({CI} {er["ci_low"]:.3f} to
{er["ci_high"]:.3f}, errors clustered by account).{platforms} Curvature: {curve}.</p>
{f"<p>Notes on the models:</p><ul>{notes}</ul>" if notes else ""}
{_folded("Every estimate", _fits_table(fits))}
""",
        record["run"],
    )


def engagement_files(
    fits: pd.DataFrame,
    data: pd.DataFrame,
    source: str,
    run: dict | None = None,
    about: dict | None = None,
    note: str = "",
) -> tuple[dict, dict]:
    """(results record, {file name: content}) for `engagement`."""
    record = engagement_results(fits, data, source, run or run_info(None), about)
    svg = svg_file(engagement_figure(data, fits, note), "engagement_fit.svg", record)
    return record, {
        "engagement_fit.svg": svg,
        "report.html": render_engagement_html(record, svg, fits),
        "results.json": strict_json(record),
    }


def write_engagement(out: Path, fits: pd.DataFrame, data: pd.DataFrame, source: str, note: str = "") -> dict:
    """Write results.json, engagement_fit.svg and report.html into `out`, all or nothing."""
    record, files = engagement_files(fits, data, source, note=note)
    paths.publish({Path(out) / name: content for name, content in files.items()}, make_folder=True)
    return record
