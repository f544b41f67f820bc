"""Charts of the evidence part: the tier schemes, the ledger's claims, the audit, the joint fit of the benchmarks and
the specification curve."""

from __future__ import annotations

import textwrap

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter, NullFormatter

from ..constants import FOLLOWER_CAP, FOLLOWER_FLOOR
from ..formats import fmt_count, fmt_followers
from ..tiers import CANONICAL, TIERS
from .style import (
    FOLLOWER_LIMITS,
    GRADE_COLOURS,
    OTHER_BAND,
    PLATFORM_COLOURS,
    PLATFORM_MARKERS,
    TIER_COLOURS,
    VERDICT_COLOURS,
    WIDTH,
    follower_axis,
    log_axis,
    percent,
    tier_bands,
    tight,
)

# The claims charts read the book's range down to 100 followers: some sources' nano tier starts there.
CLAIM_LIMITS = (100.0, FOLLOWER_CAP)


def _scheme_bands(bands: pd.DataFrame, limits: tuple[float, float]) -> tuple[pd.Series, pd.Series, bool]:
    """One scheme's bands as drawn: lower and upper ends (an open end at the axis' edge), and whether two overlap."""
    lower = bands["min_followers"].fillna(limits[0]).clip(lower=limits[0]).reset_index(drop=True)
    upper = bands["max_followers"].fillna(limits[1]).clip(upper=limits[1]).reset_index(drop=True)
    overlap = any(lower[i] < upper[j] and lower[j] < upper[i] for i in range(len(bands)) for j in range(i))
    return lower, upper, overlap


def scheme_alt(
    definitions: pd.DataFrame, labels: pd.Series | dict, limits: tuple[float, float] = FOLLOWER_LIMITS
) -> str:
    """scheme_chart's alt text, from the same definitions: the rows and axis, where micro bands start and end, where
    macro starts, and which schemes draw overlapping bands."""
    micro = definitions[definitions["tier"].astype("string") == "micro"]
    macro = definitions[definitions["tier"].astype("string") == "macro"]["min_followers"].dropna()
    overlapping = [
        labels[scheme]
        for scheme, bands in definitions.groupby("scheme_id", sort=False)
        if _scheme_bands(bands, limits)[2]
    ]
    starts = [fmt_followers(v) for v in sorted(set(macro))]

    def between(values: pd.Series) -> str:
        return f"between {fmt_followers(values.min())} and {fmt_followers(values.max())}"

    return (
        f"Horizontal bar chart with one row per scheme, {definitions['scheme_id'].nunique() + 1} with the canonical "
        f"one on top, and follower count from {fmt_followers(limits[0])} to {fmt_followers(limits[1])} on a log "
        f"scale. Micro bands start {between(micro['min_followers'].dropna())} followers and end "
        f"{between(micro['max_followers'].dropna())}; macro starts at {', '.join(starts[:-1])} or {starts[-1]}, "
        "depending on the source"
        + (
            f"; {' and '.join(overlapping)} draw{'s' if len(overlapping) == 1 else ''} bands that overlap."
            if overlapping
            else "."
        )
    )


def scheme_chart(
    definitions: pd.DataFrame,
    labels: pd.Series | dict,
    ax: plt.Axes | None = None,
    limits: tuple[float, float] = FOLLOWER_LIMITS,
) -> plt.Axes:
    """Every scheme as one row of tier bars on a log follower axis, the canonical scheme on top.

    `definitions` is tier_definitions (scheme_id, source_id, tier, min_followers, max_followers, approx);
    `labels` maps scheme_id to a short label (evidence.scheme_labels). Hedged bounds ("roughly", "often") are
    drawn hatched; a band that a scheme leaves open runs to the edge of the axis. Overlapping bands in one scheme
    are stacked.
    """
    canonical = CANONICAL.assign(scheme_id="canonical", source_id="canonical", approx=False)
    table = pd.concat([canonical, definitions], ignore_index=True)
    schemes = list(dict.fromkeys(table["scheme_id"]))
    own = ax is None
    if ax is None:
        _, ax = plt.subplots(figsize=(WIDTH, 0.42 * len(schemes) + 1.6))
    for row_number, scheme_id in enumerate(schemes):
        bands = table[table["scheme_id"] == scheme_id].reset_index(drop=True)
        lower, upper, stacked = _scheme_bands(bands, limits)
        for k, band in bands.iterrows():
            height, offset = (0.36, (0.19 if k % 2 else -0.19)) if stacked else (0.7, 0.0)
            ax.barh(
                row_number + offset,
                upper[k] - lower[k],
                left=lower[k],
                height=height,
                color=TIER_COLOURS.get(str(band["tier"]), OTHER_BAND),
                alpha=0.9 if scheme_id == "canonical" else 0.75,
                hatch="///" if band["approx"] else None,
                edgecolor="white",
                linewidth=0.8,
            )
    tick_labels = ["Canonical (this book)"] + [labels[s] for s in schemes[1:]]
    ax.set_yticks(range(len(schemes)), tick_labels)
    ax.invert_yaxis()
    follower_axis(ax, limits=limits)
    ax.grid(axis="y", visible=False)
    handles = [mpl.patches.Patch(color=TIER_COLOURS[t], label=t) for t in TIERS]
    if table["tier"].isna().any():
        handles.append(mpl.patches.Patch(color=OTHER_BAND, label="another name"))
    handles.append(mpl.patches.Patch(facecolor="white", edgecolor="grey", hatch="///", label="hedged bound"))
    ax.legend(handles=handles, ncols=3, loc="upper right", bbox_to_anchor=(1.0, -0.16))
    if own:
        tight(ax)
    return ax


