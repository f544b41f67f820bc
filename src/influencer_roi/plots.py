"""The house style for figures: a log follower axis, the same tier bands and one colour-blind-safe palette.

    >>> fig, ax = plt.subplots()
    >>> follower_axis(ax)
    >>> tier_bands(ax)
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter

from .tiers import CANONICAL, TIERS

# Okabe and Ito's colour-blind-safe palette; one fixed colour per tier across the whole book.
OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"]
TIER_COLOURS = dict(zip(TIERS, ["#E69F00", "#0072B2", "#009E73", "#CC79A7"]))
OTHER_BAND = "#999999"  # a source's band with no canonical tier name (IAB UK's "mid-tier")
FOLLOWER_LIMITS = (100, 100_000_000)


def set_style() -> None:
    """Apply the house style to matplotlib and seaborn (called by book.setup())."""
    import seaborn as sns  # here, not at the top: the command line draws without it and starts faster

    sns.set_theme(style="whitegrid", palette=OKABE_ITO, font_scale=0.95)
    mpl.rcParams.update(
        {
            "figure.figsize": (7.0, 4.0),
            "figure.dpi": 96,
            "axes.titlesize": "medium",
            "axes.titleweight": "bold",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "legend.frameon": False,
            # SVG: small, sharp on a phone, and text stays text; a fixed salt makes the file byte-identical
            # between runs, so strict nbval compares figures too.
            "svg.fonttype": "none",
            "svg.hashsalt": "does-smaller-pay",
        }
    )


def format_followers(value: float, _pos=None) -> str:
    """1,000 -> '1k', 2,500,000 -> '2.5M'."""
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:g}{suffix}"
    return f"{value:g}"


def follower_axis(ax: plt.Axes, axis: str = "x", limits: tuple[float, float] = FOLLOWER_LIMITS,
                  label: str = "Followers (log scale)") -> plt.Axes:
    """Make `axis` of `ax` a log follower axis with ticks at each power of ten, labelled 1k, 10k, 1M."""
    set_scale, set_lim, set_label, target = (
        (ax.set_xscale, ax.set_xlim, ax.set_xlabel, ax.xaxis) if axis == "x"
        else (ax.set_yscale, ax.set_ylim, ax.set_ylabel, ax.yaxis)
    )
    set_scale("log")
    set_lim(*limits)
    decades = 10.0 ** np.arange(np.floor(np.log10(limits[0])), np.ceil(np.log10(limits[1])) + 1)
    target.set_major_locator(FixedLocator(decades))
    target.set_major_formatter(FuncFormatter(format_followers))
    target.set_minor_formatter(NullFormatter())
    set_label(label)
    return ax


def tier_bands(ax: plt.Axes, scheme: pd.DataFrame = CANONICAL, label: bool = True, alpha: float = 0.10,
               limits: tuple[float, float] = FOLLOWER_LIMITS) -> plt.Axes:
    """Shade each tier of `scheme` (canonical by default) behind the data on a log follower x axis."""
    for row in scheme.itertuples(index=False):
        lo = max(row.min_followers if pd.notna(row.min_followers) else limits[0], limits[0])
        hi = min(row.max_followers if pd.notna(row.max_followers) else limits[1], limits[1])
        colour = TIER_COLOURS[str(row.tier)]
        ax.axvspan(lo, hi, color=colour, alpha=alpha, lw=0, zorder=0)
        if label:
            ax.text(np.sqrt(lo * hi), 1.0, str(row.tier), transform=ax.get_xaxis_transform(),
                    ha="center", va="bottom", fontsize="small", color=colour, fontweight="bold")
    return ax


def scheme_chart(definitions: pd.DataFrame, labels: pd.Series | dict, ax: plt.Axes | None = None,
                 limits: tuple[float, float] = FOLLOWER_LIMITS) -> plt.Axes:
    """Every scheme as one row of tier bars on a log follower axis, the canonical scheme on top.

    `definitions` is tier_definitions (scheme_id, source_id, tier, min_followers, max_followers, approx);
    `labels` maps scheme_id to a short label (evidence.scheme_labels). Hedged bounds ("roughly", "often") are drawn hatched; a band
    that a scheme leaves open runs to the edge of the axis. Overlapping bands in one scheme are stacked.
    """
    canonical = CANONICAL.assign(scheme_id="canonical", source_id="canonical", approx=False)
    table = pd.concat([canonical, definitions], ignore_index=True)
    schemes = list(dict.fromkeys(table["scheme_id"]))
    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 0.42 * len(schemes) + 1.2))
    for row_number, scheme_id in enumerate(schemes):
        bands = table[table["scheme_id"] == scheme_id].reset_index(drop=True)
        lower = bands["min_followers"].fillna(limits[0]).clip(lower=limits[0])
        upper = bands["max_followers"].fillna(limits[1]).clip(upper=limits[1])
        stacked = len(bands) - 1 > 0 and any(
            lower[i] < upper[j] and lower[j] < upper[i] for i in range(len(bands)) for j in range(i)
        )
        for k, band in bands.iterrows():
            height, offset = (0.36, (0.19 if k % 2 else -0.19)) if stacked else (0.7, 0.0)
            ax.barh(row_number + offset, upper[k] - lower[k], left=lower[k], height=height,
                    color=TIER_COLOURS.get(str(band["tier"]), OTHER_BAND), alpha=0.9 if scheme_id == "canonical" else 0.75,
                    hatch="///" if band["approx"] else None, edgecolor="white", linewidth=0.8)
    tick_labels = ["Canonical (this book)"] + [labels[s] for s in schemes[1:]]
    ax.set_yticks(range(len(schemes)), tick_labels)
    ax.invert_yaxis()
    follower_axis(ax, limits=limits)
    ax.grid(axis="y", visible=False)
    handles = [mpl.patches.Patch(color=TIER_COLOURS[t], label=t) for t in TIERS]
    if table["tier"].isna().any():
        handles.append(mpl.patches.Patch(color=OTHER_BAND, label="another name"))
    handles.append(mpl.patches.Patch(facecolor="white", edgecolor="grey", hatch="///", label="hedged bound"))
    ax.legend(handles=handles, ncols=5, loc="upper center", bbox_to_anchor=(0.5, -0.14), fontsize="small")
    return ax


# Fixed colours for source grades (A best) and audit verdicts, from the same Okabe-Ito palette.
GRADE_COLOURS = {"A": "#0072B2", "B": "#56B4E9", "C": "#E69F00", "D": "#D55E00"}
VERDICT_COLOURS = {"consistent": "#009E73", "inconsistent": "#D55E00", "unverifiable": "#999999"}


def claims_by_tier_chart(claims: pd.DataFrame, sources: pd.DataFrame, ax: plt.Axes | None = None) -> plt.Axes:
    """Stacked bars: how many ledger claims concern each tier (comparisons count for both sides), by grade."""
    grade = claims["source_id"].map(sources.set_index("source_id")["grade"])
    sides = pd.concat([
        pd.DataFrame({"tier": claims["tier_a"], "grade": grade}),
        pd.DataFrame({"tier": claims["tier_b"], "grade": grade}),
    ]).dropna()
    order = ["any", "sub_nano", "nano", "micro", "mid", "macro", "mega", "ads", "industry", "baseline"]
    table = pd.crosstab(sides["tier"], sides["grade"]).reindex([t for t in order if t in set(sides["tier"])])
    table = table.reindex(columns=[g for g in GRADE_COLOURS if g in table.columns])
    if ax is None:
        _, ax = plt.subplots(figsize=(7.0, 3.8))
    left = np.zeros(len(table))
    for g in table.columns:
        ax.barh(table.index, table[g], left=left, color=GRADE_COLOURS[g], label=f"grade {g}")
        left += table[g].to_numpy()
    ax.invert_yaxis()
    ax.set_xlabel("Claims in the ledger")
    ax.grid(axis="y", visible=False)
    ax.legend(ncols=len(table.columns), loc="lower right", fontsize="small")
    return ax


def audit_chart(result: pd.DataFrame, labels: pd.Series | dict | None = None, tolerance: float = 0.15,
                ax: plt.Axes | None = None) -> plt.Axes:
    """Each checked claim as recomputed over stated (geometric midpoints) on a log axis, coloured by verdict.

    1x means the claim matches what its inputs give; the shaded band is a factor of 1 + `tolerance` either
    way (pass audit.HEDGED_TOLERANCE, the tolerance for a hedged claim). Unverifiable checks and checks with open-ended ranges are left out.
    `labels` maps check_id to a row label (default: the check_id).
    """
    def mid(lo, hi):
        return np.sqrt(lo * hi)

    rows = result[result["verdict"] != "unverifiable"].copy()
    finite = np.isfinite(rows[["stated_low", "stated_high", "recomputed_low", "recomputed_high"]]).all(axis=1)
    positive = (rows[["stated_low", "recomputed_low"]] > 0).all(axis=1)
    rows = rows[finite & positive]
    rows["ratio"] = mid(rows["recomputed_low"], rows["recomputed_high"]) / mid(rows["stated_low"], rows["stated_high"])
    rows["group"] = rows["verdict"].map({"inconsistent": 0, "consistent": 1})
    rows = rows.sort_values(["group", "ratio"], kind="stable").reset_index(drop=True)
    if ax is None:
        _, ax = plt.subplots(figsize=(7.0, 0.2 * len(rows) + 1.4))
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
    ax.set_xticks([0.1, 0.2, 0.5, 1, 2, 5])
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:g}×"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("Recomputed ÷ stated (log scale; 1× = the claim checks out)")
    ax.tick_params(axis="y", labelsize="x-small")
    ax.grid(axis="y", visible=False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.9 / (0.2 * len(rows) + 1.4)), ncols=2, fontsize="small")
    return ax


TIER_PANELS = {
    "engagement_rate": ("Engagement rate", "fraction"),
    "conversion_rate": ("Conversion rate", "fraction"),
    "price_per_post": ("Price per post (USD)", "currency"),
    "cost_per_engagement": ("Cost per engagement (USD)", "currency"),
    "roas": ("Return per dollar (ROAS)", "ratio"),
}
PLATFORM_MARKERS = {"instagram": "o", "tiktok": "s", "youtube": "^", "any": "D"}


def tier_ranges_chart(claims: pd.DataFrame, tier: str | None, metrics: dict = TIER_PANELS,
                      simulated: pd.DataFrame | None = None, max_points: int = 3_000) -> plt.Figure:
    """One panel per metric: every ledger claim about a single tier as a segment over its follower range at its
    value (a vertical whisker where the value is a range), the claims about `tier` in full colour and the others
    faded (tier=None: all in full colour). Marker shape is the platform; hollow markers are the articles'
    illustrative examples. `simulated` (simulate.campaign_metrics output) adds simulated campaigns as grey points
    behind the claims (a seeded sample of `max_points`)."""
    fig, axes = plt.subplots(3, 2, figsize=(7.5, 8.4))
    axes = axes.ravel()
    usable = claims[claims["tier_b"].isna() & claims["midpoint_followers"].notna()
                    & claims["tier_a"].isin(TIERS)]
    limits = (100, 10_000_000)
    for ax, (metric, (title, unit)) in zip(axes, metrics.items()):
        tier_bands(ax, label=False, alpha=0.06, limits=limits)
        if simulated is not None:
            shown = simulated if len(simulated) <= max_points else simulated.sample(max_points, random_state=0)
            ax.scatter(shown["followers"], shown[metric], s=2, color="#999999", alpha=0.25, lw=0, rasterized=True,
                       zorder=1)
        rows = usable[usable["metric"] == metric]
        for row in rows.itertuples(index=False):
            focus = tier is None or row.tier_a == tier
            colour = TIER_COLOURS[row.tier_a]
            lo_v = row.value_low if pd.notna(row.value_low) else row.value_high
            hi_v = row.value_high if pd.notna(row.value_high) else row.value_low
            y = np.sqrt(lo_v * hi_v)
            x_lo = max(row.range_min if pd.notna(row.range_min) else FOLLOWER_LIMITS[0], 1_000 if row.range_max > 1_000 else 100)
            x_hi = min(row.range_max if pd.notna(row.range_max) else 10_000_000, 10_000_000)
            alpha = 0.95 if focus else 0.25
            ax.plot([x_lo, x_hi], [y, y], color=colour, alpha=alpha, lw=2.2 if focus else 1.2, zorder=2)
            if hi_v > lo_v:
                ax.plot([row.midpoint_followers] * 2, [lo_v, hi_v], color=colour, alpha=alpha, lw=1, zorder=2)
            ax.scatter([row.midpoint_followers], [y], marker=PLATFORM_MARKERS.get(row.platform, "D"), s=26,
                       facecolor="white" if row.illustrative else colour, edgecolor=colour, alpha=alpha, zorder=3)
        follower_axis(ax, limits=limits, label="")
        ax.set_yscale("log")
        if unit == "fraction":
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{100 * v:g}%"))
        else:
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:g}"))
        ax.yaxis.set_minor_formatter(NullFormatter())
        ax.set_title(title)
        ax.tick_params(labelsize="x-small")
    for ax in axes[len(metrics):]:
        ax.axis("off")
    legend_ax = axes[-1]
    handles = [mpl.lines.Line2D([], [], color=TIER_COLOURS[t], lw=2, label=t) for t in TIERS]
    handles += [mpl.lines.Line2D([], [], color="grey", marker=m, lw=0, label=p) for p, m in PLATFORM_MARKERS.items()]
    handles.append(mpl.lines.Line2D([], [], color="grey", marker="o", markerfacecolor="white", lw=0,
                                    label="illustrative example"))
    if simulated is not None:
        handles.append(mpl.lines.Line2D([], [], color="#999999", marker="o", lw=0, label="simulated campaign"))
    legend_ax.legend(handles=handles, loc="center", fontsize="small", ncols=2,
                     title=f"{tier} in full colour" if tier else None)
    fig.supxlabel("Followers (log scale); each segment spans the follower range the claim is about", fontsize="small")
    fig.tight_layout()
    return fig


PLATFORM_COLOURS = {"instagram": "#0072B2", "tiktok": "#D55E00", "youtube": "#009E73", "any": "#000000"}


def metaregression_chart(panels: list[tuple[str, pd.DataFrame, pd.DataFrame, str]],
                         real: pd.DataFrame | None = None) -> plt.Figure:
    """One panel per metric: the ledger claims used (marker size by weight, colour by platform) and the fitted
    log-log line with its 95% band. `panels` is a list of (title, points, fitted_lines, unit) tuples, unit
    "fraction" for rates (shown as percentages) or anything else for plain numbers. `real` (followers, fitted), if
    given, is drawn dashed in the first panel: the real posts' line."""
    fig, axes = plt.subplots(1, len(panels), figsize=(7.5, 3.4), squeeze=False)
    for number, (ax, (title, points, lines, unit)) in enumerate(zip(axes[0], panels)):
        if number == 0 and real is not None:
            ax.plot(real["followers"], real["fitted"], color="black", lw=1.4, ls="--", zorder=4)
        tier_bands(ax, label=False, alpha=0.07, limits=(100, 10_000_000))
        for platform, group in lines.groupby("platform"):
            colour = PLATFORM_COLOURS.get(platform, "black")
            ax.fill_between(group["followers"], group["ci_low"], group["ci_high"], color=colour, alpha=0.12, lw=0)
            ax.plot(group["followers"], group["fitted"], color=colour, lw=1.4)
        for platform, group in points.groupby("platform"):
            ax.scatter(group["followers"], group["value"], s=60 * group["weight_grade"] + 8,
                       color=PLATFORM_COLOURS.get(platform, "black"), alpha=0.8, label=platform, zorder=3,
                       edgecolor="white", linewidth=0.5)
        follower_axis(ax, limits=(100, 10_000_000), label="")
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(FuncFormatter(
            (lambda v, _p: f"{100 * v:g}%") if unit == "fraction" else (lambda v, _p: f"{v:g}")))
        ax.yaxis.set_minor_formatter(NullFormatter())
        ax.set_title(title)
        ax.tick_params(labelsize="x-small")
    handles = [mpl.lines.Line2D([], [], color=c, marker="o", lw=0, label=p) for p, c in PLATFORM_COLOURS.items()]
    if real is not None:
        handles.append(mpl.lines.Line2D([], [], color="black", ls="--", label="real posts"))
    fig.legend(handles=handles, loc="lower center", ncols=len(handles), fontsize="small", bbox_to_anchor=(0.5, -0.06))
    fig.supxlabel("Followers (log scale)", fontsize="small", y=0.06)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    return fig


