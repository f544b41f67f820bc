"""The committed coverage study (data/synthetic/coverage_study.csv) is what the package computes today: the first
replications of every scenario are recomputed and compared, so a change to a model, to the simulation or to the
study's design fails here until `make coverage` has rewritten the file."""

import json

import numpy as np
import pandas as pd
import pytest

from influencer_roi import coverage
from influencer_roi.paths import data_dir

RECOMPUTED = 2  # replications per scenario: about a second of fits each


@pytest.fixture(scope="module")
def committed() -> pd.DataFrame:
    return coverage.committed_study()


def test_the_committed_study_has_every_replication_of_every_model_and_scenario(committed):
    slope_models = {m.name for m in coverage.models.REGISTRY if m.slope_term}
    assert set(committed["scenario"]) == set(coverage.SCENARIOS)
    assert set(committed["model"]) == slope_models
    counts = committed.groupby(["scenario", "model"]).size()
    assert (counts == coverage.REPS).all(), counts


@pytest.mark.parametrize("scenario", list(coverage.SCENARIOS))
def test_the_first_replications_recompute_to_the_committed_rows(committed, scenario):
    seed, params = coverage.SCENARIOS[scenario]
    fresh = coverage.coverage_study(RECOMPUTED, coverage.SIZE, seed=seed, params=params)
    stored = committed[(committed["scenario"] == scenario) & (committed["rep"] < RECOMPUTED)]
    assert len(stored) == len(fresh)
    stored = stored.drop(columns="scenario").reset_index(drop=True)
    assert list(stored["model"]) == list(fresh["model"])
    for column in ("estimate", "ci_low", "ci_high"):
        # 12 significant digits are stored; another CPU may differ in the last bits of a fit, far below that
        np.testing.assert_allclose(stored[column], fresh[column], rtol=1e-9, atol=1e-12, err_msg=column)
    assert list(stored["covers"]) == list(fresh["covers"])


def test_the_study_refuses_a_file_computed_with_another_design(tmp_path, monkeypatch):
    folder = tmp_path / "synthetic"
    folder.mkdir()
    source = data_dir() / coverage.COMMITTED
    (folder / source.name).write_bytes(source.read_bytes())
    spec = json.loads(source.with_suffix(".json").read_text(encoding="utf-8"))
    spec["reps"] = 100
    (folder / source.with_suffix(".json").name).write_text(json.dumps(spec), encoding="utf-8")
    monkeypatch.setattr(coverage, "data_dir", lambda: tmp_path)
    with pytest.raises(RuntimeError, match="another study design"):
        coverage.committed_study()
