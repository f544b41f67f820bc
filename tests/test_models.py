"""The regressions of return per dollar on follower count: tidy output, and known answers on simulated data."""

import numpy as np
import pandas as pd
import pytest

from influencer_roi import coverage, labels, models, simulate
from influencer_roi.models import TIDY_COLUMNS


@pytest.fixture(scope="module")
def data():
    return models.prepare(simulate.simulate(4_000, seed=21))


@pytest.fixture(scope="module")
def fits():
    return models.fit_all(simulate.simulate(4_000, seed=21))


def test_every_model_is_tidy_and_present(fits):
    assert set(TIDY_COLUMNS) <= set(fits.columns)
    assert set(fits["model"]) == {m.name for m in models.REGISTRY}
    assert {"ols_log_roas", "decomposition", "tier_contrasts", "gamma_glm"} <= set(fits["model"])


def test_every_slope_model_covers_the_truth(fits):
    truth = simulate.true_elasticities(simulate.Params())["roi"]
    slopes = models.roi_elasticities(fits)
    assert len(slopes) == len(models.slope_terms())
    assert ((slopes["ci_low"] < truth) & (truth < slopes["ci_high"])).all(), slopes


def test_decomposition_difference_equals_the_ratio_slope(data):
    table = models.decomposition(data).set_index("term")
    ols = models.ols_log_roas(data).set_index("term").loc["log_followers"]
    diff = table.loc["revenue_elasticity", "estimate"] - table.loc["cost_elasticity", "estimate"]
    assert table.loc["roi_elasticity", "estimate"] == pytest.approx(diff)
    assert table.loc["roi_elasticity", "estimate"] == pytest.approx(ols["estimate"])


def test_ratio_artefact_is_visible_in_the_decomposition():
    # Revenue flat in followers (e_er + e_cr = -1), cost rising: the ratio falls by the cost elasticity alone.
    params = simulate.Params(e_er=-0.5, e_cr=-0.5)
    table = models.decomposition(models.prepare(simulate.simulate(20_000, seed=4, params=params))).set_index("term")
    assert table.loc["revenue_elasticity", "estimate"] == pytest.approx(0, abs=0.02)
    assert table.loc["roi_elasticity", "estimate"] == pytest.approx(-params.e_price, abs=0.02)


def test_tier_contrasts_adjusted_p_values_are_not_smaller(fits):
    contrasts = fits[fits["model"] == "tier_contrasts"]
    assert len(contrasts) == 6  # every pair of four tiers
    assert (contrasts["p_adjusted"] >= contrasts["p_value"] - 1e-15).all()
    nano_micro = contrasts.set_index("term").loc["nano_vs_micro", "ratio"]
    # the truth: micro's midpoint is 10x nano's, so nano returns 10 ** -e(roi) times per dollar
    truth = 10 ** -simulate.true_elasticities(simulate.Params())["roi"]
    assert nano_micro == pytest.approx(truth, rel=0.15)


def test_curvature_finds_no_peak_in_a_straight_line(fits):
    curvature = fits[fits["model"] == "curvature"].set_index("term")
    assert np.isnan(curvature.loc["vertex_followers", "p_value"]) or curvature.loc["vertex_followers", "p_value"] > 0.01


def test_curvature_finds_a_real_peak():
    data = models.prepare(simulate.simulate(20_000, seed=5))
    peak = np.log(100_000)
    bent = data.assign(
        log_roas=-0.15 * (data["log_followers"] - peak) ** 2 + np.random.default_rng(0).normal(0, 0.3, len(data))
    )
    table = models.curvature(bent).set_index("term")
    assert table.loc["vertex_followers", "estimate"] == pytest.approx(100_000, rel=0.1)
    assert table.loc["vertex_followers", "p_value"] < 0.001


def test_a_peak_beyond_the_data_is_not_reported_in_either_curvature_check():
    """The same rule in models.curvature (return per dollar) and engagement.curvature (posts): a concave curve whose
    vertex lies beyond the largest account is no 'Goldilocks' size."""
    data = models.prepare(simulate.simulate(20_000, seed=5))
    beyond = np.log(1e9)
    bent = data.assign(
        log_roas=-0.05 * (data["log_followers"] - beyond) ** 2 + np.random.default_rng(0).normal(0, 0.3, len(data))
    )
    table = models.curvature(bent).set_index("term")
    assert table.loc["quadratic", "estimate"] < 0 and table.loc["quadratic", "p_value"] < 0.001
    assert np.isnan(table.loc["vertex_followers", "estimate"]) and np.isnan(table.loc["vertex_followers", "p_value"])
    row = models.peak_row(1.0, -0.05, 0.001, 0.0, pd.Series([-1.0, 1.0]))  # vertex at x = 10, beyond x <= 1
    assert np.isnan(row["estimate"])
    assert models.peak_row(0.0, -0.05, 0.001, 0.0, pd.Series([-1.0, 1.0]))["estimate"] == 1  # the vertex at x = 0


def test_zero_revenue_rows_are_dropped_and_counted():
    campaigns = simulate.simulate(100, seed=1)
    campaigns.loc[:4, "revenue"] = 0
    assert models.prepare(campaigns).attrs["dropped_zero_revenue"] == 5


def test_subsample_only_above_the_limit():
    frame = pd.DataFrame({"x": range(10)})
    assert models.subsample(frame, limit=20) is frame
    assert len(models.subsample(frame, limit=4)) == 4


def test_coverage_study_records_every_model():
    table = coverage.coverage_study(reps=3, n=400, seed=9)
    assert len(table) == 3 * len(models.slope_terms())
    assert table["covers"].dtype == bool


def test_a_model_added_to_the_registry_appears_everywhere(monkeypatch, tmp_path):
    """Registering a model is the only change needed: it is fitted by analyze (results.json and the report), by the
    coverage study, listed by roi_elasticities, and counted in the numbers the chapters glue."""
    import json

    from influencer_roi import cli

    def median_ratio(data, seed):  # a dummy slope model: OLS of log revenue minus log cost, as model 1
        table = models.ols_log_roas(data)
        table["model"] = "dummy_median"
        return table

    before = models.counts()
    dummy = models.Model("dummy_median", "a dummy", median_ratio, "log_followers")
    monkeypatch.setattr(models, "REGISTRY", [*models.REGISTRY, dummy])
    assert models.counts() == {"models": before["models"] + 1, "slope_models": before["slope_models"] + 1}
    data = models.prepare(simulate.simulate(600, seed=3))
    assert "dummy_median" in set(models.fit_prepared(data)["model"])
    assert "dummy_median" in set(coverage.coverage_study(2, 300, seed=1)["model"])
    campaigns = tmp_path / "campaigns.csv"
    simulate.simulate(600, seed=3).to_csv(campaigns, index=False)
    assert cli.main(["analyze", str(campaigns), "--out", str(tmp_path / "out")]) == 0
    record = json.loads((tmp_path / "out" / "results.json").read_text())
    assert "dummy_median" in record["roi_elasticity_by_model"]
    assert labels.label("dummy_median") in (tmp_path / "out" / "report.html").read_text()  # shown by its label
