"""The meta-regression across the ledger: which claims count, and that the fit recovers a known slope."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from influencer_roi import evidence, metaregression as mr
from influencer_roi.models import TIDY_COLUMNS, tidy


@pytest.fixture(scope="module")
def ledger():
    return evidence.load_ledger()


def synthetic(slope, n=40, seed=1, platforms=("instagram",)):
    rng = np.random.default_rng(seed)
    followers = 10 ** rng.uniform(3, 7, n)
    platform = rng.choice(platforms, n)
    level = pd.Series(platform).map({p: i * 0.5 for i, p in enumerate(platforms)}).to_numpy()
    log_value = -1 + level + slope * np.log10(followers) + rng.normal(0, 0.01, n)
    return pd.DataFrame({"log_followers": np.log10(followers), "log_value": log_value, "platform": platform,
                         "weight_equal": 1.0, "weight_grade": rng.choice([1, 0.5, 0.25], n),
                         "weight_grade_and_width": 1.0})


@pytest.mark.parametrize("rule", mr.WEIGHT_RULES)
def test_fit_recovers_a_known_slope(rule):
    table = mr.fit(synthetic(-0.3), rule)
    slope = table.set_index("term").loc["log_followers"]
    assert slope["estimate"] == pytest.approx(-0.3, abs=0.01)
    assert slope["ci_low"] < -0.3 < slope["ci_high"]
    assert list(table.columns) == TIDY_COLUMNS + ["n"]


def test_platform_levels_do_not_bias_the_slope():
    data = synthetic(-0.2, n=60, platforms=("instagram", "tiktok", "youtube"))
    with_levels = mr.fit(data, "equal", platform_levels=True).set_index("term").loc["log_followers", "estimate"]
    assert with_levels == pytest.approx(-0.2, abs=0.01)


def test_unknown_rule_is_refused():
    with pytest.raises(ValueError, match="rule must be one of"):
        mr.fit(synthetic(0.1), "vibes")


def test_points_drop_illustrative_restated_and_comparison_claims(ledger):
    er = mr.points(ledger["claims"], ledger["sources"], "engagement_rate")
    assert "A003_10" not in set(er["claim_id"])  # article 003's illustrative 20K account
    roas = mr.points(ledger["claims"], ledger["sources"], "roas")
    assert "A001_22" not in set(roas["claim_id"])  # restates A001_11 in the same article
    assert roas["tier_b"].isna().all() and (roas["value"] > 0).all()
    assert set(roas["weight_grade"]) <= set(mr.GRADE_WEIGHTS.values())


def test_metrics_with_too_few_points_get_no_estimate(ledger):
    table = mr.elasticities(ledger["claims"], ledger["sources"], metrics=("cost_per_engagement",), rules=("grade",))
    assert table["n"].iloc[0] < mr.MIN_POINTS and np.isnan(table["estimate"].iloc[0])


def test_implied_return_elasticity_adds_the_parts():
    table = pd.DataFrame({"metric": ["engagement_rate", "conversion_rate", "price_per_post"], "rule": "grade",
                          "estimate": [-0.2, -0.1, 0.9], "std_error": [0.03, 0.04, 0.12]})
    implied = mr.implied_return_elasticity(table, "grade")
    assert implied["estimate"] == pytest.approx(1 - 0.2 - 0.1 - 0.9)
    assert implied["std_error"] == pytest.approx(np.sqrt(0.03**2 + 0.04**2 + 0.12**2))


def test_relative_return():
    assert mr.relative_return(-0.5, 100, 10_000) == pytest.approx(10.0)


def test_tidy_matches_statsmodels():
    data = synthetic(0.4)
    result = smf.ols("log_value ~ log_followers", data=data).fit(cov_type="HC3")
    table = tidy(result).set_index("term")
    assert table.loc["log_followers", "estimate"] == pytest.approx(result.params["log_followers"])
    assert table.loc["log_followers", "ci_high"] == pytest.approx(result.conf_int().loc["log_followers", 1])
