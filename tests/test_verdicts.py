"""The one verdict rule (influencer_roi.verdicts): boundary cases, generated; and its users, the reports' Yes/No/Not
clearly and the audit's consistent/inconsistent, agree with it."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from influencer_roi import audit, report, verdicts
from influencer_roi.verdicts import CONTRADICTED, NOT_ESTABLISHED, SUPPORTED, verdict

finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


def pair(values=finite):
    return st.tuples(values, values).map(sorted).map(tuple)


@given(claim=pair(), interval=pair())
def test_the_verdict_is_the_intervals_position_against_the_claim(claim, interval):
    (c_lo, c_hi), (lo, hi) = claim, interval
    said = verdict(interval, claim)
    assert said in verdicts.VERDICTS
    assert (said == SUPPORTED) == (c_lo <= lo and hi <= c_hi)
    assert (said == CONTRADICTED) == (hi < c_lo or lo > c_hi)
    assert verdict(interval[::-1], claim[::-1]) == said  # the order of the bounds does not matter


@given(claim=pair(), width=st.floats(1e-6, 1e3))
def test_touching_the_claims_edge_is_an_overlap_not_a_contradiction(claim, width):
    c_lo, c_hi = claim
    assume(c_hi - c_lo > 0)
    assert verdict((c_hi, c_hi + width), claim) == NOT_ESTABLISHED  # meets at the upper bound
    assert verdict((c_lo - width, c_lo), claim) == NOT_ESTABLISHED  # ... and at the lower
    assert verdict(claim, claim) == SUPPORTED  # the range itself lies inside itself
    above = math.nextafter(c_hi, math.inf)
    assert verdict((above, above + width), claim) == CONTRADICTED  # just clear of it
    assert verdict((c_lo - width, c_hi + width), claim) == NOT_ESTABLISHED  # around it


def test_open_ranges_and_points():
    assert verdict((-0.3, -0.1), (-math.inf, 0)) == SUPPORTED
    assert verdict((0.1, 0.3), (-math.inf, 0)) == CONTRADICTED
    assert verdict((-0.1, 0.1), (-math.inf, 0)) == NOT_ESTABLISHED
    assert verdict((3, 3), (3, 3)) == SUPPORTED and verdict((2.9, 3.1), (3, 3)) == NOT_ESTABLISHED
    with pytest.raises(ValueError, match="missing bound"):
        verdict((math.nan, 1), (0, 2))


@given(interval=pair(st.floats(-5, 5)))
def test_the_reports_answer_is_the_verdict_on_smaller_pays(interval):
    lo, hi = interval
    said = report._verdict({"ci_low": lo, "ci_high": hi}, "x", "did", "does")
    expected = {SUPPORTED: "Yes", CONTRADICTED: "No", NOT_ESTABLISHED: "Not clearly"}[verdict(interval, (-math.inf, 0))]
    assert said.startswith(expected + ":")


@given(stated=pair(st.floats(0, 10)), recomputed=pair(st.floats(0, 10)))
def test_the_audits_range_check_is_consistent_exactly_when_not_contradicted(stated, recomputed):
    said = audit.verdict(stated, recomputed, "overlap", 0.0)
    assert (said == "consistent") == (verdict(recomputed, stated) != CONTRADICTED)


@pytest.mark.parametrize(
    ("interval", "word"), [((2.2, 2.8), SUPPORTED), ((3.5, 9.0), CONTRADICTED), ((1.45, 7.6), NOT_ESTABLISHED)]
)
def test_the_sentence_says_the_verdict(interval, word):
    text = verdicts.claim_sentence("micro against mega", "2–3×", "3.3×", interval, (2, 3), "x")
    assert f"is {word}:" in text
    assert sum(w in text for w in verdicts.VERDICTS) == 1


@given(interval=pair(), claim=pair())
def test_the_rule_in_words_names_the_three_verdicts_in_the_order_it_gives_them(interval, claim):
    assert [verdicts.RULE.index(v) for v in (SUPPORTED, CONTRADICTED, NOT_ESTABLISHED)] == sorted(
        verdicts.RULE.index(v) for v in verdicts.VERDICTS
    )
    assert verdict(interval, claim) in verdicts.RULE


def test_widened_and_counts():
    assert verdicts.widened((3, 2), 0.05) == pytest.approx((1.9, 3.15))
    assert verdicts.widened((-math.inf, 0), 0.1) == (-math.inf, 0)
    said = [CONTRADICTED, SUPPORTED, NOT_ESTABLISHED, CONTRADICTED]
    assert verdicts.counts(said) == "1 supported, 1 not established, 2 contradicted"
    assert verdicts.counts([CONTRADICTED]) == "1 contradicted" and verdicts.counts([]) == "none"
    with pytest.raises(ValueError, match="not verdicts"):
        verdicts.counts(["consistent"])


@given(
    stated=pair(st.floats(0.01, 100)), recomputed=pair(st.floats(0.01, 100)), tolerance=st.sampled_from([0.05, 0.15])
)
def test_an_overlap_check_is_consistent_exactly_when_the_rule_does_not_contradict_it(stated, recomputed, tolerance):
    said = audit.rule_verdict(stated, recomputed, "overlap", tolerance)
    assert said == verdict(recomputed, verdicts.widened(stated, tolerance))
    assert (audit.verdict(stated, recomputed, "overlap", tolerance) == "consistent") == (said != CONTRADICTED)
    assert audit.rule_verdict(stated, recomputed, "equal", tolerance) == ""
