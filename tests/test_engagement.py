"""Post-level engagement: known answers from simulated posts, curvature, tier medians, and the command's output."""

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from commandline import run

from influencer_roi import engagement, post_table, progress, simulate

COMMAND = str(Path(sys.executable).with_name("influencer-roi"))


def fitted(posts: pd.DataFrame) -> pd.DataFrame:
    return engagement.fit_posts(post_table.prepare(posts.assign(engagements=posts["likes"] + posts["comments"])))


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
    clustered = slope(engagement.fit_posts(post_table.prepare(posts)))
    naive = slope(engagement.fit_posts(post_table.prepare(posts.assign(account_id=np.arange(len(posts)).astype(str)))))
    assert clustered["estimate"] == pytest.approx(naive["estimate"])
    assert clustered["std_error"] > 1.5 * naive["std_error"]


def test_curvature_finds_a_peak_and_no_peak_in_a_straight_line():
    rng = np.random.default_rng(0)
    followers = np.round(10 ** rng.uniform(3, 7, 4_000))
    peak = 50_000
    log_er = -3.5 - 0.15 * (np.log(followers) - np.log(peak)) ** 2 + rng.normal(0, 0.3, len(followers))
    posts = pd.DataFrame(
        {
            "account_id": np.arange(len(followers)).astype(str),
            "followers": followers,
            "engagements": followers * np.exp(log_er),
        }
    )
    table = engagement.curvature(post_table.prepare(posts)).set_index("term")
    assert table.loc["vertex_followers", "estimate"] == pytest.approx(peak, rel=0.15)
    assert table.loc["vertex_followers", "p_value"] < 1e-6
    noise = rng.normal(0, 0.3, len(followers))
    straight = engagement.curvature(
        post_table.prepare(posts.assign(engagements=followers * np.exp(-3.5 - 0.2 * np.log(followers) + noise)))
    )
    assert np.isnan(straight.set_index("term").loc["vertex_followers", "estimate"])


def test_tier_medians_are_over_accounts_with_intervals():
    """Ten posts from one prolific nano account must not move the nano median: accounts are the units."""
    rows = []
    for tier, followers, rates in (
        ("nano", 5_000, np.linspace(0.03, 0.05, 41)),
        ("macro", 500_000, np.linspace(0.005, 0.015, 41)),
    ):
        for i, rate in enumerate(rates):
            rows.append({"account_id": f"{tier}{i}", "followers": followers, "engagements": followers * rate})
    rows += [{"account_id": "nano_prolific", "followers": 5_000, "engagements": 5_000 * 0.2}] * 10
    table = engagement.tier_medians(post_table.prepare(pd.DataFrame(rows))).set_index("term")
    assert list(table.index) == ["nano", "macro"]
    assert table.loc["macro", "estimate"] == pytest.approx(0.01)
    assert table.loc["nano", "accounts"] == 42 and table.loc["nano", "posts"] == 51
    assert table.loc["nano", "estimate"] == pytest.approx(np.median(list(np.linspace(0.03, 0.05, 41)) + [0.2]))
    for tier in table.index:
        assert table.loc[tier, "ci_low"] < table.loc[tier, "estimate"] < table.loc[tier, "ci_high"]


