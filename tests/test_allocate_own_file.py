"""`allocate --campaigns`: a market fitted to the user's own file, and what it must say about the tiers that file
does not cover (run in-process, tests/commandline.py)."""

from __future__ import annotations

import json

from commandline import run, scratch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from influencer_roi import simulate
from influencer_roi.tiers import TIERS, assign_tier


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(keep=st.sets(st.sampled_from(TIERS), min_size=1), seed=st.integers(0, 1_000))
def test_tiers_without_campaigns_are_named_as_extrapolated(keep, seed):
    """A file with campaigns in some tiers only: results.json lists the others, and the answer (printed and in the
    report) warns that the strategies spending there are extrapolated; a file covering every tier says nothing."""
    data = simulate.simulate(3_000, seed=seed)
    data = data[assign_tier(data["followers"]).astype(str).isin(keep).to_numpy()].head(300)
    missing = [t for t in TIERS if t not in keep]
    with scratch() as folder:
        data.to_csv(folder / "mine.csv", index=False)
        code, out, err = run(
            ["allocate", "--budget", "50000", "--campaigns", "mine.csv", "--draws", "200", "--out", "alloc"]
        )
        assert code == 0, err
        record = json.loads((folder / "alloc" / "results.json").read_text())
        page = (folder / "alloc" / "report.html").read_text()
    assert record["tiers_without_campaigns"] == missing
    warned = "Warning: the file has no campaigns in"
    if missing:
        assert warned in out and warned in page
        said = out[out.index(warned) :].split(";")[0]
        assert all(t in said for t in missing) and not any(t in said for t in keep)
    else:
        assert warned not in out and warned not in page
