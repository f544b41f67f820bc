"""analyze warns, in its answer and in results.json, when a file is no larger than the files on which the book's
coverage study found the main model's intervals too narrow; the threshold and the coverage are the study's own."""

from __future__ import annotations

import html
import json

import pandas as pd
from commandline import run, scratch
from hypothesis import given
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

from influencer_roi import coverage, models, paths, report, simulate

STUDY = paths.data_dir() / coverage.COMMITTED


def _from_the_table() -> tuple[int, float, float]:
    """(size, coverage, Wilson upper bound) of the main model, read here from the committed files directly."""
    size = json.loads(STUDY.with_suffix(".json").read_text())["size"]
    table = pd.read_csv(STUDY)
    rows = table[(table["scenario"] == "as assumed") & (table["model"] == models.MAIN_MODEL)]
    hits = int(rows["covers"].sum())
    return size, hits / len(rows), proportion_confint(hits, len(rows), alpha=0.05, method="wilson")[1]


def test_the_study_is_read_from_its_table():
    size, share, high = _from_the_table()
    study = coverage.main_model_coverage()
    assert study["size"] == size and study["coverage"] == share
    assert abs(study["coverage_ci_high"] - high) < 1e-12


@given(n=st.integers(1, 5_000))
def test_the_warning_applies_up_to_the_studys_size_when_it_undercovers(n):
    size, _, high = _from_the_table()
    said = report.small_sample(n)
    assert (said is not None) == (n <= size and high < 0.95)


def test_a_study_that_covers_warns_nothing(monkeypatch):
    good = dict(coverage.main_model_coverage(), coverage=0.95, coverage_ci_low=0.92, coverage_ci_high=0.97)
    monkeypatch.setattr(coverage, "main_model_coverage", lambda: good)
    assert report.small_sample(10) is None


def test_a_small_file_is_warned_in_the_answer_and_results():
    size, share, _ = _from_the_table()
    with scratch() as folder:
        simulate.simulate(min(size, 200), seed=4).to_csv(folder / "small.csv", index=False)
        code, out, err = run(["analyze", "small.csv", "--out", "out"])
        assert code == 0, err
        record = json.loads((folder / "out" / "results.json").read_text())
        page = html.unescape((folder / "out" / "report.html").read_text())
    assert record["small_sample"]["coverage"] == share and record["small_sample"]["size"] == size
    warning = "these intervals are too narrow: in the book's coverage study"
    assert warning in out.replace("\n", " ") and warning in page