def roi_fit_chart(data: pd.DataFrame, roas_line: pd.DataFrame, revenue_line: pd.DataFrame,
                  cost_line: pd.DataFrame, max_points: int = 4_000, seed: int = 0, note: str = "") -> plt.Figure:
    """Left: return per dollar of each campaign against followers, with the fitted elasticity and its 95% band.
    Right: the decomposition, revenue and cost per campaign, each with its fitted line. Above `max_points`
    campaigns a seeded random sample is drawn (the fits use all). Points are rasterised to keep the file small."""
    shown = data if len(data) <= max_points else data.sample(max_points, random_state=seed)
    fig, (left, right) = plt.subplots(1, 2, figsize=(7.5, 3.6))
    for ax in (left, right):
        tier_bands(ax, alpha=0.07, limits=(1_000, 10_000_000))
    left.scatter(shown["followers"], shown["roas"], s=4, alpha=0.25, color="#555555", rasterized=True, lw=0)
    left.fill_between(roas_line["followers"], roas_line["ci_low"], roas_line["ci_high"], color="#D55E00", alpha=0.3, lw=0)
    left.plot(roas_line["followers"], roas_line["fitted"], color="#D55E00", lw=2)
    left.set_yscale("log")
    left.set_ylabel("Revenue ÷ cost (log scale)")
    left.set_title("Return per dollar", pad=16)
    for line, colour, label, column in ((revenue_line, "#0072B2", "revenue", "revenue"),
                                        (cost_line, "#E69F00", "cost", "cost")):
        right.scatter(shown["followers"], shown[column], s=3, alpha=0.15, color=colour, rasterized=True, lw=0)
        right.fill_between(line["followers"], line["ci_low"], line["ci_high"], color=colour, alpha=0.3, lw=0)
        right.plot(line["followers"], line["fitted"], color=colour, lw=2, label=label)
    right.set_yscale("log")
    right.set_ylabel("USD per campaign (log scale)")
    right.set_title("Revenue and cost", pad=16)
    right.legend(loc="upper left", fontsize="small")
    for ax in (left, right):
        follower_axis(ax, limits=(1_000, 10_000_000), label="")
        ax.yaxis.set_minor_formatter(NullFormatter())
        ax.tick_params(labelsize="x-small")
    fig.supxlabel("Followers (log scale)" + (f" · {note}" if note else ""), fontsize="small")
    fig.tight_layout()
    return fig


