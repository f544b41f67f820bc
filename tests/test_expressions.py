"""The audit's expression language (influencer_roi.expressions): the checks' arithmetic, and nothing else, refused
with a reason a ledger editor can act on; and a check file using anything else is refused when loaded."""

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from influencer_roi import audit, evidence, expressions
from influencer_roi.evidence import evidence_dir


def test_every_check_of_the_ledger_parses():
    checks = pd.read_csv(evidence_dir() / "audit_checks.csv", dtype=str, keep_default_na=False)
    arithmetic = [e for e in checks["recomputed"] if e and not e.startswith(audit.REAL_PREFIX)]
    assert len(arithmetic) > 20
    for expression in arithmetic:
        assert expressions.parse(expression) == audit.claim_ids(expression)


def test_it_computes_the_checks_arithmetic():
    values = {"L12": np.array([3.0, 5.0]), "L13": np.array([2.0, 3.0])}
    assert expressions.evaluate("(L12 - 1) / (L13 - 1)", values).tolist() == [2.0, 2.0]
    assert expressions.evaluate("-log(L12) / 2 + abs(-1)", values) == pytest.approx(-np.log([3.0, 5.0]) / 2 + 1)
    assert np.isinf(expressions.evaluate("L12 / 0", values)).all()


@pytest.mark.parametrize(
    "expression, reason",
    [
        ("A002_07 / / A002_08", "not an arithmetic expression"),
        ("A002_07 // A002_08", "not one of + - * /"),
        ("9**9**9", "not one of + - * /"),
        ("A002_07 ** 2", "not one of + - * /"),
        ("A002_07.A002_08", "not part of the grammar"),
        ("__import__('os').getcwd()", "not part of the grammar"),
        ("open", "not a claim id"),
        ("log(A002_07, 2)", "takes one value"),
        ("A002_07 if A002_08 else 1", "not part of the grammar"),
        ("[A002_07]", "not part of the grammar"),
        ("1e400", "larger than"),
        ("A002_07 < 1", "not part of the grammar"),
        ("-" * 30 + "A002_07", "nested more than"),
        ("A002_07 + " * 40 + "1", "longer than"),
        ("", "empty"),
        ("A002_07\x00", "not an arithmetic expression"),
        ("\x00", "not an arithmetic expression"),
    ],
)
def test_anything_else_is_refused_with_a_reason(expression, reason):
    with pytest.raises(expressions.ExpressionError, match=re.escape(reason)):
        expressions.parse(expression)


@given(st.text(max_size=60))
def test_any_text_parses_or_is_refused_never_anything_else(text):
    try:
        names = expressions.parse(text)
    except expressions.ExpressionError:
        return
    values = dict.fromkeys(names, np.array([2.0]))
    assert np.asarray(expressions.evaluate(text, values)).size >= 1


@pytest.mark.parametrize("expression", ["A002_07 / / A002_08", "9**9**9", "A002_07.A002_08"])
def test_a_check_outside_the_grammar_is_refused_when_loaded(tmp_path, expression):
    frame = pd.read_csv(evidence_dir() / "audit_checks.csv", dtype=str, keep_default_na=False)
    frame.loc[0, "recomputed"] = expression
    path = tmp_path / "audit_checks.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(evidence.LedgerError, match="line 2, column recomputed.*recomputed must be an expression"):
        audit.load_checks(path, claims=evidence.load_claims())
