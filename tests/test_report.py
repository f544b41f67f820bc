"""report.write: all of the output or none of it."""

import json

import matplotlib
import pytest

from influencer_roi import models, report, simulate

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def fitted():
    campaigns = simulate.simulate(600, seed=5)
    return models.fit_all(campaigns), models.prepare(campaigns)


def test_write_produces_the_three_files(tmp_path, fitted):
    fits, data = fitted
    record = report.write(tmp_path / "out", fits, data, source="sim.csv")
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == [".influencer-roi.json", "report.html", "results.json", "roi_fit.svg"]
    assert json.loads((tmp_path / "out" / "results.json").read_text())["n_campaigns"] == record["n_campaigns"] == 600


def test_a_failure_leaves_no_partial_output(tmp_path, fitted, monkeypatch):
    fits, data = fitted

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(report, "render_html", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        report.write(tmp_path / "out", fits, data, source="sim.csv")
    assert not (tmp_path / "out").exists()
    assert list(tmp_path.iterdir()) == []  # no staging folder left either