def diagnostics_chart(diagnostics: pd.DataFrame, max_points: int = 4_000) -> plt.Figure:
    """Left: residuals against fitted values. Right: Cook's distance against followers, with the common 4/n
    threshold. Input: models.ols_diagnostics."""
    shown = diagnostics if len(diagnostics) <= max_points else diagnostics.sample(max_points, random_state=0)
    fig, (left, right) = plt.subplots(1, 2, figsize=(7.5, 3.2))
    left.scatter(shown["fitted"], shown["residual"], s=4, alpha=0.3, color="#555555", lw=0, rasterized=True)
    left.axhline(0, color="#D55E00", lw=1)
    left.set_xlabel("Fitted log return per dollar")
    left.set_ylabel("Residual")
    left.set_title("Residuals")
    tier_bands(right, label=False, alpha=0.07, limits=(1_000, 10_000_000))
    right.scatter(shown["followers"], shown["cooks_distance"], s=4, alpha=0.4, color="#0072B2", lw=0, rasterized=True)
    right.axhline(4 / len(diagnostics), color="#D55E00", lw=1, ls="--", label="4 / n")
    follower_axis(right, limits=(1_000, 10_000_000))
    right.set_yscale("log")
    right.set_ylabel("Cook's distance (log scale)")
    right.set_title("Influence")
    right.legend(fontsize="small", loc="lower left")
    for ax in (left, right):
        ax.tick_params(labelsize="x-small")
    fig.tight_layout()
    return fig


