"""The claims audit: the semantics of a check, and the verdicts on the ledger's known cases."""

import numpy as np
import pandas as pd
import pytest

from influencer_roi import audit, evidence, real_posts, verdicts
from influencer_roi.paths import evidence_dir


@pytest.fixture(scope="module")
def claims():
    return evidence.load_ledger()["claims"]


@pytest.fixture(scope="module")
def result(claims):
    return audit.run_audit(claims).set_index("check_id")


def test_claim_ids_skips_functions_and_literals():
    assert audit.claim_ids("-log(L14) / log(L15)") == ["L14", "L15"]
    assert audit.claim_ids("1:") == []


def test_one_rule_for_ranges_every_combination_of_the_ends(claims):
    # mega CPE $1-5 over micro CPE $0.10-0.50: 2 to 50, not the 10 of the matching ends
    assert audit.evaluate("A002_15 / A002_13", claims) == pytest.approx((2, 50))
    assert "combination" in audit.RANGE_RULE


def test_a_bare_one_sided_claim_stays_open(claims):
    assert audit.evaluate("L61", claims) == (10_000, np.inf)  # "$10,000+"


@pytest.mark.parametrize(
    "stated, recomputed, match, tolerance, expected",
    [
        ((3, 3), (3.17, 3.33), "overlap", 0.15, "consistent"),
        ((3, 3), (3.17, 3.33), "overlap", 0.05, "inconsistent"),
        ((3.8, 7.0), (3.8, 4.0), "overlap", 0.05, "consistent"),
        ((3.8, 7.0), (3.8, 4.0), "equal", 0.05, "inconsistent"),
        ((1, np.inf), (0.28, 0.28), "overlap", 0.05, "inconsistent"),
        ((-0.4, -0.3), (-0.385, -0.385), "overlap", 0.0, "consistent"),
        ((3, 3), None, "overlap", 0.05, "unverifiable"),
        ((2808, 2808), (2808, 2808), "distinct", 0.05, "inconsistent"),  # another source's figure, credited elsewhere
        ((2808, 2808), (1698, 1698), "distinct", 0.05, "consistent"),
    ],
)
def test_verdict(stated, recomputed, match, tolerance, expected):
    assert audit.verdict(stated, recomputed, match, tolerance) == expected


def test_the_same_figure_under_another_tier_fails_same_tier():
    assert audit.verdict((3, 5), (3, 5), "same_tier", 0.05, same_tier=True) == "consistent"
    assert audit.verdict((3, 5), (3, 5), "same_tier", 0.05, same_tier=False) == "inconsistent"


@pytest.mark.parametrize(
    "check_id, verdict",
    [
        ("K01", "consistent"),  # article 002: CPE = price / engagements, micro
        ("K03", "consistent"),  # article 004: 18x cost / 6x revenue = 3x
        ("K09", "inconsistent"),  # article 001: Instagram micro engagement, table vs bullet
        ("K11", "inconsistent"),  # article 001: "about 20% higher conversion" vs its own 4.1% / 2.6%
        ("K10", "inconsistent"),  # article 001: TikTok 8.7-12.4% vs 8-12%: not a rounding
        ("K13", "inconsistent"),  # article 001: 3-5 per dollar for mega in the table, for macro in the bullets
        ("K14", "consistent"),  # article 002: "2-3 times better" is the least favourable end of its own 2x-50x
        ("K25", "inconsistent"),  # 2,808 "campaigns" credited to NP Digital are Beichert et al.'s posts
        ("K29", "consistent"),  # AMA's "up to 60% lower CPE" against article 002's own CPEs (2% to 50%)
        ("K60", "inconsistent"),  # HypeAuditor 2026's micro 0.54% against the real posts
        ("K63", "consistent"),  # IMH 2021's micro 3.86% against the real posts
        ("K18", "inconsistent"),  # article 004's factor of three vs the study's ROIS 17.85 / 4.67
        ("K19", "inconsistent"),  # ROIS called ROI: the net ratio is larger still
        ("K21", "consistent"),  # the derived revenue elasticity checks out
        ("K26", "inconsistent"),  # article 004's macro cut-off is not the study's
        ("K07", "unverifiable"),  # a case-study ROI with no cost or revenue
    ],
)
def test_known_verdicts(result, check_id, verdict):
    assert result.loc[check_id, "verdict"] == verdict


