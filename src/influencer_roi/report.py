"""What `influencer-roi analyze` and `engagement` write: results.json, the figure as an SVG file, and one
self-contained report.html (figure inline, no scripts, nothing fetched; a Content-Security-Policy forbids both). The
pages are templates (templates.py) with every value escaped by default. `allocate`'s files are allocation_report's,
on the same page (templates, svg_file).

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
import io
import json
import math
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from markupsafe import Markup

from . import __version__, coverage, engagement, models, paths, plots, templates, verdicts
from .constants import ALPHA
from .display import readable
from .formats import fmt_p, fmt_pct, fmt_ratio, fmt_times
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


def _fits_table(fits: pd.DataFrame) -> Markup:
    table = fits.drop(columns=[c for c in fits.columns if fits[c].isna().all()])
    return templates.table(readable(table), index=False)


def _capitalised(lines: list[str]) -> list[str]:
    return [line[:1].upper() + line[1:] for line in lines]


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


def _intervals(fits: pd.DataFrame, model: str, terms: dict[str, str]) -> dict:
    """{name: interval} of a model's terms; missing (NaN, so null in results.json, with the model's note) where
    the model could not be estimated."""
    table = fits[fits["model"] == model].set_index("term")
    note = table["note"].dropna() if "note" in table.columns else pd.Series(dtype=object)
    # object dtype: the note (text) joins the missing numbers (a float Series would be recast, with pandas' warning)
    missing = pd.Series(dict.fromkeys(["estimate", "ci_low", "ci_high", "std_error", "p_value"], np.nan), dtype=object)
    if len(note):
        missing["note"] = note.iloc[0]
    return {name: _interval(table.loc[term] if term in table.index else missing) for name, term in terms.items()}


def _contrasts(fits: pd.DataFrame, model: str) -> list[dict]:
    contrasts = fits[(fits["model"] == model) & fits["term"].str.contains("_vs_")]
    return [
        {
            "contrast": r.term,
            "ratio": float(r.ratio),
            "ratio_ci_low": float(r.ratio_ci_low),
            "ratio_ci_high": float(r.ratio_ci_high),
            "p_adjusted": float(r.p_adjusted),
        }
        for r in contrasts.itertuples()
    ]


ELASTICITY_TERMS = {"roi": "roi_elasticity", "revenue": "revenue_elasticity", "cost": "cost_elasticity"}

MAIN_ESTIMATOR = (
    "Poisson pseudo-maximum likelihood on every campaign, zero revenue included: revenue on log followers with log "
    "cost as offset, errors clustered by influencer when an influencer has several campaigns (robust HC1 "
    "otherwise). It is the main estimate because a campaign that sold nothing is a result: the log model cannot "
    "take a zero, so it describes only the campaigns that sold something."
)


def results(
    fits: pd.DataFrame, data: pd.DataFrame, source: str, run: dict | None = None, about: dict | None = None
) -> dict:
    """The machine-readable results: the run, what was read (how many campaigns had zero revenue), the main
    elasticities and tier contrasts (Poisson pseudo-maximum likelihood, every campaign: models.MAIN_MODEL), the log
    model on the campaigns with revenue as the labelled alternative, every model, and notes on models that could
    not be estimated."""
    by_model = models.roi_elasticities(fits).set_index("model")
    zero = int((data["revenue"] <= 0).sum())
    left_out = zero + int(data.attrs.get("dropped_zero_revenue", 0))  # by the log models (prepare() or with_revenue)
    with_revenue = int(len(data)) - zero
    used = min(with_revenue, models.SUBSAMPLE_ABOVE)
    return {
        "run": run or {},
        "input": source,
        "n_campaigns": int(len(data)),
        "n_campaigns_with_revenue": with_revenue,
        "zero_revenue": {
            "campaigns": zero,
            "share": zero / len(data) if len(data) else 0.0,
            "all_zero_tiers": _all_zero_tiers(data),
        },
        "dropped_zero_revenue": left_out,
        "dropped_duplicates": int(data.attrs.get("dropped_duplicates", 0)),
        **(about or {}),
        "subsampled": ({m: used for m in models.subsampled_models()} if with_revenue > models.SUBSAMPLE_ABOVE else {}),
        "main_model": {"model": models.MAIN_MODEL, "estimator": MAIN_ESTIMATOR},
        "elasticity": _intervals(fits, models.MAIN_MODEL, ELASTICITY_TERMS),
        "tier_contrasts": _contrasts(fits, models.MAIN_CONTRASTS),
        "log_model": {
            "label": models.LOG_LABEL,
            "n_campaigns": with_revenue,
            "elasticity": _intervals(fits, models.LOG_MODEL, ELASTICITY_TERMS),
            "tier_contrasts": _contrasts(fits, models.LOG_CONTRASTS),
        },
        "roi_elasticity_by_model": {m: _interval(row) for m, row in by_model.iterrows()},
        "small_sample": small_sample(len(data)),
        "notes": _notes(fits),
        "models": fits.to_dict(orient="records"),
    }


def small_sample(n_campaigns: int) -> dict | None:
    """The book's coverage study (coverage.main_model_coverage) when it shows the main model's intervals too narrow
    (its coverage's Wilson interval below 95%) at a file size this file does not exceed: the threshold is the study's
    own size, its coverage read from its table. None otherwise (larger files: the study does not say)."""
    study = coverage.main_model_coverage()
    if study is None or n_campaigns > study["size"] or study["coverage_ci_high"] >= 1 - ALPHA:
        return None
    return study


def small_sample_sentence(record: dict) -> str:
    """' Warning: ...' for a file small enough that the coverage study shows the main intervals undercover."""
    study = record.get("small_sample")
    if not study:
        return ""
    return (
        f" Warning: on a file this small ({record['n_campaigns']:,} campaigns) these intervals are too narrow: in the "
        f"book's coverage study (SIMULATED files of {study['size']:,} campaigns) the main model's 95% intervals held "
        f"the true elasticity in {fmt_pct(study['coverage'], 1)} of {study['replications']:,} files "
        f"({CI} {fmt_pct(study['coverage_ci_low'], 0)}–{fmt_pct(study['coverage_ci_high'], 0)}), not 95%."
    )


def _all_zero_tiers(data: pd.DataFrame) -> dict[str, int]:
    """Tiers in which every campaign had zero revenue (tier: campaigns): the tier ratios cannot include them."""
    if "tier" not in data.columns:
        return {}
    out = {}
    for tier in TIERS:
        revenue = data.loc[data["tier"] == tier, "revenue"]
        if len(revenue) and bool((revenue <= 0).all()):
            out[tier] = int(len(revenue))
    return out


def zeros_sentence(record: dict) -> str:
    """How many campaigns had zero revenue, and that the main estimate counts them; with zeros, what the log model
    (campaigns with revenue only) says instead."""
    zero = record.get("zero_revenue") or {"campaigns": 0, "share": 0.0}
    if not zero["campaigns"]:
        return "No campaign had zero revenue."
    said = (
        f"{zero['campaigns']:,} of the {record['n_campaigns']:,} campaigns ({fmt_pct(zero['share'], 1)}) had zero "
        "revenue; these estimates include them."
    )
    log = (record.get("log_model") or {}).get("elasticity", {}).get("roi") or {}
    if all(isinstance(log.get(k), float) and math.isfinite(log[k]) for k in ("estimate", "ci_low", "ci_high")):
        said += (
            f" The {models.LOG_LABEL} ({record['log_model']['n_campaigns']:,} of them), gives an elasticity of "
            f"{log['estimate']:.3f} ({CI} {log['ci_low']:.3f} to {log['ci_high']:.3f})."
        )
    for tier, n in (zero.get("all_zero_tiers") or {}).items():
        said += (
            f" Every {tier} campaign ({n:,}) had zero revenue, so {tier} is left out of the tier comparison "
            "(a ratio to nothing is not a number)."
        )
    return said


def _verdict(interval: dict, on: str, did: str, does: str) -> str:
    """Yes, No or Not clearly: the verdict (verdicts.verdict) of the elasticity's interval on the claim "smaller
    pays", an elasticity below zero (supported: inside it; contradicted: above zero; not established: across)."""
    said = verdicts.verdict((interval["ci_low"], interval["ci_high"]), (-math.inf, 0.0))
    if said == verdicts.SUPPORTED:
        return f"Yes: on these {on}, smaller {did}."
    if said == verdicts.CONTRADICTED:
        return f"No: on these {on}, larger {did}."
    return f"Not clearly: on these {on}, the data cannot tell whether smaller {does}."


def answer(record: dict) -> str:
    """The first screen's sentence: on these campaigns, did smaller pay, and by how much (each tier against the
    largest, as a ratio of return per dollar with its interval: each tier's revenue per dollar spent, from the main
    model, zero revenue included), and how many campaigns had zero revenue (zeros_sentence)."""
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
    return verdict + ratios + slope + " " + zeros_sentence(record) + small_sample_sentence(record)


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


def _about(record: dict) -> list[str]:
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
    return items


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


def _render(command: str, record: dict, svg: str, fits: pd.DataFrame, sentence: str, **context) -> str:
    """The report page of `command` (analyze, engagement): what both pages show (the answer, warnings, what was
    read, notes, the figure, every estimate folded) and the command's own values in `context`."""
    return templates.render(
        f"{command}.html",
        f"influencer-roi {command}: {record['input']}",
        record["run"],
        record=record,
        ci=CI,
        answer=sentence,
        data_warnings=_capitalised(data_warnings(record)),
        about=_about(record),
        notes=record.get("notes", []),
        svg=templates.figure(svg),
        table=_fits_table(fits),
        **context,
    )


def render_html(record: dict, svg: str, fits: pd.DataFrame) -> str:
    return _render(
        "analyze",
        record,
        svg,
        fits,
        answer(record),
        roi=record["elasticity"]["roi"],
        log_roi=record["log_model"]["elasticity"]["roi"],
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
    # the figure is on log scales: the campaigns with revenue and the log model's lines (the page says so)
    svg = svg_file(figure(models.with_revenue(data), note, currency), "roi_fit.svg", record)
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
        **_shape(fits),
        **_sponsored(fits),
        "notes": _notes(fits) + _omitted(fits),
        "models": fits.to_dict(orient="records"),
    }


def _number(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _shape(fits: pd.DataFrame) -> dict:
    """elasticity_by_tier (the spline's local slope in each tier with enough accounts), equal_slopes_test and the
    sentence that says whether one slope fits (engagement.one_slope_sentence)."""
    spline = fits[(fits["model"] == "slope_spline") & fits["term"].isin(TIERS)]
    if "reported" in spline.columns:
        spline = spline[spline["reported"].astype("boolean").fillna(False).astype(bool)]
    by_tier = [
        {
            "tier": r.term,
            "estimate": float(r.estimate),
            "ci_low": float(r.ci_low),
            "ci_high": float(r.ci_high),
            "std_error": float(r.std_error),
            "posts": int(r.posts),
            "accounts": int(r.accounts),
        }
        for r in spline.itertuples()
    ]
    row = fits[fits["model"] == "equal_slopes"]
    test: dict = {"statistic": None, "df": 0, "p_value": None}
    if len(row) and pd.notna(row["estimate"].iloc[0]):
        test = {
            "statistic": float(row["estimate"].iloc[0]),
            "df": int(row["df"].iloc[0]),
            "p_value": _number(row["p_value"].iloc[0]),
        }
    sentence = engagement.one_slope_sentence(
        {**test, "p_value": np.nan if test["p_value"] is None else test["p_value"]}, by_tier
    )
    return {"elasticity_by_tier": by_tier, "equal_slopes_test": test, "slope_shape": sentence}


def _omitted(fits: pd.DataFrame) -> list[str]:
    """The note for each tier left out of elasticity_by_tier."""
    if "omitted" not in fits.columns:
        return []
    rows = fits[(fits["model"] == "slope_spline") & fits["omitted"].fillna("").astype(str).ne("")]
    return [f"elasticity_by_tier: {r.omitted}" for r in rows.itertuples()]


def _sponsored(fits: pd.DataFrame) -> dict:
    """sponsored_by_tier and sponsored_interaction_test, when the posts carry a sponsored flag (else nothing)."""
    rows = fits[(fits["model"] == "sponsored_by_tier") & fits["estimate"].notna()]
    test = fits[(fits["model"] == "sponsored_interaction") & fits["estimate"].notna()]
    if rows.empty:
        return {}
    out: dict = {
        "sponsored_by_tier": [
            {
                "tier": r.term,
                "date_trend": bool(r.date_trend),
                "estimate": float(r.estimate),
                "ci_low": float(r.ci_low),
                "ci_high": float(r.ci_high),
                "p_value": float(r.p_value),
                "ratio": float(r.ratio),
                "ratio_ci_low": float(r.ratio_ci_low),
                "ratio_ci_high": float(r.ratio_ci_high),
                "accounts": int(r.accounts),
                "sponsored_posts": int(r.sponsored_posts),
                "posts": int(r.posts),
                "inference": r.inference,
            }
            for r in rows.itertuples()
        ]
    }
    if len(test):
        t = test.iloc[0]
        out["sponsored_interaction_test"] = {
            "statistic": float(t["estimate"]),
            "df": int(t["df"]),
            "p_value": float(t["p_value"]),
            "bootstrap_p_value": _number(t["bootstrap_p_value"]),
            "date_trend": bool(t["date_trend"]),
        }
    return out


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
    return verdict + ratio + slope + (f" {record['slope_shape']}" if record.get("slope_shape") else "")


def engagement_figure(data: pd.DataFrame, fits: pd.DataFrame, note: str = "") -> plt.Figure:
    medians = fits[(fits["model"] == "tier_median") & fits["term"].isin(TIERS)]
    fig = plots.engagement_chart(data, engagement.fitted_line(data), medians, note=note)
    _fit_follower_axes(fig, data["followers"])
    return fig


def render_engagement_html(record: dict, svg: str, fits: pd.DataFrame) -> str:
    peak = record["curvature"]["peak_followers"]
    quad = record["curvature"]["quadratic"]
    if quad is None:
        curve = "not estimable on these data"
    elif peak:
        curve = f"a peak inside the data, near {peak:,.0f} followers (quadratic term {fmt_p(quad['p_value'])})"
    else:
        curve = f"no peak inside the data (quadratic term {quad['estimate']:.3f}, {fmt_p(quad['p_value'])})"
    return _render(
        "engagement",
        record,
        svg,
        fits,
        engagement_answer(record),
        er=record["elasticity"]["engagement_rate"],
        curve=curve,
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
