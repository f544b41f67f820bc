"""Every chart draws on small data and keeps the house style: the book's width, no text under the smallest size,
labelled ticks enough on every log axis, tier label colours that read on white, and the same SVG bytes each run."""

import io
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from influencer_roi import audit, evidence, plots  # noqa: E402
from influencer_roi.plots import style  # noqa: E402

RNG = np.random.default_rng(0)
FOLLOWERS = np.exp(RNG.uniform(np.log(1_500), np.log(8e6), 300))
STRATEGIES = ["all nano", "all micro", "pyramid"]
BUDGETS = [10_000.0, 100_000.0]


def line(values=lambda f: 0.05 * (f / 1e4) ** -0.2):
    f = np.geomspace(1_000, 1e7, 20)
    return pd.DataFrame({"followers": f, "fitted": values(f), "ci_low": 0.9 * values(f), "ci_high": 1.1 * values(f)})


@pytest.fixture(scope="module")
def ledger():
    return evidence.load_ledger()


def posts():
    rate = 0.05 * (FOLLOWERS / 1e4) ** -0.2 * np.exp(RNG.normal(0, 0.3, FOLLOWERS.size))
    tier = pd.cut(FOLLOWERS, [1e3, 1e4, 1e5, 1e6, np.inf], labels=["nano", "micro", "macro", "mega"])
    return pd.DataFrame({"followers": FOLLOWERS, "engagement_rate": rate, "tier": tier})


def campaigns():
    cost = 0.01 * FOLLOWERS * np.exp(RNG.normal(0, 0.3, FOLLOWERS.size))
    revenue = cost * 3 * (FOLLOWERS / 1e4) ** -0.2 * np.exp(RNG.normal(0, 0.5, FOLLOWERS.size))
    return pd.DataFrame({"followers": FOLLOWERS, "cost": cost, "revenue": revenue, "roas": revenue / cost})


def by_budget(**columns):
    rows = [
        {"budget": b, "strategy": s, **{k: f(b, i) for k, f in columns.items()}}
        for b in BUDGETS
        for i, s in enumerate(STRATEGIES)
    ]
    return pd.DataFrame(rows)