def claims_by_tier_chart(claims: pd.DataFrame, sources: pd.DataFrame, ax: plt.Axes | None = None) -> plt.Axes:
    """Stacked bars: how many ledger claims concern each tier (comparisons count for both sides), by grade."""
    grade = claims["source_id"].map(sources.set_index("source_id")["grade"])
    sides = pd.concat(
        [
            pd.DataFrame({"tier": claims["tier_a"], "grade": grade}),
            pd.DataFrame({"tier": claims["tier_b"], "grade": grade}),
        ]
    ).dropna()
    order = ["any", "sub_nano", "nano", "micro", "mid", "macro", "mega", "ads", "industry", "baseline"]
    table = pd.crosstab(sides["tier"], sides["grade"]).reindex([t for t in order if t in set(sides["tier"])])
    table = table.reindex(columns=[g for g in GRADE_COLOURS if g in table.columns])
    table.index = [t.replace("_", " ") for t in table.index]
    own = ax is None
    if ax is None:
        _, ax = plt.subplots(figsize=(WIDTH, 3.8))
    left = np.zeros(len(table))
    for g in table.columns:
        ax.barh(table.index, table[g], left=left, color=GRADE_COLOURS[g], label=f"grade {g}")
        left += table[g].to_numpy()
    ax.invert_yaxis()
    ax.set_xlabel("Claims in the ledger")
    ax.grid(axis="y", visible=False)
    ax.legend(ncols=1, loc="lower right")
    if own:
        tight(ax)
    return ax


def _audit_rows(result: pd.DataFrame) -> pd.DataFrame:
    """The checks audit_chart draws (verdict known, both sides finite and positive), with `ratio`, recomputed over
    stated (geometric midpoints), inconsistent first, each group by ratio."""

    def mid(lo, hi):
        return np.sqrt(lo * hi)

    rows = result[result["verdict"] != "unverifiable"].copy()
    finite = np.isfinite(rows[["stated_low", "stated_high", "recomputed_low", "recomputed_high"]]).all(axis=1)
    positive = (rows[["stated_low", "recomputed_low"]] > 0).all(axis=1)
    rows = rows[finite & positive]
    rows["ratio"] = mid(rows["recomputed_low"], rows["recomputed_high"]) / mid(rows["stated_low"], rows["stated_high"])
    rows["group"] = rows["verdict"].map({"inconsistent": 0, "consistent": 1})
    return rows.sort_values(["group", "ratio"], kind="stable").reset_index(drop=True)


def audit_alt(result: pd.DataFrame) -> str:
    """audit_chart's alt text, from the rows it draws: how many checks, and where each verdict's dots lie."""
    rows = _audit_rows(result)
    ok, bad = rows[rows["verdict"] == "consistent"], rows[rows["verdict"] == "inconsistent"]

    def span(r: pd.Series) -> str:
        return f"{r.min():.2g}× to {r.max():.2g}×"

    below, above = bad["ratio"] < 1 - 1e-9, bad["ratio"] > 1 + 1e-9
    at = int((~below & ~above).sum())
    # at 1x and still inconsistent: only a check that fails a figure for its label (same_tier) or its source (distinct)
    named = bad.loc[~below & ~above, "match"].isin(["same_tier", "distinct"]).all()
    why = " (the same figure, under another tier or source)" if named else ""
    return (
        f"Dot plot, one row per check with numbers on both sides, {len(rows)} in all, on a log axis of recomputed over "
        f"stated. Green dots for the {fmt_count(len(ok), 'consistent check')} lie from {span(ok['ratio'])}; orange "
        f"dots for the {fmt_count(len(bad), 'inconsistent check')} lie from {span(bad['ratio'])}: "
        f"{int(below.sum())} below 1×, {int(above.sum())} above" + (f" and {at} at 1×{why}." if at else ".")
    )


