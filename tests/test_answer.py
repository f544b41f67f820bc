"""The short answer on the front page (the conclusions' `co_answer`, issue 27): at most 90 words, plain words (no
"elasticity", no claim IDs), every strategy it names defined where it is named, and its verdict the one rule's on the
synthesis's interval, so the sentence cannot drift from the table."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from influencer_roi import allocate, labels, synthesis, verdicts

ROOT = Path(__file__).resolve().parents[1]
CLAIM_ID = re.compile(r"\b(A\d{3}_\d{2}|[LK]\d{2,3})\b")


def glued(chapter: str, name: str) -> str:
    for cell in json.loads((ROOT / "chapters" / chapter).read_text(encoding="utf-8"))["cells"]:
        for output in cell.get("outputs", []):
            if output.get("metadata", {}).get("scrapbook", {}).get("name") == name:
                return next(iter(output["data"].values())).strip("'\"")
    raise AssertionError(f"{chapter} glues no {name}")


@pytest.fixture(scope="module")
def answer() -> str:
    return glued("conclusions.ipynb", "co_answer")


def test_the_answer_is_short_and_plain(answer):
    assert len(answer.split()) <= 90, (len(answer.split()), answer)
    assert "elasticit" not in answer.lower()
    assert not CLAIM_ID.search(answer), CLAIM_ID.search(answer)


def test_every_strategy_named_is_defined_where_it_is_named(answer):
    names = [n for n in allocate.strategies(allocate.Market.calibrated()) if n in answer]
    for name in names:
        assert f"{name} ({labels.STRATEGIES[name]})" in answer, name


def test_the_answers_verdict_is_the_rule_on_the_synthesis(answer):
    head = synthesis.headline(synthesis.synthesise())
    said = verdicts.verdict((head["ci_low"], head["ci_high"]), (-float("inf"), 0.0))
    assert f"return more per dollar is {said}" in answer, (said, answer)
    others = [v for v in verdicts.VERDICTS if v != said]
    assert not any(v in answer for v in others), answer