def coverage_chart(summary: pd.DataFrame, nominal: float = 0.95) -> plt.Axes:
    """Coverage of each model's 95% intervals (dot) with its Wilson interval, one row per model and scenario."""
    fig, ax = plt.subplots(figsize=(7.0, 0.32 * len(summary) + 1.0))
    labels = summary["model"] + "  ·  " + summary["scenario"]
    y = np.arange(len(summary))
    ax.axvline(nominal, color="grey", lw=1)
    colours = np.where(summary["coverage_ci_high"] < nominal, VERDICT_COLOURS["inconsistent"],
                       VERDICT_COLOURS["consistent"])
    ax.hlines(y, summary["coverage_ci_low"], summary["coverage_ci_high"], color=colours, lw=2)
    ax.scatter(summary["coverage"], y, color=colours, zorder=3, s=25)
    ax.set_yticks(y, labels)
    ax.set_ylim(len(summary) - 0.5, -0.5)
    ax.set_xlim(0, 1.02)
    ax.set_xlabel("Share of 95% intervals that contain the true elasticity")
    ax.tick_params(axis="y", labelsize="x-small")
    ax.grid(axis="y", visible=False)
    return ax


def engagement_chart(data: pd.DataFrame, line: pd.DataFrame, medians: pd.DataFrame, max_points: int = 4_000,
                     seed: int = 0, note: str = "") -> plt.Figure:
    """Engagement rate of each post against followers (log-log; a seeded sample above `max_points` posts, the fits
    use all), the fitted elasticity with its 95% band, and each tier's median account with its 95% interval,
    placed at the tier's median follower count. Inputs: engagement.prepare, fitted_line, tier_medians."""
    shown = data if len(data) <= max_points else data.sample(max_points, random_state=seed)
    fig, ax = plt.subplots(figsize=(7.0, 3.8))
    tier_bands(ax, alpha=0.07, limits=(1_000, 10_000_000))
    ax.scatter(shown["followers"], shown["engagement_rate"], s=4, alpha=0.25, color="#555555", lw=0,
               rasterized=True, label="posts")
    ax.fill_between(line["followers"], line["ci_low"], line["ci_high"], color="#D55E00", alpha=0.3, lw=0)
    ax.plot(line["followers"], line["fitted"], color="#D55E00", lw=2, label="fitted elasticity")
    where = data.groupby("tier", observed=True)["followers"].median()
    for row in medians.itertuples(index=False):
        x = where.get(row.term, np.nan)
        err = np.array([[row.estimate - row.ci_low], [row.ci_high - row.estimate]])
        ax.errorbar(x, row.estimate, yerr=None if np.isnan(err).any() else err, fmt="o", ms=7, capsize=4,
                    color=TIER_COLOURS[row.term], mec="black", mew=0.6, zorder=5)
    ax.errorbar([], [], yerr=[], fmt="o", color="#999999", mec="black", label="tier median account (95% CI)")
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v * 100:g}%"))
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_ylabel("Engagement rate (log scale)")
    follower_axis(ax, limits=(1_000, 10_000_000), label="Followers (log scale)" + (f" · {note}" if note else ""))
    ax.legend(loc="lower left", fontsize="small")
    fig.tight_layout()
    return fig