def test_the_command_writes_results_report_and_figure(tmp_path):
    posts = tmp_path / "posts.csv"
    code, _, err = run(["simulate", "--posts", "--n", "400", "--seed", "3", "--out", str(posts)])  # in-process
    assert code == 0, err
    result = subprocess.run(
        [COMMAND, "engagement", str(posts), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=300,
        env={"CI": "1", "PATH": ""},
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no progress display when CI is set
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        ".influencer-roi.json",
        "engagement_fit.svg",
        "report.html",
        "results.json",
    ]
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


# ---- The further fits, each on a table whose answer is known.


def test_exact_duplicate_posts_are_dropped_and_a_clash_is_refused():
    posts = pd.DataFrame(
        {
            "account_id": ["a", "a", "b", "b"],
            "post_id": ["p1", "p1", "p2", "p3"],
            "followers": [100, 100, 200, 200],
            "engagements": [5, 5, 7, 9],
        }
    )
    kept = post_table.drop_duplicate_posts(posts)
    assert list(kept["post_id"]) == ["p1", "p2", "p3"] and kept.attrs["dropped_duplicates"] == 1
    assert post_table.prepare(posts).attrs["dropped_duplicates"] == 1
    clash = posts.assign(engagements=[5, 6, 7, 9])  # p1 twice with different counts: not a copy
    with pytest.raises(post_table.ValidationError, match="p1"):
        post_table.drop_duplicate_posts(clash)
    no_ids = posts.drop(columns="post_id")  # without ids two equal rows may be two posts
    assert len(post_table.drop_duplicate_posts(no_ids)) == 4


def _peaked(peak: float | None, n: int = 3_000, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    followers = np.round(10 ** rng.uniform(3, 7, n))
    x = np.log(followers)
    log_e = (2 + 0.5 * x - 0.08 * (x - np.log(peak)) ** 2) if peak else (-3 + 0.85 * x)
    return pd.DataFrame(
        {
            "account_id": np.arange(n).astype(str),
            "followers": followers,
            "engagements": np.exp(log_e + rng.normal(0, 0.3, n)),
        }
    )


def test_an_interior_peak_of_absolute_engagement_is_found_with_its_interval():
    # log E = const + 0.5 x - 0.08 (x - log peak)^2 has its vertex where 0.5 = 0.16 (x - log peak)
    data = post_table.prepare(_peaked(50_000))
    table = engagement.engagement_peak(data).set_index("term")
    truth = 50_000 * np.exp(0.5 / 0.16)
    vertex = table.loc["vertex_followers"]
    assert vertex["ci_low"] < truth < vertex["ci_high"] and vertex["inside"]
    assert vertex["estimate"] == pytest.approx(truth, rel=0.15)
    assert table.loc["spline_vs_linear", "p_value"] < 1e-6
    assert table.loc["spline_peak_followers", "estimate"] == pytest.approx(truth, rel=0.3)


def test_a_straight_line_has_no_peak():
    table = engagement.engagement_peak(post_table.prepare(_peaked(None))).set_index("term")
    assert np.isnan(table.loc["vertex_followers", "estimate"]) or not table.loc["vertex_followers", "inside"]
    assert table.loc["spline_vs_linear", "p_value"] > 0.001
    assert np.isnan(table.loc["spline_peak_followers", "estimate"])


def test_fixed_effects_remove_a_group_level_that_moves_with_size():
    """Category 'big' has both larger accounts and a higher rate: pooled, the slope is biased up; within
    categories it is the true -0.3."""
    rng = np.random.default_rng(1)
    n = 4_000
    big = rng.random(n) < 0.5
    followers = np.round(10 ** (rng.uniform(3, 5, n) + 1.5 * big))
    log_er = -3 - 0.3 * np.log(followers) + 1.0 * big + rng.normal(0, 0.2, n)
    posts = pd.DataFrame(
        {
            "account_id": np.arange(n).astype(str),
            "followers": followers,
            "engagements": followers * np.exp(log_er),
            "category": np.where(big, "big", "small"),
            "year": rng.choice([2017, 2018], n),
        }
    )
    table = engagement.fixed_effects(post_table.prepare(posts)).set_index("spec")
    assert table.loc["none", "estimate"] > -0.2
    for spec in ("category", "category + year"):
        assert table.loc[spec, "ci_low"] < -0.3 < table.loc[spec, "ci_high"]


def test_the_sponsored_penalty_compares_accounts_with_themselves():
    """Each account has its own level (larger accounts lower); sponsored posts are 0.8x organic in macro and
    1x in nano. Accounts with only one kind of post must not count."""
    rng = np.random.default_rng(2)
    rows = []
    for tier, followers, multiple in (("nano", 5_000, 1.0), ("macro", 500_000, 0.8)):
        for a in range(400):
            level = rng.normal(-3, 0.5)
            kinds = [True, False, False] if a < 300 else [False, False]
            for sponsored in kinds:
                rate = np.exp(level + rng.normal(0, 0.1)) * (multiple if sponsored else 1.0)
                rows.append(
                    {
                        "account_id": f"{tier}{a}",
                        "followers": followers,
                        "engagements": followers * rate,
                        "sponsored": sponsored,
                    }
                )
    table = engagement.sponsored_penalty(post_table.prepare(pd.DataFrame(rows))).set_index("term")
    assert table.loc["macro", "ratio_ci_low"] < 0.8 < table.loc["macro", "ratio_ci_high"]
    assert table.loc["nano", "ratio_ci_low"] < 1.0 < table.loc["nano", "ratio_ci_high"]
    assert table.loc["macro", "accounts"] == 300 and table.loc["all", "accounts"] == 600
    assert table.loc["all", "sponsored_posts"] == 600


def test_ppml_keeps_zeros_and_recovers_the_elasticity_of_the_mean():
    rng = np.random.default_rng(3)
    followers = np.round(10 ** rng.uniform(3, 6, 5_000))
    counts = rng.poisson(0.002 * followers**0.9)  # many zeros among small accounts
    posts = pd.DataFrame(
        {"account_id": np.arange(len(followers)).astype(str), "followers": followers, "engagements": counts}
    )
    assert (counts == 0).sum() > 100
    table = engagement.ppml(posts).set_index("term")
    assert table.loc["log_followers", "n"] == len(posts)
    assert table.loc["log_followers", "ci_low"] < 0.9 < table.loc["log_followers", "ci_high"]
    assert table.loc["engagement_rate", "estimate"] == pytest.approx(table.loc["log_followers", "estimate"] - 1)


def test_band_rates_take_accounts_as_units_and_allow_overlapping_bands():
    rates = {"a": (5_000, [0.04, 0.06]), "b": (7_000, [0.02]), "c": (50_000, [0.01]), "d": (60_000, [0.03])}
    rows = [{"account_id": a, "followers": f, "engagements": f * r} for a, (f, rs) in rates.items() for r in rs]
    scheme = pd.DataFrame(
        {
            "tier": ["nano", "micro", "wide"],
            "min_followers": [1_000, 10_000, 1_000],
            "max_followers": [10_000, 100_000, np.nan],
        }
    )
    table = engagement.band_rates(post_table.prepare(pd.DataFrame(rows)), scheme).set_index("tier")
    assert table.loc["nano", "accounts"] == 2 and table.loc["nano", "median"] == pytest.approx(0.035)
    assert table.loc["wide", "accounts"] == 4
    assert table.loc["wide", "mean"] == pytest.approx((0.05 + 0.02 + 0.01 + 0.03) / 4)