CHARTS = {
    "scheme_chart": lambda led: plots.scheme_chart(
        led["tier_definitions"], evidence.scheme_labels(led["tier_definitions"], led["sources"])
    ),
    "claims_by_tier_chart": lambda led: plots.claims_by_tier_chart(led["claims"], led["sources"]),
    "audit_chart": lambda led: plots.audit_chart(
        (result := audit.run_audit(led["claims"])), audit.stated_source_labels(result, led["claims"], led["sources"])
    ),
    "tier_ranges_chart": lambda led: plots.tier_ranges_chart(led["claims"], "micro"),
    "metaregression_chart": lambda led: plots.metaregression_chart(
        [
            (
                "Engagement rate",
                pd.DataFrame(
                    {
                        "followers": [5e3, 5e4, 5e5],
                        "value": [0.05, 0.03, 0.02],
                        "weight_grade": [1.0, 0.5, 0.2],
                        "platform": "instagram",
                    }
                ),
                line().assign(platform="instagram"),
                "fraction",
            )
        ],
        real=line(),
    ),
    "evidence_chart": lambda led: plots.evidence_chart(
        pd.DataFrame(
            {
                "elasticity": ["engagement_rate", "return_per_dollar"],
                "evidence": ["benchmarks", "implied (used)"],
                "estimate": [-0.2, -0.25],
                "ci_low": [-0.3, -0.4],
                "ci_high": [-0.1, -0.1],
            }
        )
    ),
    "specification_curve_chart": lambda led: plots.specification_curve_chart(
        pd.DataFrame(
            {
                "estimate": [-0.3, -0.2, -0.1],
                "ci_low": [-0.4, -0.3, -0.2],
                "ci_high": [-0.2, -0.1, 0.0],
                "main": [False, True, False],
                "placement": ["mid", "mid", "low"],
            }
        ),
        {"placement": ["mid", "low"]},
    ),
    "engagement_density_chart": lambda led: plots.engagement_density_chart(posts(), line()),
    "tier_slope_chart": lambda led: plots.tier_slope_chart(
        pd.DataFrame(
            {
                "tier": ["nano", "micro", "nano", "micro"],
                "sample": ["every post", "every post", "recent", "recent"],
                "estimate": [-0.2, -0.1, -0.15, -0.12],
                "ci_low": [-0.25, -0.14, -0.2, -0.16],
                "ci_high": [-0.15, -0.06, -0.1, -0.08],
                "reported": True,
            }
        ),
        pd.DataFrame(
            {"tier": ["nano", "micro"], "estimate": [-0.22, -0.13], "ci_low": [-0.3, -0.2], "ci_high": [-0.1, 0]}
        ),
        pooled=-0.125,
        note="SIMULATED",
    ),
    "sponsored_chart": lambda led: plots.sponsored_chart(
        pd.DataFrame(
            {
                "term": ["nano", "all"],
                "ratio": [0.8, 0.9],
                "ratio_ci_low": [0.7, 0.85],
                "ratio_ci_high": [0.95, 0.97],
                "accounts": [120, 1200],
            }
        )
    ),
    "engagement_chart": lambda led: plots.engagement_chart(
        posts(),
        line(),
        pd.DataFrame(
            {"term": ["nano", "mega"], "estimate": [0.06, 0.02], "ci_low": [0.05, 0.015], "ci_high": [0.07, 0.025]}
        ),
    ),
    "roi_fit_chart": lambda led: plots.roi_fit_chart(
        campaigns(), line(lambda f: 3 * (f / 1e4) ** -0.2), line(lambda f: 30 * f**0.8), line(lambda f: 0.01 * f)
    ),
    "diagnostics_chart": lambda led: plots.diagnostics_chart(
        pd.DataFrame(
            {
                "fitted": RNG.normal(1, 0.2, 300),
                "residual": RNG.normal(0, 0.5, 300),
                "followers": FOLLOWERS,
                "cooks_distance": RNG.uniform(1e-5, 1e-2, 300),
            }
        )
    ),
    "coverage_chart": lambda led: plots.coverage_chart(
        pd.DataFrame(
            {
                "model": ["OLS", "HC3"],
                "scenario": ["clean", "clean"],
                "coverage": [0.9, 0.95],
                "coverage_ci_low": [0.85, 0.92],
                "coverage_ci_high": [0.93, 0.97],
            }
        )
    ),
    "boundary_heatmap": lambda led: plots.boundary_heatmap(
        pd.DataFrame(
            {
                "scheme_id": ["canonical", "canonical", "A002"],
                "contrast": ["nano_vs_mega", "micro_vs_mega", "nano_vs_mega"],
                "ratio": [4.0, 2.5, 3.0],
            }
        ),
        {"A002": "Article 002"},
    ),
    "power_chart": lambda led: plots.power_chart(
        pd.DataFrame(
            {
                "ratio": [1.5] * 3 + [2.0] * 3,
                "campaigns_per_tier": [10, 30, 100] * 2,
                "power_analytic": [0.2, 0.5, 0.9, 0.4, 0.8, 1.0],
                "power_simulated": [0.2, 0.5, 0.9, 0.4, 0.8, 1.0],
            }
        )
    ),
    "estimates_chart": lambda led: plots.estimates_chart(
        pd.DataFrame(
            {
                "metric": ["roi"] * 2 + ["engagement_rate"] * 2,
                "fake_share": [0.0, 0.2] * 2,
                "estimate": [-0.3, -0.2, -0.2, -0.1],
                "ci_low": [-0.35, -0.25, -0.25, -0.15],
                "ci_high": [-0.25, -0.15, -0.15, -0.05],
                "truth": [-0.3] * 2 + [-0.2] * 2,
            }
        ),
        "fake_share",
        "Share of fakes",
    ),
    "strategies_chart": lambda led: plots.strategies_chart(
        by_budget(return_per_dollar=lambda b, i: 2 + i, rpd_p05=lambda b, i: 1 + i, rpd_p95=lambda b, i: 3 + i)
    ),
    "frontier_chart": lambda led: plots.frontier_chart(
        pd.DataFrame(
            {
                "rpd_p05": [1.0, 1.5, 2.0],
                "mean_reach": [1e5, 5e5, 2e6],
                "return_per_dollar": [2.0, 2.5, 2.2],
                "efficient": [False, True, True],
            }
        ),
        pd.DataFrame({"strategy": ["all micro"], "rpd_p05": [1.5], "mean_reach": [5e5], "return_per_dollar": [2.5]}),
    ),
    "management_chart": lambda led: plots.management_chart(
        pd.DataFrame(
            {
                "strategy": ["all nano"] * 3 + ["all micro"] * 3,
                "management_cost": [0, 100, 250] * 2,
                "return_per_dollar": [3.0, 2.0, 1.0, 2.5, 2.2, 1.9],
            }
        )
    ),
    "decision_chart": lambda led: plots.decision_chart(
        by_budget(
            mean_margin=lambda b, i: b * (0.2 * i - 0.1),
            margin_p05=lambda b, i: b * (0.2 * i - 0.4),
            margin_p95=lambda b, i: b * (0.2 * i + 0.3),
            p_best=lambda b, i: [0.1, 0.3, 0.6][i],
        )
    ),
    "flip_chart": lambda led: plots.flip_chart(
        pd.DataFrame(
            [
                {"budget": b, "strategy": s, "e_rpd": e, "expected_margin": b * i * e}
                for b in BUDGETS
                for i, s in enumerate(STRATEGIES)
                for e in np.linspace(-0.8, 0.2, 5)
            ]
        ),
        (-0.4, -0.1),
        -0.25,
    ),
    "tornado_chart": lambda led: plots.tornado_chart(
        pd.DataFrame(
            [
                {
                    "assumption": name,
                    "label": f"the {name} of the market, a long label to wrap",
                    "end": end,
                    "setting": setting,
                    "best": best,
                    "assumed_best": "all micro",
                    "assumed_best_profit_per_dollar": value,
                    "changes_decision": best != "all micro",
                }
                for name, ends in {
                    "cost": (("low", 0.0, "all nano", 1.9), ("high", 500.0, "all macro", 0.3)),
                    "reach": (("low", 0.1, "all micro", 0.76), ("high", 1.0, "all micro", 0.77)),
                }.items()
                for end, setting, best, value in ends
            ]
        )
    ),
}