def boundary_heatmap(table: pd.DataFrame, labels: pd.Series | dict | None = None, note: str = "") -> plt.Axes:
    """Tier ratios (robustness.boundary_sensitivity) as a heat map: one row per scheme, one column per contrast,
    each cell annotated with its ratio; blank where the scheme does not define both tiers. A log colour scale, so
    that 2x and 0.5x are equally far from 1."""
    import seaborn as sns
    from matplotlib.colors import LogNorm

    labels = dict(labels or {})
    grid = table.pivot(index="scheme_id", columns="contrast", values="ratio")
    order = ["canonical"] + [s for s in grid.index if s != "canonical"]
    columns = [c for c in ("nano_vs_micro", "micro_vs_macro", "macro_vs_mega", "micro_vs_mega", "nano_vs_mega")
               if c in grid.columns]
    grid = grid.loc[order, columns].astype(float)
    grid.index = [labels.get(s, s) for s in grid.index]
    grid.columns = [c.replace("_vs_", " ÷ ") for c in grid.columns]
    fig, ax = plt.subplots(figsize=(7.0, 0.45 * len(grid) + 1.4))
    sns.heatmap(grid, annot=True, fmt=".2f", cmap="cividis", norm=LogNorm(vmin=1, vmax=max(grid.max().max(), 2)),
                cbar_kws={"label": "ratio of geometric-mean return per dollar"}, linewidths=0.5, linecolor="white",
                ax=ax)
    ax.set_xlabel("contrast" + (f" · {note}" if note else ""))
    ax.set_ylabel("")
    ax.tick_params(axis="x", rotation=0, labelsize="small")
    ax.tick_params(axis="y", labelsize="small")
    return ax


def power_chart(table: pd.DataFrame, target: float = 0.8, note: str = "") -> plt.Axes:
    """Power against campaigns per tier (log axis): simulated points and the analytic t-test line, one colour per
    true ratio (column `ratio`), with the usual 80% target."""
    fig, ax = plt.subplots(figsize=(7.0, 3.6))
    for colour, (ratio, group) in zip(OKABE_ITO[4:] + OKABE_ITO, table.groupby("ratio", sort=True)):
        ax.plot(group["campaigns_per_tier"], group["power_analytic"], color=colour, lw=1.5)
        ax.scatter(group["campaigns_per_tier"], group["power_simulated"], color=colour, s=22, zorder=3,
                   label=f"{ratio:g}x difference")
    ax.axhline(target, color="#555555", lw=1, ls="--")
    ax.text(table["campaigns_per_tier"].min(), target + 0.02,
            f"{target:.0%} power", fontsize="small", color="#555555")
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:g}"))
    ax.set_xlabel("Campaigns in each of the two tiers (log scale)" + (f" · {note}" if note else ""))
    ax.set_ylabel("Chance of detecting it (p < 0.05)")
    ax.set_ylim(0, 1.02)
    ax.legend(loc="lower right", fontsize="small", title="true ratio (points: simulated; lines: t-test)",
              title_fontsize="small")
    return ax


