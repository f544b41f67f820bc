"""The claims audit: the semantics of a check, and the verdicts on the ledger's known cases."""

import numpy as np
import pandas as pd
import pytest

from influencer_roi import audit, evidence
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


def test_corners_span_every_combination_and_ends_pair_like_with_like(claims):
    # mega CPE $1-5 over micro CPE $0.10-0.50
    assert audit.evaluate("A002_15 / A002_13", claims, "corners") == pytest.approx((2, 50))
    assert audit.evaluate("A002_15 / A002_13", claims, "ends") == pytest.approx((10, 10))


def test_a_bare_one_sided_claim_stays_open(claims):
    assert audit.evaluate("L61", claims) == (10_000, np.inf)  # "$10,000+"


@pytest.mark.parametrize("stated, recomputed, match, tolerance, expected", [
    ((3, 3), (3.17, 3.33), "overlap", 0.15, "consistent"),
    ((3, 3), (3.17, 3.33), "overlap", 0.05, "inconsistent"),
    ((3.8, 7.0), (3.8, 4.0), "overlap", 0.05, "consistent"),
    ((3.8, 7.0), (3.8, 4.0), "equal", 0.05, "inconsistent"),
    ((1, np.inf), (0.28, 0.28), "overlap", 0.05, "inconsistent"),
    ((-0.4, -0.3), (-0.385, -0.385), "overlap", 0.0, "consistent"),
    ((3, 3), None, "overlap", 0.05, "unverifiable"),
])
def test_verdict(stated, recomputed, match, tolerance, expected):
    assert audit.verdict(stated, recomputed, match, tolerance) == expected


@pytest.mark.parametrize("check_id, verdict", [
    ("K01", "consistent"),     # article 002: CPE = price / engagements, micro
    ("K03", "consistent"),     # article 004: 18x cost / 6x revenue = 3x
    ("K09", "inconsistent"),   # article 001: Instagram micro engagement, table vs bullet
    ("K11", "inconsistent"),   # article 001: "about 20% higher conversion" vs its own 4.1% / 2.6%
    ("K14", "inconsistent"),   # article 002: "2-3 times better value" vs its own CPEs (10x)
    ("K18", "inconsistent"),   # article 004's factor of three vs the study's ROIS 17.85 / 4.67
    ("K19", "inconsistent"),   # ROIS called ROI: the net ratio is larger still
    ("K21", "consistent"),     # the derived revenue elasticity checks out
    ("K26", "inconsistent"),   # article 004's macro cut-off is not the study's
    ("K07", "unverifiable"),   # a case-study ROI with no cost or revenue
])
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