def test_every_chart_is_smoke_tested():
    assert set(CHARTS) == {f.__name__ for f in plots.CHARTS}


def figure_of(drawn):
    assert isinstance(drawn, (plt.Figure, plt.Axes)), type(drawn)
    return drawn if isinstance(drawn, plt.Figure) else drawn.figure


def labelled_ticks(axis) -> list[str]:
    low, high = sorted(axis.get_view_interval())
    index = 0 if axis.axis_name == "x" else 1
    ticks = axis.get_majorticklabels() + axis.get_minorticklabels()
    return [t.get_text() for t in ticks if t.get_text() and low <= t.get_position()[index] <= high]


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_chart_draws_in_the_house_style(name, ledger):
    plots.set_style()
    fig = figure_of(CHARTS[name](ledger))
    try:
        fig.canvas.draw()
        assert fig.get_figwidth() <= style.WIDTH + 1e-9, f"{name} is {fig.get_figwidth()} in wide"
        # as the book saves it (bbox_inches="tight"): labels that stick out of the figure widen the SVG, and a phone
        # shrinks its text by as much
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
        shown = float(re.search(r'viewBox="0 0 ([\d.]+) ', buffer.getvalue())[1])
        assert shown <= 72 * (style.WIDTH + 0.2) * 1.02, f"{name} saves {shown / 72:.2f} in wide"  # 0.1 in margins
        small = {
            (t.get_text()[:30], t.get_fontsize())
            for t in fig.findobj(matplotlib.text.Text)
            if t.get_visible() and t.get_text().strip() and t.get_fontsize() < style.SMALL - 1e-9
        }
        assert not small, f"{name}: text under {style.SMALL} pt: {sorted(small)[:10]}"
        for ax in fig.axes:
            for axis in (ax.xaxis, ax.yaxis):
                if (
                    axis.get_scale() == "log"
                    and axis.get_visible()
                    and any(t.get_visible() for t in axis.get_majorticklabels())
                ):
                    shown = labelled_ticks(axis)
                    assert len(shown) >= 3, f"{name}: a log {axis.axis_name} axis labels only {shown}"
    finally:
        plt.close("all")


def test_a_log_axis_of_few_decades_labels_its_minor_ticks():
    plots.set_style()
    fig, ax = plt.subplots()
    ax.plot([0.012, 0.05], [1, 2])
    plots.log_axis(ax, "x", lambda v: f"{100 * v:g}%")
    ax.set_xlim(0.012, 0.05)
    fig.canvas.draw()
    assert labelled_ticks(ax.xaxis) == ["2%", "5%"] or set(labelled_ticks(ax.xaxis)) >= {"2%", "5%"}
    ax.set_xlim(1e-4, 1)  # four decades: the powers of ten only
    fig.canvas.draw()
    assert labelled_ticks(ax.xaxis) == ["0.01%", "0.1%", "1%", "10%", "100%"]
    plt.close(fig)


def relative_luminance(colour: str) -> float:
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_on_white(colour: str) -> float:
    return 1.05 / (relative_luminance(colour) + 0.05)