def estimates_chart(table: pd.DataFrame, group: str, group_label: str, note: str = "") -> plt.Figure:
    """Estimated elasticities with 95% intervals against their truth, one panel per metric (column `metric`),
    one point per value of `group` (robustness.fake_followers)."""
    metrics = list(dict.fromkeys(table["metric"]))
    fig, axes = plt.subplots(1, len(metrics), figsize=(7.5, 2.8), sharex=True)
    for ax, metric in zip(np.atleast_1d(axes), metrics):
        rows = table[table["metric"] == metric]
        ax.errorbar(rows[group], rows["estimate"], yerr=[rows["estimate"] - rows["ci_low"],
                                                         rows["ci_high"] - rows["estimate"]],
                    fmt="o", color="#0072B2", capsize=3, label="estimated")
        ax.axhline(rows["truth"].iloc[0], color="#D55E00", lw=1.5, ls="--", label="true (no fakes)")
        ax.set_title(metric.replace("_", " "))
        ax.tick_params(labelsize="x-small")
    np.atleast_1d(axes)[0].set_ylabel("Elasticity")
    np.atleast_1d(axes)[0].legend(fontsize="x-small", loc="best")
    fig.supxlabel(group_label + (f" · {note}" if note else ""), fontsize="small")
    fig.tight_layout()
    return fig


STRATEGY_COLOURS = {"all mega": TIER_COLOURS["mega"], "all macro": TIER_COLOURS["macro"],
                    "all micro": TIER_COLOURS["micro"], "all nano": TIER_COLOURS["nano"],
                    "70/30 micro/mega": "#56B4E9", "pyramid": "#D55E00", "nano first": "#000000",
                    "micro first": "#F0E442"}


def _money(value: float) -> str:
    return f"${format_followers(value)}"


def strategies_chart(table: pd.DataFrame, note: str = "") -> plt.Figure:
    """allocate.compare's table: per budget (one panel each), each strategy's return per dollar, its 5th-95th
    percentile range as a bar and its expected value as a dot; strategies in a fixed colour."""
    budgets = sorted(table["budget"].unique())
    names = list(dict.fromkeys(table["strategy"]))
    fig, axes = plt.subplots(1, len(budgets), figsize=(7.5, 3.4), sharey=True)
    for ax, budget in zip(np.atleast_1d(axes), budgets):
        rows = table[table["budget"] == budget].set_index("strategy").reindex(names)
        y = np.arange(len(names))
        colours = [STRATEGY_COLOURS.get(n, "#555555") for n in names]
        ax.hlines(y, rows["rpd_p05"], rows["rpd_p95"], colors=colours, lw=3, alpha=0.5)
        ax.scatter(rows["return_per_dollar"], y, c=colours, s=30, zorder=3, edgecolors="black", linewidths=0.5)
        ax.set_title(f"budget {_money(budget)}")
        ax.set_yticks(y, names, fontsize="small")
        ax.invert_yaxis()
        ax.tick_params(axis="x", labelsize="x-small")
    fig.supxlabel("Revenue per dollar spent (dot: expected; bar: 5th to 95th percentile)"
                  + (f" · {note}" if note else ""), fontsize="small")
    fig.tight_layout()
    return fig


