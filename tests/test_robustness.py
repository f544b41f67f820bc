"""Each robustness simulation against the answer it must give (see robustness.py)."""

import numpy as np
import pandas as pd
import pytest

from influencer_roi import robustness, simulate
from influencer_roi.evidence import load_tier_definitions


def test_tier_ratios_follow_the_elasticity_under_every_scheme():
    """With return per dollar exactly F ** b, a tier ratio is exp(b * (mean log F of tier a - mean log F of b))."""
    rng = np.random.default_rng(0)
    followers = np.round(10 ** rng.uniform(3, 7, 20_000))
    b = -0.3
    campaigns = pd.DataFrame({"followers": followers, "cost": 1.0, "revenue": followers**b})
    definitions = load_tier_definitions()
    table = robustness.boundary_sensitivity(campaigns, definitions)
    assert {"canonical", "A002", "beichert2024"} <= set(table["scheme_id"])
    from influencer_roi.tiers import assign_tier, get_scheme

    for row in table.itertuples():
        scheme = "canonical" if row.scheme_id == "canonical" else definitions[definitions["scheme_id"] == row.scheme_id]
        tiers = (
            assign_tier(
                followers,
                get_scheme(scheme)
                if row.scheme_id == "canonical"
                else scheme[["tier", "min_followers", "max_followers"]],
            )
            .astype(str)
            .to_numpy()
        )
        a, c = row.contrast.split("_vs_")
        gap = np.log(followers[tiers == a]).mean() - np.log(followers[tiers == c]).mean()
        assert row.ratio == pytest.approx(np.exp(b * gap), rel=1e-9)


def test_a_flat_revenue_still_gives_a_falling_return_per_dollar():
    table = robustness.ratio_artefact(n=20_000).set_index(["scenario", "term"])
    flat = table.loc["revenue flat"]
    cost_elasticity = simulate.Params().e_price
    assert flat.loc["roi_elasticity", "ci_low"] < -cost_elasticity < flat.loc["roi_elasticity", "ci_high"]
    assert flat.loc["revenue_elasticity", "ci_low"] < 0 < flat.loc["revenue_elasticity", "ci_high"]
    reverse = table.loc["cost flat"]
    assert reverse.loc["roi_elasticity", "estimate"] == pytest.approx(
        reverse.loc["revenue_elasticity", "estimate"], abs=0.01
    )
    assert reverse.loc["roi_elasticity", "ci_low"] > 0


def test_case_study_odds_match_the_lognormal_tail():
    rng = np.random.default_rng(1)
    roas = np.exp(rng.normal(1.0, 0.8, 400_000))
    threshold = 6.27
    p = 1 - __import__("scipy").stats.norm.cdf((np.log(threshold) - 1.0) / 0.8)
    table = robustness.case_study_odds(roas, threshold, counts=(1, 10, 100))
    assert table["share_above"].iloc[0] == pytest.approx(p, abs=0.002)
    assert table["chance"].tolist() == pytest.approx([1 - (1 - p) ** n for n in (1, 10, 100)], abs=0.01)


def test_runs_in_proportion_split_a_total_as_the_tiers_are_split():
    campaigns = pd.DataFrame({"followers": [5_000] * 6 + [50_000] * 3 + [5_000_000]})
    assert robustness.runs_in_proportion(campaigns, 100) == {"nano": 60, "micro": 30, "macro": 0, "mega": 10}


def test_publishing_only_wins_favours_the_tier_that_runs_most_campaigns():
    """Same distribution in every tier: the best 5 of 10,000 beat the best 5 of 100."""
    rng = np.random.default_rng(2)
    followers = np.repeat([5_000, 50_000, 500_000, 5_000_000], 5_000)
    campaigns = pd.DataFrame({"followers": followers, "cost": 1.0, "revenue": np.exp(rng.normal(1, 0.8, 20_000))})
    equal = robustness.published_wins(campaigns, run_share={t: 1_000 for t in ("nano", "micro", "macro", "mega")})
    assert equal["gm_published"].max() / equal["gm_published"].min() < 1.3
    skewed = robustness.published_wins(
        campaigns, run_share={"nano": 10_000, "micro": 2_000, "macro": 500, "mega": 100}
    ).set_index("tier")
    assert skewed.loc["nano", "gm_published"] > 1.5 * skewed.loc["mega", "gm_published"]
    assert skewed["gm_all"].max() / skewed["gm_all"].min() < 1.35  # while the tiers are in truth alike (sampling aside)