def test_tier_text_colours_read_on_white_and_keep_their_hue():
    assert contrast_on_white("#000000") == pytest.approx(21.0)
    for tier, colour in plots.TIER_TEXT_COLOURS.items():
        assert contrast_on_white(colour) >= 4.5, f"{tier}: {colour} is {contrast_on_white(colour):.2f}:1 on white"
        fill = plots.TIER_COLOURS[tier]
        hue = [np.argmax([int(c.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4)]) for c in (colour, fill)]
        assert hue[0] == hue[1], f"{tier}: the text colour {colour} is not a darker {fill}"
    # the fills themselves would not do for text (why the text variants exist)
    assert min(contrast_on_white(c) for c in plots.TIER_COLOURS.values()) < 4.5


def test_tier_labels_use_the_text_colours():
    plots.set_style()
    fig, ax = plt.subplots()
    plots.follower_axis(ax)
    plots.tier_bands(ax)
    colours = {t.get_text(): matplotlib.colors.to_hex(t.get_color()).upper() for t in ax.texts}
    assert colours == {t: c.upper() for t, c in plots.TIER_TEXT_COLOURS.items()}
    plt.close(fig)


def test_svg_is_the_same_bytes_each_time(ledger):
    plots.set_style()

    def svg():
        fig = figure_of(CHARTS["tier_ranges_chart"](ledger))
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
        plt.close(fig)
        return buffer.getvalue()

    assert svg() == svg()


def is_yellow(colour: str) -> bool:
    hue, saturation, value = matplotlib.colors.rgb_to_hsv(matplotlib.colors.to_rgb(colour))
    return 45 / 360 <= hue <= 70 / 360 and saturation > 0.3 and value > 0.6


def test_every_line_colour_stands_out_against_the_background():
    """Lines and points need 3:1 against the page (WCAG 1.4.11): every colour a line or a point is drawn in, the
    default cycle, the tiers and the strategies, passes; and no line is yellow (Okabe-Ito's #F0E442 is 1.3:1)."""
    from influencer_roi.plots.decisions import STRATEGY_COLOURS

    assert style.BACKGROUND.upper() == "#FFFFFF"
    assert contrast_on_white("#F0E442") < 1.5 and is_yellow("#F0E442")  # the checks can fail
    plots.set_style()
    cycle = [matplotlib.colors.to_hex(c["color"]) for c in matplotlib.rcParams["axes.prop_cycle"]]
    assert [c.upper() for c in cycle] == [c.upper() for c in plots.LINE_COLOURS]
    used = {"cycle": cycle, "tiers": list(plots.TIER_COLOURS.values()), "strategies": list(STRATEGY_COLOURS.values())}
    for group, colours in used.items():
        for colour in colours:
            ratio = contrast_on_white(colour)
            assert ratio >= style.MIN_LINE_CONTRAST, f"{group}: {colour} is {ratio:.2f}:1 on white"
            assert not is_yellow(colour), f"{group}: {colour} is yellow"
    assert len(set(plots.LINE_COLOURS)) == len(plots.LINE_COLOURS)


@pytest.mark.parametrize("tier", ["nano", "micro", "macro", "mega"])
def test_tier_pages_axes_contain_their_points(ledger, tier):
    """Figures 4-7: every claim's marker lies inside its panel with room to spare, not on the top or bottom edge
    (the nano points of conversion rate and return per dollar sat on the top edge)."""
    plots.set_style()
    fig = plots.tier_ranges_chart(ledger["claims"], tier)
    fig.canvas.draw()
    edge = []
    for ax in fig.axes:
        for collection in ax.collections:
            offsets = collection.get_offsets()
            if len(offsets) == 0:
                continue
            _, y = ax.transLimits.transform(ax.transScale.transform(np.asarray(offsets, dtype=float))).T
            edge += [f"{ax.get_title(loc='left')}: at {v:.3f} of the axes" for v in y if not 0.07 <= v <= 0.93]
    plt.close(fig)
    assert not edge, edge


def test_audit_chart_tick_labels_do_not_overlap_at_phone_width(ledger):
    """Figure 3 as a phone shows it (the figure at WIDTH, long check labels on the left): no two x tick labels
    touch."""
    plots.set_style()
    ax = CHARTS["audit_chart"](ledger)
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = sorted(
        (t.get_window_extent(renderer) for t in ax.get_xticklabels() if t.get_visible() and t.get_text()),
        key=lambda b: b.x0,
    )
    plt.close(fig)
    assert len(boxes) >= 3
    gaps = [right.x0 - left.x1 for left, right in zip(boxes, boxes[1:])]
    assert min(gaps) >= 4, f"x tick labels {min(gaps):.1f} px apart"