def frontier_chart(mixes: pd.DataFrame, named: pd.DataFrame, note: str = "") -> plt.Figure:
    """Left: expected return per dollar against its 5th percentile for every mix (allocate.frontier), the
    efficient ones outlined; right: against reach. The named strategies (one row each in `named`) are labelled."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(7.5, 3.6))
    for ax, x, label in ((left, "rpd_p05", "5th percentile of revenue per dollar (worse ←)"),
                         (right, "mean_reach", "People reached (log scale)")):
        ax.scatter(mixes[x], mixes["return_per_dollar"], s=14, color="#BBBBBB", lw=0, label="mixes in steps of 25%")
        efficient = mixes[mixes["efficient"]]
        ax.scatter(efficient[x], efficient["return_per_dollar"], s=22, facecolors="none", edgecolors="#555555",
                   lw=1, label="efficient (left panel)")
        for row in named.itertuples(index=False):
            ax.scatter(getattr(row, x), row.return_per_dollar, s=40, color=STRATEGY_COLOURS.get(row.strategy, "#555555"),
                       edgecolors="black", linewidths=0.5, zorder=3, label=row.strategy)
        ax.set_xlabel(label, fontsize="small")
        ax.tick_params(labelsize="x-small")
    right.set_xscale("log")
    right.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: format_followers(v)))
    right.xaxis.set_minor_formatter(NullFormatter())
    left.set_ylabel("Expected revenue per dollar")
    handles, labels = left.get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncols=5, fontsize="x-small", bbox_to_anchor=(0.5, -0.02))
    if note:
        fig.suptitle(note, fontsize="small", y=0.99)
    fig.tight_layout(rect=(0, 0.12, 1, 0.97))
    return fig


def management_chart(table: pd.DataFrame, note: str = "") -> plt.Axes:
    """allocate.management_sensitivity: expected return per dollar against management cost per creator."""
    fig, ax = plt.subplots(figsize=(7.0, 3.4))
    for name, rows in table.groupby("strategy", sort=False):
        ax.plot(rows["management_cost"], rows["return_per_dollar"], marker="o", ms=4,
                color=STRATEGY_COLOURS.get(name, "#555555"), label=name)
    ax.set_xlabel("Management cost per creator, USD" + (f" · {note}" if note else ""))
    ax.set_ylabel("Expected revenue per dollar")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"${v:,.0f}"))
    ax.legend(fontsize="small")
    return ax


def engagement_density_chart(data: pd.DataFrame, line: pd.DataFrame, note: str = "", gridsize: int = 45,
                             limits: tuple[float, float] = (1_000, 100_000_000)) -> plt.Figure:
    """Engagement rate against followers as a density (hexagonal bins on log-log axes, counts on a log colour scale)
    rather than one dot per post, with the fitted elasticity and its 95% band, over the tier bands. Inputs:
    engagement.prepare and engagement.fitted_line."""
    from matplotlib.colors import LogNorm

    fig, ax = plt.subplots(figsize=(7.0, 4.0))
    tier_bands(ax, alpha=0.07, limits=limits)
    cells = ax.hexbin(data["followers"], data["engagement_rate"], xscale="log", yscale="log", gridsize=gridsize,
                      mincnt=1, cmap="Blues", norm=LogNorm(), linewidths=0, zorder=1, rasterized=True)
    ax.fill_between(line["followers"], line["ci_low"], line["ci_high"], color="#D55E00", alpha=0.35, lw=0, zorder=2)
    ax.plot(line["followers"], line["fitted"], color="#D55E00", lw=2, zorder=3, label="fitted elasticity (95% band)")
    fig.colorbar(cells, ax=ax, label="posts per cell (log scale)", pad=0.02)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v * 100:g}%"))
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_ylabel("Engagement rate per post (log scale)")
    follower_axis(ax, limits=limits, label="Followers (log scale)" + (f" · {note}" if note else ""))
    ax.legend(loc="lower left", fontsize="small")
    fig.tight_layout()
    return fig


def sponsored_chart(table: pd.DataFrame, note: str = "") -> plt.Axes:
    """engagement.sponsored_penalty: sponsored engagement as a multiple of the same accounts' organic engagement,
    per tier (and for all tiers together), with 95% intervals; 1 means no difference. Each row is labelled with the
    number of accounts that have both kinds of post."""
    fig, ax = plt.subplots(figsize=(7.0, 0.5 * len(table) + 1.3))
    y = np.arange(len(table))
    colours = [TIER_COLOURS.get(t, "#000000") for t in table["term"]]
    ax.axvline(1, color="grey", lw=1)
    ax.hlines(y, table["ratio_ci_low"], table["ratio_ci_high"], colors=colours, lw=3)
    ax.scatter(table["ratio"], y, color=colours, edgecolors="black", linewidths=0.5, s=40, zorder=3)
    ax.set_yticks(y, [f"{'all tiers' if t == 'all' else t} ({a:,} accounts)" for t, a in
                      zip(table["term"], table["accounts"])])
    ax.set_ylim(len(table) - 0.5, -0.5)
    ax.set_xscale("log")
    ticks = [0.4, 0.6, 0.8, 1, 1.25, 1.6]
    ax.set_xticks(ticks)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:g}×"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("Sponsored ÷ organic engagement rate, same accounts (log scale)" + (f" · {note}" if note else ""))
    ax.grid(axis="y", visible=False)
    return ax


def specification_curve_chart(table: pd.DataFrame, options: dict, note: str = "") -> plt.Figure:
    """synthesis.specification_curve: top, every specification's estimate of the elasticity of return per dollar
    with its 95% interval, sorted, the main specification in colour; below, which option of each choice produced
    it (one row per option, a mark where it was used). `options` is synthesis.OPTIONS (choice -> options)."""
    rows = [(choice, option) for choice, values in options.items() for option in values]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7.5, 3.2 + 0.16 * len(rows)), sharex=True,
                                      gridspec_kw={"height_ratios": [3.2, 0.16 * len(rows) + 0.2]})
    x = np.arange(len(table))
    main = table["main"].to_numpy()
    # hundreds of marks: rasterised, so the page stays light
    top.vlines(x[~main], table["ci_low"][~main], table["ci_high"][~main], color="#BBBBBB", lw=0.6, rasterized=True)
    top.scatter(x[~main], table["estimate"][~main], s=4, color="#555555", lw=0, zorder=3, rasterized=True)
    top.vlines(x[main], table["ci_low"][main], table["ci_high"][main], color="#D55E00", lw=2, zorder=4)
    top.scatter(x[main], table["estimate"][main], s=30, color="#D55E00", zorder=5, label="the book's main specification")
    top.axhline(0, color="black", lw=0.8)
    top.set_ylabel("Elasticity of return\nper dollar (95% CI)")
    top.legend(loc="upper left", fontsize="small")
    for i, (choice, option) in enumerate(rows):
        used = (table[choice] == option).to_numpy()
        bottom.scatter(x[used], np.full(used.sum(), i), marker="|", s=12, color="#0072B2", lw=0.6, rasterized=True)
        bottom.scatter(x[used & main], [i] * int((used & main).sum()), marker="o", s=20, color="#D55E00", zorder=3)
    bottom.set_yticks(range(len(rows)), [f"{c.replace('_', ' ')}: {o.replace('_', ' ')}" for c, o in rows],
                      fontsize="x-small")
    bottom.set_ylim(len(rows) - 0.5, -0.5)
    bottom.grid(False)
    bottom.set_xlabel("Specifications, sorted by estimate" + (f" · {note}" if note else ""))
    bottom.set_xticks([])
    fig.tight_layout(h_pad=0.3)
    return fig


def evidence_chart(table: pd.DataFrame, note: str = "") -> plt.Axes:
    """synthesis.evidence_table: every estimate of each elasticity with its 95% interval, grouped by elasticity,
    the estimate downstream code uses in colour."""
    labels = {"engagement_rate": "engagement rate", "conversion_rate": "conversion rate",
              "price_per_post": "price per post", "return_per_dollar": "return per dollar"}
    fig, ax = plt.subplots(figsize=(7.0, 0.42 * len(table) + 1.2))
    y = np.arange(len(table))
    used = table["evidence"].str.endswith("(used)")
    colours = np.where(used, "#D55E00", "#0072B2")
    ax.axvline(0, color="black", lw=0.8)
    ax.hlines(y, table["ci_low"], table["ci_high"], colors=colours, lw=2.5)
    ax.scatter(table["estimate"], y, color=colours, s=28, zorder=3)
    ax.set_yticks(y, [f"{labels.get(e, e)}: {w}" for e, w in zip(table["elasticity"], table["evidence"])],
                  fontsize="small")
    ax.set_ylim(len(table) - 0.5, -0.5)
    ax.set_xlabel("Elasticity with respect to followers (95% CI)" + (f" · {note}" if note else ""))
    ax.grid(axis="y", visible=False)
    return ax


def decision_chart(table: pd.DataFrame, note: str = "") -> plt.Figure:
    """allocate.decision_table: per budget (one panel each, stacked), each strategy's expected revenue as a dot with
    the 5th to 95th percentile across the worlds of the evidence as a bar, relative to the best strategy's expected
    revenue, labelled with its probability of being best."""
    budgets = sorted(table["budget"].unique())
    names = list(dict.fromkeys(table["strategy"]))
    fig, axes = plt.subplots(len(budgets), 1, figsize=(7.0, 1.9 * len(budgets) + 0.9), sharex=True, squeeze=False)
    for ax, budget in zip(axes[:, 0], budgets):
        rows = table[table["budget"] == budget].set_index("strategy").reindex(names)
        top = rows["mean_revenue"].max()
        y = np.arange(len(names))
        colours = [STRATEGY_COLOURS.get(n, "#555555") for n in names]
        ax.axvline(1, color="grey", lw=0.8)
        ax.hlines(y, rows["revenue_p05"] / top, rows["revenue_p95"] / top, colors=colours, lw=3, alpha=0.6)
        ax.scatter(rows["mean_revenue"] / top, y, c=colours, s=30, zorder=3, edgecolors="black", linewidths=0.5)
        for yi, (x, p) in enumerate(zip(rows["revenue_p95"] / top, rows["p_best"])):
            if p > 0:
                ax.text(x, yi, f"  P(best) {p:.0%}", va="center", fontsize="x-small")
        ax.set_yticks(y, names, fontsize="small")
        ax.set_ylim(len(names) - 0.5, -0.5)
        ax.set_title(f"budget {_money(budget)}", fontsize="small", loc="left")
        ax.grid(axis="y", visible=False)
    axes[-1, 0].set_xlabel("Expected revenue ÷ the best strategy's (dot), 5th to 95th percentile across worlds (bar)"
                           + (f" · {note}" if note else ""), fontsize="small")
    fig.tight_layout()
    return fig


def flip_chart(curves: pd.DataFrame, interval: tuple[float, float], estimate: float, note: str = "") -> plt.Figure:
    """allocate.best_by_elasticity for one or more budgets (column budget): each strategy's expected revenue
    relative to the best at each elasticity of return per dollar, one panel per budget, with the synthesis's
    interval shaded and its estimate marked. Where a line reaches 1 that strategy is the best."""
    budgets = sorted(curves["budget"].unique())
    fig, axes = plt.subplots(len(budgets), 1, figsize=(7.0, 2.3 * len(budgets) + 0.8), sharex=True, squeeze=False)
    for ax, budget in zip(axes[:, 0], budgets):
        rows = curves[curves["budget"] == budget]
        best = rows.groupby("e_rpd")["expected_revenue"].transform("max")
        ax.axvspan(*interval, color="#DDDDDD", lw=0, zorder=0, label="the synthesis's 95% interval")
        ax.axvline(estimate, color="black", lw=0.8, ls="--", label="its estimate")
        for name, group in rows.assign(relative=rows["expected_revenue"] / best).groupby("strategy", sort=False):
            ax.plot(group["e_rpd"], group["relative"], color=STRATEGY_COLOURS.get(name, "#555555"), lw=1.6, label=name)
        ax.set_ylim(0, 1.05)
        ax.set_ylabel("÷ best", fontsize="small")
        ax.set_title(f"budget {_money(budget)}", fontsize="small", loc="left")
    axes[-1, 0].set_xlabel("Elasticity of return per dollar with respect to followers (the rest central)"
                           + (f" · {note}" if note else ""), fontsize="small")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncols=4, fontsize="x-small", bbox_to_anchor=(0.5, -0.01))
    fig.tight_layout(rect=(0, 0.09, 1, 1))
    return fig
