"""Degenerate data: a model that cannot be estimated is marked so, with the reason, and never raises, prints a raw
warning or returns one of many solutions of a singular design; results.json stays strict JSON."""

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from statsmodels.tools.sm_exceptions import ConvergenceWarning, SingularMatrixWarning

from influencer_roi import engagement, models, post_table, report, simulate


def strict(text: str) -> dict:
    def refuse(constant):
        raise ValueError(constant)

    return json.loads(text, parse_constant=refuse)


def campaigns(n=200, seed=3) -> pd.DataFrame:
    return models.prepare(simulate.simulate(n, seed=seed))


def test_attempt_marks_a_failure_as_not_estimable_with_its_reason():
    def broken():
        raise np.linalg.LinAlgError("SVD did not converge")

    table = models.attempt("huber", broken, "log_followers")
    assert len(table) == 1 and table["estimate"].isna().all()
    assert table["note"].iloc[0] == "not estimable: LinAlgError: SVD did not converge"


def test_attempt_treats_a_singular_design_as_not_estimable_and_other_warnings_as_notes():
    def singular():
        warnings.warn("The design matrix is rank-deficient.", SingularMatrixWarning, stacklevel=2)
        return pd.DataFrame({"model": ["m"], "term": ["x"], "estimate": [1.0]})

    def slow():
        warnings.warn("maximum number of iterations reached", ConvergenceWarning, stacklevel=2)
        return pd.DataFrame({"model": ["m"], "term": ["x"], "estimate": [1.0]})

    assert models.attempt("m", singular)["note"].iloc[0].startswith("not estimable: the design is singular")
    noted = models.attempt("m", slow)
    assert noted["estimate"].iloc[0] == 1.0
    assert noted["note"].iloc[0] == "ConvergenceWarning: maximum number of iterations reached"


def test_one_tier_only_marks_the_contrasts_and_fits_the_rest():
    data = campaigns(400)
    data = data[data["tier"] == "nano"]
    fits = models.fit_prepared(data)
    contrasts = fits[fits["model"] == "tier_contrasts"]
    assert len(contrasts) == 1 and contrasts["note"].iloc[0].startswith("not estimable: campaigns in 1 canonical")
    slope = fits[(fits["model"] == "ols_log_roas") & (fits["term"] == "log_followers")]
    assert np.isfinite(slope["estimate"]).all() and slope["note"].isna().all()


def test_two_follower_counts_make_the_curvature_not_estimable_not_a_silent_answer():
    data = campaigns(60)
    data = data.assign(followers=np.where(np.arange(len(data)) % 2, 2_000, 200_000))
    data = models.prepare(data[["followers", "cost", "revenue", "brand"]])
    fits = models.fit_prepared(data)
    curvature = fits[fits["model"] == "curvature"]
    assert len(curvature) == 1 and "not estimable" in curvature["note"].iloc[0]
    assert fits[fits["model"] == "decomposition"]["note"].isna().all()


def test_three_accounts_with_one_post_each_give_a_slope_and_no_curvature():
    posts = pd.DataFrame(
        {"account_id": ["A1", "A2", "A3"], "followers": [1_500, 48_000, 2_300_000], "engagements": [64, 721, 9_130]}
    )
    fits = engagement.fit_posts(post_table.prepare(posts))
    slope = fits[(fits["model"] == "ols_clustered") & (fits["term"] == "log_followers")]
    assert np.isfinite(slope["estimate"]).all()
    curvature = fits[fits["model"] == "curvature"]
    assert curvature["note"].iloc[0] == (
        "not estimable: 3 accounts for 3 coefficients; clustered errors need more accounts than coefficients"
    )


def test_the_memo_gives_the_same_fit_without_its_data_and_tells_different_numbers_apart():
    data = campaigns(500)
    fresh = models.tidy(models.ols(data["log_roas"], data["log_followers"]))
    first = models.ols(data["log_roas"], data["log_followers"], memo=True)
    assert models.ols(data["log_roas"], data["log_followers"], memo=True) is first
    pd.testing.assert_frame_equal(models.tidy(first), fresh)
    other = models.ols(data["log_revenue"], data["log_followers"], memo=True)
    assert other is not first and models.tidy(other)["estimate"].iloc[1] != fresh["estimate"].iloc[1]
    for shift in range(models._MEMO_SIZE + 2):  # bounded
        models.ols(data["log_roas"] + shift, data["log_followers"], memo=True)
    assert len(models._MEMO) <= models._MEMO_SIZE


def test_the_gamma_glm_is_subsampled_above_the_limit_like_the_other_slow_models(monkeypatch):
    monkeypatch.setattr(models, "SUBSAMPLE_ABOVE", 150)
    data = campaigns(400)
    seen = []
    fit = models.sm.GLM.fit

    def spy(self, *args, **kwargs):
        seen.append(self.endog.shape[0])
        return fit(self, *args, **kwargs)

    monkeypatch.setattr(models.sm.GLM, "fit", spy)
    models.gamma_glm(models.subsample(data, limit=150))
    assert seen == [150] and "gamma_glm" in models.subsampled_models()


def test_results_json_is_strict_and_says_why_a_value_is_null():
    text = report.strict_json(
        {
            "results": [
                {"strategy": "all mega", "mean_creators": 0.0, "creators": 0, "return_per_dollar": float("nan")}
            ],
            "ratio": float("inf"),
            "fine": 1.5,
        }
    )
    record = strict(text)
    assert record["results"][0]["return_per_dollar"] is None and record["ratio"] is None and record["fine"] == 1.5
    reasons = record["nulls"]
    assert reasons["no creator could be booked with this budget under this strategy, so nothing was spent"] == [
        "results[0].return_per_dollar"
    ]
    assert ["ratio"] in reasons.values()


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf"), np.float64("nan")])
def test_no_non_finite_number_reaches_the_json(value):
    assert "NaN" not in report.strict_json({"x": [value, {"y": value}]})
    assert "Infinity" not in report.strict_json({"x": value})


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cost=st.sampled_from(["0.01", "1", "250", "99999.99"]), zeros=st.booleans(), seed=st.integers(0, 1_000))
def test_one_cost_for_every_campaign_warns_nothing(cost, zeros, seed):
    """Every cost the same (0.01 found it): the models that need cost to vary are marked not estimable, and no
    library warning reaches the user (report._intervals set a text note into a float Series: pandas'
    Pandas4Warning). The command runs with every warning an error around it, and its stderr is empty."""
    from commandline import run, scratch

    data = simulate.simulate(120, seed=seed, zero_share=0.2 if zeros else 0.0)
    data["cost"] = cost
    with scratch() as folder, warnings.catch_warnings():
        warnings.simplefilter("error")
        data.to_csv(folder / "same_cost.csv", index=False)
        code, out, err = run(["analyze", "same_cost.csv", "--out", "out"])
        assert code == 0, err
        assert err == ""
        record = strict((folder / "out" / "results.json").read_text())
    assert record["notes"]  # what could not be estimated is said in the results, not warned
