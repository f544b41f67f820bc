"""Post-level engagement: known answers from simulated posts, curvature, tier medians, and the command's output."""

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from influencer_roi import engagement, progress, simulate

COMMAND = str(Path(sys.executable).with_name("influencer-roi"))


def fitted(posts: pd.DataFrame) -> pd.DataFrame:
    return engagement.fit_posts(engagement.prepare(posts.assign(engagements=posts["likes"] + posts["comments"])))


def slope(fits: pd.DataFrame) -> pd.Series:
    return fits[(fits["model"] == "ols_clustered") & (fits["term"] == "log_followers")].iloc[0]


@pytest.mark.parametrize("e_er", [-0.2, -0.5, 0.0])
def test_the_elasticity_is_recovered(e_er):
    posts = simulate.simulate_posts(3_000, seed=11, params=simulate.Params(e_er=e_er))
    row = slope(fitted(posts))
    assert row["ci_low"] < e_er < row["ci_high"]
    assert abs(row["estimate"] - e_er) < 0.03


def test_errors_are_clustered_by_account():
    """An account's posts share its effect: the clustered interval must be wider than one that treats every post
    as independent (the same fit with one account per post)."""
    posts = simulate.simulate_posts(1_000, seed=2)
    posts = posts.assign(engagements=posts["likes"] + posts["comments"])
    clustered = slope(engagement.fit_posts(engagement.prepare(posts)))
    naive = slope(engagement.fit_posts(engagement.prepare(posts.assign(account_id=np.arange(len(posts)).astype(str)))))
    assert clustered["estimate"] == pytest.approx(naive["estimate"])
    assert clustered["std_error"] > 1.5 * naive["std_error"]


def test_curvature_finds_a_peak_and_no_peak_in_a_straight_line():
    rng = np.random.default_rng(0)
    followers = np.round(10 ** rng.uniform(3, 7, 4_000))
    peak = 50_000
    log_er = -3.5 - 0.15 * (np.log(followers) - np.log(peak)) ** 2 + rng.normal(0, 0.3, len(followers))
    posts = pd.DataFrame({"account_id": np.arange(len(followers)).astype(str), "followers": followers,
                          "engagements": followers * np.exp(log_er)})
    table = engagement.curvature(engagement.prepare(posts)).set_index("term")
    assert table.loc["vertex_followers", "estimate"] == pytest.approx(peak, rel=0.15)
    assert table.loc["vertex_followers", "p_value"] < 1e-6
    straight = engagement.curvature(engagement.prepare(
        posts.assign(engagements=followers * np.exp(-3.5 - 0.2 * np.log(followers) + rng.normal(0, 0.3, len(followers))))))
    assert np.isnan(straight.set_index("term").loc["vertex_followers", "estimate"])


def test_tier_medians_are_over_accounts_with_intervals():
    """Ten posts from one prolific nano account must not move the nano median: accounts are the units."""
    rows = []
    for tier, followers, rates in (("nano", 5_000, np.linspace(0.03, 0.05, 41)),
                                   ("macro", 500_000, np.linspace(0.005, 0.015, 41))):
        for i, rate in enumerate(rates):
            rows.append({"account_id": f"{tier}{i}", "followers": followers, "engagements": followers * rate})
    rows += [{"account_id": "nano_prolific", "followers": 5_000, "engagements": 5_000 * 0.2}] * 10
    table = engagement.tier_medians(engagement.prepare(pd.DataFrame(rows))).set_index("term")
    assert list(table.index) == ["nano", "macro"]
    assert table.loc["macro", "estimate"] == pytest.approx(0.01)
    assert table.loc["nano", "accounts"] == 42 and table.loc["nano", "posts"] == 51
    assert table.loc["nano", "estimate"] == pytest.approx(np.median(list(np.linspace(0.03, 0.05, 41)) + [0.2]))
    for tier in table.index:
        assert table.loc[tier, "ci_low"] < table.loc[tier, "estimate"] < table.loc[tier, "ci_high"]


def test_the_command_writes_results_report_and_figure(tmp_path):
    posts = tmp_path / "posts.csv"
    subprocess.run([COMMAND, "simulate", "--posts", "--n", "400", "--seed", "3", "--out", str(posts)], check=True,
                   capture_output=True)
    result = subprocess.run([COMMAND, "engagement", str(posts), "--out", str(tmp_path / "out")],
                            capture_output=True, text=True, timeout=300, env={"CI": "1", "PATH": ""})
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no progress display when CI is set
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [".influencer-roi.json", "engagement_fit.svg",
                                                                     "report.html", "results.json"]
    record = json.loads((tmp_path / "out" / "results.json").read_text())
    er = record["elasticity"]["engagement_rate"]
    assert er["ci_low"] < simulate.Params().e_er < er["ci_high"]
    assert [m["tier"] for m in record["tier_medians"]] == ["nano", "micro", "macro", "mega"]
    page = (tmp_path / "out" / "report.html").read_text()
    assert "<svg" in page
    assert re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page) is None  # nothing to fetch: readable offline
    assert "<script" not in page and "<link" not in page


def test_progress_names_each_step_on_a_terminal_only(capsys, monkeypatch):
    with progress.steps(2, enabled=True, delay=0) as step:
        step("reading")
        step("fitting")
    assert "fitting" in capsys.readouterr().err
    monkeypatch.setenv("CI", "true")
    assert not progress.interactive()
    with progress.steps(2) as step:
        step("reading")
    assert capsys.readouterr().err == ""