def audit_chart(
    result: pd.DataFrame, labels: pd.Series | dict | None = None, tolerance: float = 0.15, ax: plt.Axes | None = None
) -> plt.Axes:
    """Each checked claim as recomputed over stated (geometric midpoints) on a log axis, coloured by verdict.

    1x means the claim matches what its inputs give; the shaded band is a factor of 1 + `tolerance` either way
    (pass audit.HEDGED_TOLERANCE, the tolerance for a hedged claim). Unverifiable checks and checks with open-ended
    ranges are left out. `labels` maps check_id to a row label (default: the check_id).
    """

    rows = _audit_rows(result)
    height = 0.24 * len(rows) + 1.4
    own = ax is None
    if ax is None:
        _, ax = plt.subplots(figsize=(WIDTH, height))
    ax.axvspan(1 / (1 + tolerance), 1 + tolerance, color="#DDDDDD", lw=0, zorder=0)
    ax.axvline(1, color="grey", lw=0.8)
    for verdict, colour in VERDICT_COLOURS.items():
        sel = rows["verdict"] == verdict
        if sel.any():
            ax.scatter(rows.loc[sel, "ratio"], rows.index[sel], color=colour, label=verdict, zorder=3, s=26)
    names = rows["check_id"] if labels is None else rows["check_id"].map(lambda c: f"{c}  {labels[c]}")
    ax.set_yticks(rows.index, names)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xscale("log")
    # four labels half a decade apart: on a phone the long check labels leave the axis about 120 px, where six
    # labels (0.1x to 5x) ran into one another
    ax.set_xticks([0.1, 0.3, 1, 3])
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:g}×"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("Recomputed ÷ stated (log scale)\n1× = the claim checks out")
    ax.grid(axis="y", visible=False)
    ax.legend(loc="upper right", bbox_to_anchor=(1.0, -1.1 / height), ncols=2)
    if own:
        tight(ax)
    return ax


