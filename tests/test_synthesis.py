"""The synthesis of the evidence: each correction of the inputs pinned, the joint fit and its intervals on known
answers, the engagement evidence, the implied elasticity, the specification curve and the draws."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from influencer_roi import audit, evidence, tiers
from influencer_roi import synthesis as sy
from influencer_roi.constants import FOLLOWER_CAP


@pytest.fixture(scope="module")
def ledger():
    return evidence.load_ledger()


@pytest.fixture(scope="module")
def audit_result(ledger):
    return audit.run_audit(ledger["claims"])


@pytest.fixture(scope="module")
def main(ledger, audit_result):
    return sy.synthesise(ledger, audit_result=audit_result)


def rows(ledger, audit_result, **choices):
    return sy.candidates(ledger, choices=sy.Choices(**choices), audit_result=audit_result).set_index("claim_id")


def test_a_figure_repeated_in_one_source_enters_once(ledger, audit_result):
    table = rows(ledger, audit_result, audit="keep")
    assert table.loc["A001_11", "used"] and not table.loc["A001_22", "used"]  # $5-8 per $1, table and bullet
    assert "kept: A001_11" in table.loc["A001_22", "reason"]
    # the same 3-5 per dollar under two tier names (mega in the table, macro in the bullets) is one figure
    assert table.loc["A001_12", "used"] and "kept: A001_12" in table.loc["A001_23", "reason"]
    # two tiers of one source with close but different values are two figures
    assert table.loc["L53", "used"] and table.loc["L54", "used"]


def test_a_copy_of_another_sources_figure_keeps_the_original(ledger, audit_result):
    table = rows(ledger, audit_result, audit="keep")
    assert "copy of L48" in table.loc["A001_06", "reason"] and table.loc["L48", "used"]  # 1.2% vs IMH's 1.21%
    kept = rows(ledger, audit_result, audit="keep", copies="keep")
    assert kept.loc["A001_06", "used"]


def test_claims_the_audit_finds_in_error_are_left_out_by_the_stated_rule(ledger, audit_result):
    table = rows(ledger, audit_result)
    assert table.loc["A001_05", "reason"] == "found in error by audit check K09"
    assert sy.audit_errors(audit_result)["A001_05"] == "K09"
    # a disagreement between sources does not say which is wrong: HypeAuditor's figures stay in
    assert table.loc["L44", "used"]
    assert rows(ledger, audit_result, audit="keep").loc["A001_05", "used"]


def test_beichert_macro_sits_at_the_sources_own_size_not_at_the_old_midpoint(ledger, audit_result):
    table = rows(ledger, audit_result)
    nano_mid = np.sqrt(1_200 * 8_500)
    assert table.loc["L13", "followers"] == pytest.approx(32 * nano_mid)  # L15: macro about 32x nano
    assert "L15" in table.loc["L13", "placed_by"]
    old = np.sqrt(50_000 * FOLLOWER_CAP)
    assert table.loc["L13", "followers"] < old / 5
    ratio = sy.median_range_ratio(ledger["tier_definitions"])
    canonical = rows(ledger, audit_result, placement="canonical")
    assert canonical.loc["L13", "followers"] == pytest.approx(50_000 * np.sqrt(ratio))


def test_a_claim_without_bounds_sits_in_its_sources_own_scheme(ledger, audit_result):
    table = rows(ledger, audit_result)
    # article 002's micro is 1,000 to 100,000 followers, not the canonical 10k to 100k
    assert table.loc["A002_16", "followers"] == pytest.approx(np.sqrt(1_000 * 100_000))
    assert rows(ledger, audit_result, placement="canonical").loc["A002_16", "followers"] == pytest.approx(
        np.sqrt(10_000 * 100_000)
    )


def test_open_values_follow_one_rule_with_a_sensitivity(ledger, audit_result):
    by_rule = rows(ledger, audit_result).loc["L61", "value"]  # "$10,000+"
    at_bound = rows(ledger, audit_result, open_values="bound").loc["L61", "value"]
    assert at_bound == pytest.approx(10_000)
    ratio = sy._value_ratio(ledger["claims"], "price_per_post")
    assert by_rule == pytest.approx(10_000 * np.sqrt(ratio)) and by_rule > at_bound


def test_every_left_out_claim_has_a_reason(ledger, audit_result):
    table = sy.left_out(ledger, audit_result=audit_result).set_index("claim_id")
    assert (table["reason"].str.len() > 0).all()
    assert "no follower range" in table.loc["L59", "reason"]  # the rate card's mid-tier
    assert "in kind" in table.loc["L21", "reason"]  # HBR: Beichert's nano '$50' is product value
    assert "illustration" in table.loc["A002_07", "reason"]


def _stacked(slopes: dict, n_sources: int = 12, seed: int = 0) -> pd.DataFrame:
    """Claims from sources with their own offsets (shared across metrics) and known slopes."""
    rng = np.random.default_rng(seed)
    out = []
    for s in range(n_sources):
        offset = rng.normal(0, 0.3)
        for metric, b in slopes.items():
            for x in rng.choice(np.arange(3.0, 7.0, 0.5), 3, replace=False):
                out.append(
                    {
                        "metric": metric,
                        "source_id": f"S{s}",
                        "platform": "instagram",
                        "log_followers": x,
                        "log_value": b * x + offset + rng.normal(0, 0.05),
                        "weight_grade": 1.0,
                    }
                )
    return pd.DataFrame(out)


def test_the_joint_fit_recovers_known_slopes_with_t_intervals():
    truth = {"engagement_rate": -0.2, "conversion_rate": -0.1, "price_per_post": 0.9}
    fit = sy.fit_joint(_stacked(truth))
    for metric, b in truth.items():
        row = fit.table.set_index("term").loc[f"{metric}:slope"]
        assert row["ci_low"] < b < row["ci_high"]
        half = row["ci_high"] - row["estimate"]
        assert half == pytest.approx(stats.t.ppf(0.975, fit.df) * row["std_error"])
    assert fit.df == fit.n - len(fit.table) and fit.n_sources == 12 and fit.converged
    weighted = sy.fit_joint(_stacked(truth), weights="grade")
    assert weighted.df == 11  # clustered by source: G - 1


def test_source_dependence_shows_in_the_slopes_covariance():
    """A source's shared offset, with sources placing their points at different sizes, correlates the metrics'
    slopes; the mixed model estimates that covariance instead of assuming it zero."""
    data = _stacked({"engagement_rate": -0.2, "conversion_rate": -0.1, "price_per_post": 0.9}, seed=3)
    fit = sy.fit_joint(data)
    assert fit.cov.shape == (3, 3)
    np.testing.assert_allclose(fit.cov.to_numpy(), fit.cov.to_numpy().T)
    assert np.all(np.linalg.eigvalsh(fit.cov.to_numpy()) > 0)


def _params(slopes: dict, cov, dfs: dict, blocks: dict) -> sy.Parameters:
    names = list(slopes)
    return sy.Parameters(
        pd.Series(slopes, dtype=float),
        pd.DataFrame(np.asarray(cov, dtype=float), index=names, columns=names),
        pd.Series(dfs, dtype=float),
        pd.Series(blocks),
    )


def test_the_implied_elasticity_uses_the_identity_the_covariance_and_welch_satterthwaite():
    slopes = {"engagement_rate": -0.2, "conversion_rate": -0.1, "price_per_post": 0.9}
    cov = [[0.01, 0.0, 0.0], [0.0, 0.02, 0.004], [0.0, 0.004, 0.03]]
    params = _params(
        slopes,
        cov,
        {"engagement_rate": 1000, "conversion_rate": 20, "price_per_post": 20},
        {"engagement_rate": "engagement", "conversion_rate": "joint", "price_per_post": "joint"},
    )
    table = sy.implied(params).set_index("elasticity")
    rpd = table.loc["return_per_dollar"]
    assert rpd["estimate"] == pytest.approx(1 - 0.2 - 0.1 - 0.9)
    c = np.array([1, 1, -1])
    assert rpd["std_error"] == pytest.approx(np.sqrt(c @ np.array(cov) @ c))
    joint = 0.02 + 0.03 - 2 * 0.004  # the joint fit's block, its covariance kept
    assert rpd["df"] == pytest.approx((0.01 + joint) ** 2 / (0.01**2 / 1000 + joint**2 / 20))
    half = stats.t.ppf(0.975, rpd["df"]) * rpd["std_error"]
    assert rpd["ci_high"] - rpd["estimate"] == pytest.approx(half)
    assert table.loc["conversion_rate", "df"] == 20


@given(
    variances=st.lists(st.floats(1e-6, 1.0), min_size=1, max_size=4),
    dfs=st.lists(st.integers(1, 10_000), min_size=4, max_size=4),
)
def test_welch_satterthwaite_lies_between_the_smallest_df_and_their_sum(variances, dfs):
    parts = list(zip(variances, dfs))
    df = sy.satterthwaite(parts)
    used = [d for _, d in parts]
    assert min(used) * (1 - 1e-9) <= df <= sum(used) * (1 + 1e-9)
    assert sy.satterthwaite([(variances[0], dfs[0])]) == pytest.approx(dfs[0])
    assert sy.satterthwaite([(0.0, 5)]) == np.inf


def test_two_equal_parts_add_their_degrees_of_freedom():
    assert sy.satterthwaite([(0.5, 10), (0.5, 10)]) == pytest.approx(20)


def test_the_main_pool_is_inverse_variance_and_carries_the_benchmark_covariance(main):
    info = main.engagement
    w = info["weight_benchmarks"]
    vb, vr = info["benchmarks_se"] ** 2, info["real_se"] ** 2
    assert w == pytest.approx((1 / vb) / (1 / vb + 1 / vr))
    assert info["estimate"] == pytest.approx(w * info["benchmarks"] + (1 - w) * info["real"])
    assert info["std_error"] ** 2 == pytest.approx(1 / (1 / vb + 1 / vr))
    assert main.cov.loc["engagement_rate", "conversion_rate"] == pytest.approx(
        w * main.fit.cov.loc["engagement_rate", "conversion_rate"]
    )


def test_pooling_rules_differ_as_stated():
    fe = sy.pool_two(-0.2, 0.001, 20, -0.1, 0.0001, 500, "fixed_effect")
    re = sy.pool_two(-0.2, 0.001, 20, -0.1, 0.0001, 500, "random_effects")
    first = sy.pool_two(-0.2, 0.001, 20, -0.1, 0.0001, 500, "real_first")
    assert fe["estimate"] == pytest.approx((-0.2 / 0.001 + -0.1 / 0.0001) / (1 / 0.001 + 1 / 0.0001))
    assert 20 < fe["df"] < 520
    # DerSimonian-Laird: the two disagree, so the benchmarks gain weight; the spread rests on k - 1 = 1 df
    assert re["weight_benchmarks"] > fe["weight_benchmarks"] and re["df"] == 1 and re["tau"] > 0
    assert first["estimate"] == -0.1 and first["weight_benchmarks"] == 0 and first["df"] == 500


def test_rate_cards_are_a_source_class_left_out_of_the_main_specification(ledger, audit_result):
    main_rows = rows(ledger, audit_result)
    with_cards = rows(ledger, audit_result, price="rate_cards")
    cards = main_rows[main_rows["source_id"].isin(sy.RATE_CARD_SOURCES) & main_rows["metric"].eq("price_per_post")]
    assert len(cards) > 0 and not cards["used"].any()
    placed = cards[cards["followers"].notna()]  # a rate-card tier with no follower range is out for that first
    assert len(placed) >= 4 and placed["reason"].str.startswith("a rate card's rule").all()
    assert with_cards.loc[cards.index, "used"].any()


def test_the_real_quotes_slope_reproduces_the_data_readme():
    # the README of data/real/xhs_price_quotes states its fit: 14 asking prices, 0.41 (-0.35 to 1.16)
    quotes = sy.quote_slope()
    assert quotes["n"] == 14 and quotes["df"] == 12
    assert round(quotes["estimate"], 2) == 0.41
    assert (round(quotes["ci_low"], 2), round(quotes["ci_high"], 2)) == (-0.35, 1.16)
    assert quotes["followers_high"] < 10_000  # nano only


def test_the_real_quotes_replace_the_price_slope_and_never_pool(ledger, audit_result, main):
    spec = sy.synthesise(ledger, sy.Choices(price="real_quotes"), audit_result)
    assert spec.slopes["price_per_post"] == pytest.approx(sy.quote_slope()["estimate"])
    assert spec.cov.loc["price_per_post", "engagement_rate"] == 0
    assert spec.params.dfs["price_per_post"] == 12
    assert spec.slopes["engagement_rate"] == pytest.approx(main.slopes["engagement_rate"])


def test_conversion_zero_is_an_assumption_without_variance(ledger, audit_result):
    spec = sy.synthesise(ledger, sy.Choices(conversion="zero"), audit_result)
    assert spec.slopes["conversion_rate"] == 0 and spec.cov.loc["conversion_rate"].abs().sum() == 0
    rev = spec.estimate("revenue")
    assert rev["estimate"] == pytest.approx(1 + spec.slopes["engagement_rate"])


@settings(max_examples=40, deadline=None)
@given(
    e=st.floats(-0.5, 0.1),
    c=st.floats(-0.3, 0.1),
    p=st.floats(0.2, 1.2),
    ve=st.floats(1e-5, 0.01),
    vc=st.floats(1e-5, 0.01),
    vp=st.floats(1e-5, 0.05),
)
def test_at_the_breakeven_price_elasticity_return_per_dollar_is_flat(e, c, p, ve, vc, vp):
    names = ["engagement_rate", "conversion_rate", "price_per_post", *sy.PAIR_NAMES]
    slopes = dict.fromkeys(names, e) | {"conversion_rate": c, "price_per_post": p}
    cov = np.diag([ve, vc, vp] + [ve] * len(sy.PAIR_NAMES))
    blocks = dict.fromkeys(names, "engagement") | {"conversion_rate": "joint", "price_per_post": "joint"}
    params = _params(slopes, cov, dict.fromkeys(names, 30), blocks)
    spec = sy.Synthesis(sy.MAIN, pd.DataFrame(), None, {}, params, sy.implied(params))
    even = sy.breakeven_price(spec).set_index("term")
    returns = sy.pair_returns(spec).set_index("term")
    for term in returns.index:
        # the gap between the break-even and the price elasticity is the elasticity of return per dollar
        assert even.loc[term, "estimate"] - p == pytest.approx(returns.loc[term, "estimate"])
        assert even.loc[term, "std_error"] == pytest.approx(np.sqrt(ve + vc))
        assert even.loc[term, "ci_low"] < even.loc[term, "estimate"] < even.loc[term, "ci_high"]
    assert even.loc["one slope for all sizes", "estimate"] == pytest.approx(1 + e + c)


def test_the_breakeven_is_per_tier_pair_in_the_main_form(main):
    even = sy.breakeven_price(main).set_index("term")
    assert {"nano vs micro", "micro vs macro", "macro vs mega", "micro vs mega"} <= set(even.index)
    assert even.loc["micro vs mega", "estimate"] == pytest.approx(
        1 + main.slopes[sy.pair_name(("micro", "mega"))] + main.slopes["conversion_rate"]
    )
    # the shape: engagement falls faster between the small tiers, so their break-even is lower
    assert even.loc["nano vs micro", "estimate"] < even.loc["micro vs mega", "estimate"]


def test_draws_are_seeded_and_match_each_slopes_t_interval(main):
    a, b = sy.draws(20_000, seed=5, synthesis=main), sy.draws(20_000, seed=5, synthesis=main)
    pd.testing.assert_frame_equal(a, b)
    assert not sy.draws(100, seed=6, synthesis=main)["return_per_dollar"].equals(a["return_per_dollar"].iloc[:100])
    assert list(a.columns) == ["draw", *sy.ELASTICITIES, *sy.PAIR_NAMES]
    for name in sy.ELASTICITIES:
        row = main.estimate(name)
        assert a[name].median() == pytest.approx(row["estimate"], abs=0.01)
        lo, hi = a[name].quantile([0.025, 0.975])
        assert lo == pytest.approx(row["ci_low"], abs=0.02) and hi == pytest.approx(row["ci_high"], abs=0.02)
    for name in sy.PAIR_NAMES:
        assert a[name].median() == pytest.approx(main.slopes[name], abs=0.005)
    assert np.allclose(a["return_per_dollar"], 1 + a["engagement_rate"] + a["conversion_rate"] - a["price_per_post"])


def test_a_slope_with_few_degrees_of_freedom_draws_heavy_tails():
    names = ["engagement_rate", "conversion_rate", "price_per_post", *sy.PAIR_NAMES]
    slopes = dict.fromkeys(names, 0.0)
    blocks = dict.fromkeys(names, "engagement") | {"conversion_rate": "joint", "price_per_post": "quotes"}
    dfs = dict.fromkeys(names, np.inf) | {"conversion_rate": 3, "price_per_post": 1000}
    params = _params(slopes, np.eye(len(names)), dfs, blocks)
    spec = sy.Synthesis(sy.MAIN, pd.DataFrame(), None, {}, params, sy.implied(params))
    sample = sy.draws(40_000, seed=1, synthesis=spec)
    for name, df in (("conversion_rate", 3), ("price_per_post", 1000), ("engagement_rate", np.inf)):
        expected = stats.t.ppf(0.975, df) if np.isfinite(df) else stats.norm.ppf(0.975)
        assert sample[name].quantile(0.975) == pytest.approx(expected, rel=0.05)


def test_the_specification_curve_covers_every_combination_once(ledger, main):
    options = {
        "copies": ("drop", "keep"),
        "open_values": ("median_ratio",),
        "placement": ("source",),
        "open_ranges": ("median_ratio",),
        "weights": ("equal",),
        "audit": ("exclude",),
        "engagement": ("fixed_effect", "benchmarks"),
        "form": ("tier_pair", "constant"),
        "price": ("no_rate_cards", "real_quotes"),
        "conversion": ("blogs",),
    }
    table = sy.specification_curve(ledger, options)
    # 2 copies x 2 prices x (fixed_effect in both forms + benchmarks in constant form only)
    assert len(table) == 12 and table["main"].sum() == 1
    assert not ((table["form"] == "tier_pair") & (table["engagement"] == "benchmarks")).any()
    main_row = table.loc[table["main"]].iloc[0]
    assert main_row["estimate"] == pytest.approx(sy.headline(main)["estimate"])
    # the revenue elasticity, as the decisions' worlds read it (worlds.return_interval: it less the price axis)
    assert main_row["revenue_slope"] == pytest.approx(main.estimate("revenue")["estimate"])
    assert main_row["df"] == pytest.approx(sy.headline(main)["df"])
    assert table["estimate"].round(sy.CURVE_DECIMALS).is_monotonic_increasing
    assert table[["copies", "engagement", "form", "price"]].drop_duplicates().shape[0] == len(table)


def test_sign_changes_name_the_single_changes_that_cross_zero():
    base = {name: options[0] for name, options in sy.OPTIONS.items()}
    curve = pd.DataFrame(
        [
            base | {"estimate": -0.1, "ci_low": -0.3, "ci_high": 0.1, "main": True},
            base | {"price": "real_quotes", "estimate": 0.4, "ci_low": -0.3, "ci_high": 1.1, "main": False},
            base | {"conversion": "zero", "estimate": -0.01, "ci_low": -0.3, "ci_high": 0.2, "main": False},
            base
            | {"copies": "keep", "price": "real_quotes", "estimate": 0.3, "ci_low": 0, "ci_high": 1, "main": False},
        ]
    )
    changes = sy.sign_changes(curve).set_index(["choice", "option"])
    assert changes.loc[("price", "real_quotes"), "crosses_zero"]
    assert not changes.loc[("conversion", "zero"), "crosses_zero"]
    assert changes.loc[("price", "real_quotes"), "share_negative"] == 0
    assert changes.loc[("price", "real_quotes"), "estimate"] == 0.4  # the one-change specification, not the other
    sentence = sy.sign_sentence(changes.reset_index(), -0.1)
    assert "price real quotes (0.40)" in sentence and "conversion" not in sentence
    quiet = sy.sign_sentence(changes.reset_index().assign(crosses_zero=False), -0.1)
    assert quiet.startswith("No single change")
    # across a decision's flip point instead of zero: at -0.05 the conversion change (-0.01) crosses too
    flipped = sy.sign_changes(curve, -0.05).set_index(["choice", "option"])
    assert flipped.loc[("conversion", "zero"), "crosses_zero"] and flipped.loc[("price", "real_quotes"), "crosses_zero"]
    assert flipped.loc[("conversion", "zero"), "share_negative"] == 0
    # read on the decisions' axis: the revenue elasticity less the decision's price elasticity, not the estimate
    # (which carries the measured price slope): here the same numbers, the price slopes all equal to the axis
    on_axis = curve.assign(revenue_slope=curve["estimate"] + 1.0, estimate=curve["estimate"] + 0.3)
    said = sy.flip_sentence(on_axis, {10_000.0: -0.05, 1_000_000.0: -0.5}, 1.0)
    assert "price elasticity as an input (1)" in said and "(-0.100 for the main specification;" in said
    assert "At $10,000 the best strategy changes at -0.050 (the main specification is below)" in said
    assert "conversion to zero (-0.010)" in said
    assert "at $1,000,000 the best strategy changes at -0.500 (the main specification is above): no single" in said
    # a lower price elasticity lifts every specification on the axis by the difference
    assert "(0.400 for the main specification;" in sy.flip_sentence(on_axis, {10_000.0: -0.05}, 0.5)
    assert sy.flip_sentence(on_axis, {}, 1.0).endswith("No budget's best strategy changes.")


def test_tier_returns_use_each_tiers_pair_with_the_reference(main):
    table = sy.tier_returns(main).set_index("tier")
    pairs = sy.pair_returns(main).set_index("term")
    assert table.loc["micro", "relative"] == 1
    assert table.loc["nano", "relative"] == pytest.approx(0.1 ** pairs.loc["nano vs micro", "estimate"])
    assert table.loc["mega", "relative"] == pytest.approx(100 ** pairs.loc["micro vs mega", "estimate"])
    assert table.loc["nano", "ci_low"] <= table.loc["nano", "relative"] <= table.loc["nano", "ci_high"]


def test_tier_returns_in_constant_form_follow_the_one_elasticity(ledger, audit_result):
    spec = sy.synthesise(ledger, sy.Choices(form="constant"), audit_result)
    table = sy.tier_returns(spec).set_index("tier")
    assert table.loc["nano", "relative"] == pytest.approx(0.1 ** spec.estimate()["estimate"])


def test_tier_midpoints_close_the_open_tier_by_the_median_range_ratio(ledger):
    mid = sy.midpoints(ledger)
    ratio = sy.median_range_ratio(ledger["tier_definitions"])
    assert mid["micro"] == pytest.approx(np.sqrt(10_000 * 100_000))
    assert mid["mega"] == pytest.approx(np.sqrt(1_000_000 * 1_000_000 * ratio))
    assert mid.is_monotonic_increasing
    assert tiers.tier_midpoints()["mega"] == pytest.approx(np.sqrt(1_000_000 * FOLLOWER_CAP))


def test_choice_medians_give_each_options_median_and_the_choices_spread():
    curve = pd.DataFrame({name: [options[0]] * 4 for name, options in sy.OPTIONS.items()})
    curve["estimate"] = [-0.4, -0.2, -0.1, 0.0]
    curve["copies"] = ["drop", "drop", "keep", "keep"]
    table = sy.choice_medians(curve)
    copies = table[table["choice"] == "copies"].set_index("option")
    assert list(copies.index) == ["drop", "keep"]
    assert copies["median"].tolist() == pytest.approx([-0.3, -0.05])
    assert copies["spread"].iloc[0] == pytest.approx(0.25)
    # a choice held at one option moves nothing
    assert table.loc[table["choice"] == "weights", "spread"].tolist() == [0.0]


def test_specifications_that_tie_keep_their_order_whatever_the_last_bits():
    # three specifications with one estimate, as two CPUs compute it (differing in the last place), and one apart:
    # the tied ones stay in their given order on both, so the curve and its ranks are the same everywhere
    for noise in ([0.0, 1e-16, -1e-16], [0.0, -1e-16, 1e-16]):
        table = pd.DataFrame({"spec": ["a", "b", "c", "d"], "estimate": [-0.2 + n for n in noise] + [-0.3]})
        assert sy.sorted_by_estimate(table)["spec"].tolist() == ["d", "a", "b", "c"]


def test_the_mixed_model_reaches_the_reml_optimum_where_lbfgs_stalls(ledger, audit_result):
    # a specification of the curve where L-BFGS stops 0.1 below the optimum and says it converged (at a point that
    # differs between CPUs): the joint fit must land where a derivative-free search from the default start lands
    import warnings
    from dataclasses import replace

    import statsmodels.api as sm

    choices = replace(sy.MAIN, copies="keep", open_values="bound", placement="source", open_ranges="cap", audit="keep")
    candidates = sy.candidates(ledger, sy.METRICS, choices, audit_result)
    fit = sy.fit_joint(candidates[candidates["used"]], "equal")
    data = candidates[candidates["used"] & candidates["metric"].isin(sy.METRICS)].reset_index(drop=True)
    design, _ = sy._design(data)
    frame = pd.DataFrame(design, columns=[f"x{i}" for i in range(design.shape[1])]).assign(
        y=data["log_value"].to_numpy(float), source=data["source_id"].to_numpy(), metric=data["metric"].to_numpy()
    )
    model = sm.MixedLM.from_formula(
        "y ~ 0 + " + " + ".join(f"x{i}" for i in range(design.shape[1])),
        frame,
        groups="source",
        re_formula="1",
        vc_formula={"source_metric": "0 + C(metric)"},
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        optimum = model.fit(reml=True, method=["nm"], **sy.TIGHT)
    # (on the machine this was found on, L-BFGS alone stops 0.1 below this log-likelihood; on others it may not)
    assert optimum.converged
    assert np.allclose(fit.table["estimate"], optimum.fe_params, atol=1e-6)


def test_the_breakeven_sentence_places_each_price_against_the_interval():
    even = pd.Series({"estimate": 0.8, "ci_low": 0.74, "ci_high": 0.9})
    evidence = pd.DataFrame(
        {
            "evidence": ["rate cards", "quotes", "vendor"],
            "estimate": [1.0, 0.41, 0.85],
            "ci_low": [0.9, -0.35, 0.6],
            "ci_high": [1.1, 1.16, 1.1],
        }
    )
    sentence = sy.breakeven_sentence(even, evidence)
    assert sentence.startswith("Rate cards (1.00) lies above the break-even: on it smaller pays")
    assert "quotes (0.41) lies below the break-even: on it bigger pays, though its own interval spans" in sentence
    assert "vendor (0.85) lies inside" in sentence and sentence.endswith(".")