def test_every_check_has_the_columns_and_a_known_verdict(result):
    assert {"kind", "claim_ids", "stated", "recomputed", "verdict", "explanation"} <= set(result.columns)
    assert set(result["verdict"]) <= set(audit.VERDICTS)
    assert set(result["kind"]) == set(audit.KINDS)


def test_a_check_naming_an_unknown_claim_is_refused(tmp_path, claims):
    frame = pd.read_csv(evidence_dir() / "audit_checks.csv", dtype=str, keep_default_na=False)
    frame.loc[0, "recomputed"] = "A002_07 / NOPE_01"
    path = tmp_path / "audit_checks.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(evidence.LedgerError, match="line 2, column recomputed.*not in claims.csv"):
        audit.load_checks(path, claims=claims)


def test_expressions_cannot_run_code(claims):
    with pytest.raises(ValueError, match="unknown claim id"):
        audit.evaluate("__import__('os').getcwd()", claims)


def test_checks_for_tier(result, claims):
    nano = audit.checks_for_tier(result.reset_index(), claims, "nano")
    assert {"K03", "K18", "K27"} <= set(nano["check_id"])
    assert "K01" not in set(nano["check_id"])  # article 002's micro CPE arithmetic


def test_the_tally_counts_one_gap_once(result):
    table = audit.tally(result.reset_index()).set_index("finding")
    assert list(table.index) == list(audit.FINDINGS)
    # K18, K19 and K20 find one gap (the summaries' 'three times' against the study's own ROIS)
    assert {"K18", "K19", "K20"} <= set(result.index[result["gap"] == "rois_factor_of_three"])
    failed = result[result["verdict"] == "inconsistent"]
    disagreements = failed[failed["finding"] == "source disagreement"]
    assert table.loc["source disagreement", "gaps"] == disagreements["gap"].nunique() < len(disagreements)
    # an unverifiable check finds nothing: K28 (a 'study' with no such figure) is not counted as a misattribution
    assert result.loc["K28", "verdict"] == "unverifiable"
    assert table.loc["misattribution", "checks"] == len(failed[failed["finding"] == "misattribution"])


def test_real_data_checks_compare_with_the_real_posts_over_the_claims_own_range(result):
    row = result.loc["K60"]  # HypeAuditor 2026, micro 10k-50k
    band = real_posts.band_interval("engagement_rate", 10_000, 50_000)
    assert row["recomputed_low"] == pytest.approx(band["low"]) and row["recomputed_high"] == pytest.approx(band["high"])
    assert band["low"] <= band["median"] <= band["mean"] <= band["high"]
    assert set(result.loc[result["kind"] == "real_data", "finding"]) == {audit.REAL_DATA_FINDING}


@pytest.mark.parametrize(
    "change, message",
    [
        ({"recomputed": "real:follower_rate"}, "real: must name a measure"),
        ({"kind": "across_sources"}, "real_data check, and only one"),
    ],
)
def test_a_real_data_check_must_name_a_known_measure(tmp_path, claims, change, message):
    frame = pd.read_csv(evidence_dir() / "audit_checks.csv", dtype=str, keep_default_na=False)
    row = frame.index[frame["kind"] == "real_data"][0]
    for column, value in change.items():
        frame.loc[row, column] = value
    path = tmp_path / "audit_checks.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(evidence.LedgerError, match=message):
        audit.load_checks(path, claims=claims)


def test_a_checks_midpoint_is_the_geometric_midpoint_of_its_range():
    result = pd.DataFrame(
        {
            "check_id": ["K1"],
            "stated_low": [2.0],
            "stated_high": [8.0],
            "recomputed_low": [3.0],
            "recomputed_high": [3.0],
        }
    )
    assert audit.midpoint(result, "K1", "stated") == pytest.approx(4.0)
    assert audit.midpoint(result, "K1", "recomputed") == pytest.approx(3.0)


def test_a_real_data_check_fails_exactly_when_the_one_rule_contradicts_it(result, claims):
    real = result[result["kind"] == "real_data"]
    assert set(real["rule_verdict"]) <= set(verdicts.VERDICTS)
    assert ((real["verdict"] == "inconsistent") == (real["rule_verdict"] == verdicts.CONTRADICTED)).all()
    vendor = real_posts.vendor_checks(result.reset_index(), claims, evidence.load_sources())
    assert list(vendor["verdict"]) == list(real["rule_verdict"])