def contain(ax: plt.Axes, values, room: float = 0.1) -> None:
    """Set a log y axis to hold every positive finite value with `room` (a share of the span, in log space, at least
    a factor of 1.2) beyond the extremes, so that no marker sits on the axes' edge."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values) & (values > 0)]
    if values.size == 0:
        return
    low, high = np.log10(values.min()), np.log10(values.max())
    pad = max(room * (high - low), np.log10(1.2))
    ax.set_ylim(10 ** (low - pad), 10 ** (high + pad))


TIER_PANELS = {
    "engagement_rate": ("Engagement rate", "fraction"),
    "conversion_rate": ("Conversion rate", "fraction"),
    "price_per_post": ("Price per post (USD)", "currency"),
    "cost_per_engagement": ("Cost per engagement (USD)", "currency"),
    "roas": ("Return per dollar (ROAS)", "ratio"),
}


def tier_ranges_chart(
    claims: pd.DataFrame,
    tier: str | None,
    metrics: dict = TIER_PANELS,
    simulated: pd.DataFrame | None = None,
    max_points: int = 3_000,
) -> plt.Figure:
    """One panel per metric, stacked: every ledger claim about a single tier as a segment over its follower range
    at its value (a vertical whisker where the value is a range), the claims about `tier` in full colour and the
    others faded (tier=None: all in full colour). Marker shape is the platform; hollow markers are the articles'
    illustrative examples. `simulated` (simulate.campaign_metrics output) adds simulated campaigns as grey points
    behind the claims (a seeded sample of `max_points`)."""
    fig, axes = plt.subplots(len(metrics), 1, figsize=(WIDTH, 1.9 * len(metrics) + 2.2), sharex=True)
    axes = np.atleast_1d(axes)
    usable = claims[claims["tier_b"].isna() & claims["midpoint_followers"].notna() & claims["tier_a"].isin(TIERS)]
    for ax, (metric, (title, unit)) in zip(axes, metrics.items()):
        tier_bands(ax, label=False, alpha=0.06, limits=CLAIM_LIMITS)
        if simulated is not None:
            shown = simulated if len(simulated) <= max_points else simulated.sample(max_points, random_state=0)
            ax.scatter(
                shown["followers"], shown[metric], s=2, color="#999999", alpha=0.25, lw=0, rasterized=True, zorder=1
            )
        rows = usable[usable["metric"] == metric]
        for row in rows.itertuples(index=False):
            focus = tier is None or row.tier_a == tier
            colour = TIER_COLOURS[row.tier_a]
            lo_v = row.value_low if pd.notna(row.value_low) else row.value_high
            hi_v = row.value_high if pd.notna(row.value_high) else row.value_low
            y = np.sqrt(lo_v * hi_v)
            x_lo = max(
                row.range_min if pd.notna(row.range_min) else FOLLOWER_LIMITS[0],
                FOLLOWER_FLOOR if row.range_max > FOLLOWER_FLOOR else CLAIM_LIMITS[0],
            )
            x_hi = min(row.range_max if pd.notna(row.range_max) else FOLLOWER_CAP, FOLLOWER_CAP)
            alpha = 0.95 if focus else 0.25
            ax.plot([x_lo, x_hi], [y, y], color=colour, alpha=alpha, lw=2.2 if focus else 1.2, zorder=2)
            if hi_v > lo_v:
                ax.plot([row.midpoint_followers] * 2, [lo_v, hi_v], color=colour, alpha=alpha, lw=1, zorder=2)
            ax.scatter(
                [row.midpoint_followers],
                [y],
                marker=PLATFORM_MARKERS.get(row.platform, "D"),
                s=26,
                facecolor="white" if row.illustrative else colour,
                edgecolor=colour,
                alpha=alpha,
                zorder=3,
            )
        follower_axis(ax, limits=CLAIM_LIMITS, label="")
        log_axis(ax, "y", percent if unit == "fraction" else (lambda v: f"{v:,g}"))
        values = rows[["value_low", "value_high"]].to_numpy(dtype=float).ravel()
        if simulated is not None:
            values = np.concatenate([values, shown[metric].to_numpy(dtype=float)])
        contain(ax, values)
        ax.set_title(title, loc="left")
    axes[-1].set_xlabel("Followers (log scale): each segment spans\nthe follower range the claim is about")
    handles = [mpl.lines.Line2D([], [], color=TIER_COLOURS[t], lw=2, label=t) for t in TIERS]
    handles += [mpl.lines.Line2D([], [], color="grey", marker=m, lw=0, label=p) for p, m in PLATFORM_MARKERS.items()]
    handles.append(
        mpl.lines.Line2D([], [], color="grey", marker="o", markerfacecolor="white", lw=0, label="illustrative")
    )
    if simulated is not None:
        handles.append(mpl.lines.Line2D([], [], color="#999999", marker="o", lw=0, label="simulated"))
    fig.legend(
        handles=handles,
        loc="lower center",
        ncols=3,
        bbox_to_anchor=(0.5, 0.0),
        title=f"{tier} in full colour" if tier else None,
    )
    fig.tight_layout(rect=(0, 1.2 / (1.9 * len(metrics) + 2.2), 1, 1))
    return fig


def metaregression_chart(
    panels: list[tuple[str, pd.DataFrame, pd.DataFrame, str]], real: pd.DataFrame | None = None
) -> plt.Figure:
    """One panel per metric, stacked: the ledger claims used (marker size by weight, colour by platform) and the
    fitted log-log line with its 95% band. `panels` is a list of (title, points, fitted_lines, unit) tuples, unit
    "fraction" for rates (shown as percentages) or anything else for plain numbers. `real` (followers, fitted), if
    given, is drawn dashed in the first panel: the real posts' line."""
    height = 2.2 * len(panels) + 1.3
    fig, axes = plt.subplots(len(panels), 1, figsize=(WIDTH, height), squeeze=False, sharex=True)
    for number, (ax, (title, points, lines, unit)) in enumerate(zip(axes[:, 0], panels)):
        if number == 0 and real is not None:
            ax.plot(real["followers"], real["fitted"], color="black", lw=1.4, ls="--", zorder=4)
        tier_bands(ax, label=False, alpha=0.07, limits=CLAIM_LIMITS)
        for platform, group in lines.groupby("platform"):
            colour = PLATFORM_COLOURS.get(platform, "black")
            ax.fill_between(group["followers"], group["ci_low"], group["ci_high"], color=colour, alpha=0.12, lw=0)
            ax.plot(group["followers"], group["fitted"], color=colour, lw=1.4)
        for platform, group in points.groupby("platform"):
            ax.scatter(
                group["followers"],
                group["value"],
                s=60 * group["weight_grade"] + 8,
                color=PLATFORM_COLOURS.get(platform, "black"),
                alpha=0.8,
                label=platform,
                zorder=3,
                edgecolor="white",
                linewidth=0.5,
            )
        follower_axis(ax, limits=CLAIM_LIMITS, label="")
        log_axis(ax, "y", percent if unit == "fraction" else (lambda v: f"{v:,g}"))
        ax.set_title(title, loc="left")
    axes[-1, 0].set_xlabel("Followers (log scale)")
    handles = [mpl.lines.Line2D([], [], color=c, marker="o", lw=0, label=p) for p, c in PLATFORM_COLOURS.items()]
    if real is not None:
        handles.append(mpl.lines.Line2D([], [], color="black", ls="--", label="real posts"))
    fig.legend(handles=handles, loc="lower center", ncols=3, bbox_to_anchor=(0.5, 0.0))
    fig.tight_layout(rect=(0, 0.75 / height, 1, 1))
    return fig