def test_noisy_follower_counts_attenuate_as_the_formula_says():
    table = robustness.measurement_error(n=20_000)
    assert table["estimate"].to_numpy() == pytest.approx(table["expected"].to_numpy(), abs=0.01)
    # noise pulls the estimate towards zero, by at least half of what the formula expects (a visible amount)
    expected_shift = table["expected"].iloc[-1] - table["expected"].iloc[0]
    assert expected_shift > 0.02
    assert table["estimate"].iloc[-1] - table["estimate"].iloc[0] > expected_shift / 2


def test_fake_followers_in_large_accounts_push_the_elasticities_down():
    table = robustness.fake_followers(n=20_000, slopes=(0.0, 0.15)).set_index(["fake_share_slope", "metric"])
    for metric in ("engagement_rate", "revenue", "roi"):
        clean = table.loc[(0.0, metric)]
        assert clean["ci_low"] < clean["truth"] < clean["ci_high"]
        assert table.loc[(0.15, metric), "ci_high"] < clean["truth"]


def test_simulated_power_matches_the_t_test():
    table = robustness.power_curve(1.5, 1.0, sizes=(20, 100), reps=1_000)
    assert table["power_simulated"].to_numpy() == pytest.approx(table["power_analytic"].to_numpy(), abs=0.05)
    n = robustness.campaigns_needed(1.5, 1.0)
    assert robustness.power_curve(1.5, 1.0, sizes=(int(np.ceil(n)),), reps=2_000)["power_simulated"].iloc[
        0
    ] == pytest.approx(0.8, abs=0.04)


def test_one_viral_campaign_moves_the_mean_models_not_the_robust_ones():
    # a fixed process (not the evidence's central world), so that the known answer does not move with the ledger
    fixed = simulate.Params(e_er=-0.2, e_cr=-0.25, e_price=0.85, platform_er=(1.0, 2.5, 0.42))
    table = robustness.viral_campaign(simulate.simulate(3_000, seed=4, params=fixed), multiplier=1_000).set_index(
        "estimator"
    )
    assert abs(table.loc["gamma_glm", "shift"]) > 5 * abs(table.loc["median", "shift"])
    assert abs(table.loc["gamma_glm", "shift"]) > 5 * abs(table.loc["huber", "shift"])


def test_selection_biases_the_slope_only_when_it_differs_by_size():
    same = robustness.selection_bias(rho_small=-0.4, rho_large=-0.4).set_index("sample").loc["sponsored only"]
    assert same["ci_low"] < same["truth"] < same["ci_high"]
    differs = robustness.selection_bias(rho_small=-0.5, rho_large=0.0).set_index("sample").loc["sponsored only"]
    assert differs["ci_low"] < differs["expected"] < differs["ci_high"]
    assert differs["ci_low"] > differs["truth"]


def test_the_selection_grid_measures_bias_against_the_truth():
    grid = robustness.selection_grid(rhos=(-0.5, 0.0), n=20_000)
    assert len(grid) == 4
    assert (grid["bias"] == grid["estimate"] - grid["truth"]).all()
    same = grid[grid["rho_small"] == grid["rho_large"]]
    assert same["bias"].abs().max() < grid["bias"].abs().max()


def test_fake_followers_cost_the_large_tiers_most():
    """The fake share is 0 at 1k followers and rises with size, so nano keeps (almost) all its return, mega loses
    most, and the loss per tier follows the tiers' order."""
    table = robustness.fake_followers_by_tier(n=20_000, slopes=(0.0, 0.15))
    worst = table[table["fake_share_slope"] == 0.15].set_index("tier")["relative_to_clean"]
    assert (table[table["fake_share_slope"] == 0.0]["relative_to_clean"] == 1.0).all()
    assert list(worst.sort_values(ascending=False).index) == ["nano", "micro", "macro", "mega"]
    assert worst["nano"] > 0.9 and worst["mega"] < 0.65