def evidence_chart(table: pd.DataFrame, note: str = "") -> plt.Axes:
    """synthesis.evidence_table: every estimate of each elasticity with its 95% interval, grouped by elasticity,
    the estimate downstream code uses in colour."""
    labels = {
        "engagement_rate": "engagement rate",
        "conversion_rate": "conversion rate",
        "price_per_post": "price per post",
        "return_per_dollar": "return per dollar",
    }
    fig, ax = plt.subplots(figsize=(WIDTH, 0.62 * len(table) + 1.3))
    y = np.arange(len(table))
    used = table["evidence"].str.endswith("(used)")
    colours = ["#D55E00" if u else "#0072B2" for u in used]
    ax.axvline(0, color="black", lw=0.8)
    ax.hlines(y, table["ci_low"], table["ci_high"], colors=colours, lw=2.5)
    ax.scatter(table["estimate"], y, color=colours, s=28, zorder=3)
    ax.set_yticks(
        y, [f"{labels.get(e, e)}:\n{textwrap.fill(w, 24)}" for e, w in zip(table["elasticity"], table["evidence"])]
    )
    ax.set_ylim(len(table) - 0.5, -0.5)
    ax.set_xlabel("Elasticity with respect to followers\n(95% CI)" + (f"\n{note}" if note else ""))
    ax.grid(axis="y", visible=False)
    fig.tight_layout()
    return ax


def specification_curve_chart(table: pd.DataFrame, options: dict, note: str = "") -> plt.Figure:
    """synthesis.specification_curve: top, every specification's estimate of the elasticity of return per dollar
    with its 95% interval, sorted, the main specification in colour; below, which option of each choice produced
    it (one row per option, a mark where it was used). `options` is synthesis.OPTIONS (choice -> options)."""
    rows = [(choice, option) for choice, values in options.items() for option in values]
    # drawn to three decimals, far below a pixel: thousands of fits differ between CPUs in the sixth decimal, enough
    # to move some of their marks across the figure digest's grid
    table = table.assign(**{c: table[c].round(3) for c in ("estimate", "ci_low", "ci_high")})
    fig, (top, bottom) = plt.subplots(
        2,
        1,
        figsize=(WIDTH, 3.0 + 0.22 * len(rows)),
        sharex=True,
        gridspec_kw={"height_ratios": [3.0, 0.22 * len(rows) + 0.2]},
    )
    x = np.arange(len(table))
    main = table["main"].to_numpy()
    # hundreds of marks: rasterised, so the page stays light
    top.vlines(x[~main], table["ci_low"][~main], table["ci_high"][~main], color="#BBBBBB", lw=0.6, rasterized=True)
    top.scatter(x[~main], table["estimate"][~main], s=4, color="#555555", lw=0, zorder=3, rasterized=True)
    top.vlines(x[main], table["ci_low"][main], table["ci_high"][main], color="#D55E00", lw=2, zorder=4)
    top.scatter(
        x[main], table["estimate"][main], s=30, color="#D55E00", zorder=5, label="the book's main specification"
    )
    top.axhline(0, color="black", lw=0.8)
    top.set_ylabel("Elasticity of return\nper dollar (95% CI)")
    top.legend(loc="upper left")
    for i, (choice, option) in enumerate(rows):
        used = (table[choice] == option).to_numpy()
        bottom.scatter(x[used], np.full(used.sum(), i), marker="|", s=12, color="#0072B2", lw=0.6, rasterized=True)
        bottom.scatter(x[used & main], [i] * int((used & main).sum()), marker="o", s=20, color="#D55E00", zorder=3)
    bottom.set_yticks(range(len(rows)), [f"{c.replace('_', ' ')}: {o.replace('_', ' ')}" for c, o in rows])
    bottom.set_ylim(len(rows) - 0.5, -0.5)
    bottom.grid(False)
    bottom.set_xlabel("Specifications, sorted by estimate" + (f" · {note}" if note else ""))
    bottom.set_xticks([])
    fig.tight_layout(h_pad=0.3)
    return fig
