"""The engagement slope's shape (a piecewise-linear spline with knots at the tier bounds, the equal-slopes test, a
tier pair's elasticity), the sponsored comparison within accounts with a date trend and the wild cluster bootstrap,
PPML with equal weights, and what `influencer-roi engagement` reports of them: known answers from simulated posts."""

import json
import subprocess

import numpy as np
import pandas as pd
import pytest
from commandline import run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from influencer_roi import engagement, post_table, real_posts, report, schema
from influencer_roi.tiers import CANONICAL, TIERS, tier_midpoints

KNOTS = np.log(CANONICAL["min_followers"].to_numpy(float)[1:])


def kinked_posts(slopes, seed=0, accounts=1_200, posts=3, account_sd=0.3, post_sd=0.3, low=3.0, high=7.0):
    """SIMULATED posts whose log engagement rate is continuous and piecewise linear in log followers, `slopes[i]`
    inside canonical tier i, with an account effect shared by an account's posts."""
    rng = np.random.default_rng(seed)
    followers = np.round(10 ** rng.uniform(low, high, accounts))
    x = np.log(followers)
    kinks = np.diff(np.asarray(slopes, dtype=float))
    curve = -3.0 + slopes[0] * x + sum(k * np.clip(x - knot, 0, None) for k, knot in zip(kinks, KNOTS))
    level = curve + rng.normal(0, account_sd, accounts)
    account = np.repeat(np.arange(accounts), posts)
    rate = np.exp(level[account] + rng.normal(0, post_sd, len(account)))
    return post_table.prepare(
        pd.DataFrame(
            {
                "account_id": account.astype(str),
                "followers": followers[account],
                "engagements": followers[account] * rate,
            }
        )
    )


def test_the_spline_recovers_each_tiers_slope():
    slopes = (-0.25, -0.12, -0.04, -0.02)
    fit = engagement.slope_spline(kinked_posts(slopes, seed=1))
    table = engagement.tier_slopes(fit).set_index("tier")
    assert list(table.index) == list(TIERS)
    for tier, truth in zip(TIERS, slopes):
        assert table.loc[tier, "ci_low"] < truth < table.loc[tier, "ci_high"]
        assert table.loc[tier, "estimate"] == pytest.approx(truth, abs=0.06)
    assert table["reported"].all()
    assert engagement.equal_slopes_test(fit)["df"] == 3


def test_the_equal_slopes_test_rejects_different_slopes_and_holds_its_size_for_equal_ones():
    different = [
        engagement.equal_slopes_test(engagement.slope_spline(kinked_posts((-0.3, -0.1, 0.0, 0.0), seed=s)))
        for s in range(5)
    ]
    assert all(t["p_value"] < 0.01 for t in different)
    seeds = range(100, 140)
    p = np.array(
        [
            engagement.equal_slopes_test(engagement.slope_spline(kinked_posts((-0.15,) * 4, seed=s, accounts=400)))[
                "p_value"
            ]
            for s in seeds
        ]
    )
    assert 0 < (p < 0.05).sum() <= 6  # about 2 of 40 at a 5% level; never none at all would be odd too
    assert 0.3 < np.median(p) < 0.7  # p-values near uniform under equal slopes


def test_a_tier_pairs_elasticity_is_the_mean_local_slope_between_the_midpoints():
    slopes = (-0.25, -0.12, -0.04, -0.02)
    fit = engagement.slope_spline(kinked_posts(slopes, seed=2))
    local = engagement.tier_slopes(fit).set_index("tier")["estimate"]
    table, vector, cov = engagement.pair_elasticities(fit)
    by = table.set_index(["tier_a", "tier_b"])
    # geometric midpoints and geometric bounds: half of each adjacent tier's log interval lies on either side
    for a, b in engagement.ADJACENT_PAIRS:
        assert by.loc[(a, b), "estimate"] == pytest.approx((local[a] + local[b]) / 2)
    # nano to mega: a quarter in nano and mega, the whole of micro and macro
    expected = (local["nano"] / 2 + local["micro"] + local["macro"] + local["mega"] / 2) / 3
    assert by.loc[("nano", "mega"), "estimate"] == pytest.approx(expected)
    assert np.allclose(vector, table["estimate"])
    assert np.allclose(np.sqrt(np.diag(cov)), table["std_error"])
    assert cov.shape == (len(engagement.ALL_PAIRS),) * 2 and np.all(np.linalg.eigvalsh(cov) > -1e-12)
    # the spline's rise between two midpoints over their distance, as integrating the slope gives
    mid = np.log(tier_midpoints())
    rise = fit.basis([mid["mega"]]) @ fit.params - fit.basis([mid["micro"]]) @ fit.params
    assert by.loc[("micro", "mega"), "estimate"] == pytest.approx(rise[0] / (mid["mega"] - mid["micro"]))


def test_a_tier_with_too_few_accounts_shares_its_neighbours_slope_and_is_not_reported():
    data = kinked_posts((-0.25, -0.12, -0.04, -0.04), seed=3, accounts=600, high=6.05)
    mega = data["tier"].astype(object).eq("mega")
    assert 0 < data.loc[mega, "account_id"].nunique() < engagement.MIN_TIER_ACCOUNTS
    fit = engagement.slope_spline(data)
    table = engagement.tier_slopes(fit).set_index("tier")
    assert not table.loc["mega", "reported"] and "fewer than 20" in table.loc["mega", "omitted"]
    assert table.loc["mega", "estimate"] == pytest.approx(table.loc["macro", "estimate"])
    assert engagement.equal_slopes_test(fit)["df"] == 2


def test_the_tier_fits_beside_the_spline_are_separate_fits():
    data = kinked_posts((-0.25, -0.12, -0.04, -0.02), seed=4)
    table = engagement.tier_fits(data).set_index("tier")
    nano = data[data["tier"].astype(object) == "nano"]
    assert table.loc["nano", "estimate"] == pytest.approx(
        engagement.elasticity(nano).set_index("term").loc["log_followers", "estimate"]
    )
    assert table.loc["nano", "ci_low"] < -0.25 < table.loc["nano", "ci_high"]


def test_the_sentence_says_whether_one_slope_fits():
    slopes = pd.DataFrame({"tier": ["nano", "micro"], "estimate": [-0.2, -0.05], "reported": [True, True]})
    rejected = engagement.one_slope_sentence({"statistic": 40.0, "df": 1, "p_value": 1e-9}, slopes)
    assert rejected.startswith("One slope does not fit") and "p < 0.001" in rejected and "nano -0.200" in rejected
    held = engagement.one_slope_sentence({"statistic": 0.5, "df": 1, "p_value": 0.48}, slopes)
    assert held.startswith("One slope fits") and "p = 0.48" in held
    alone = engagement.one_slope_sentence({"statistic": np.nan, "df": 0, "p_value": np.nan}, slopes.iloc[:1])
    assert alone.startswith("Too few tiers")


def dated_posts(penalty=(0.0, -0.1, -0.2, -0.2), seed=0, accounts=(300, 300, 200, 15), growth=0.3):
    """SIMULATED posts over two years by accounts of every tier, each with sponsored and organic posts. The follower
    count is one snapshot at the end, so the rate rises `growth` per year of post date within an account; sponsored
    posts are mostly early ones, so that without a date trend they look worse than they are."""
    rng = np.random.default_rng(seed)
    rows = []
    for t, (tier, n) in enumerate(zip(TIERS, accounts)):
        low, high = np.log10(CANONICAL["min_followers"].iloc[t]), np.log10(min(CANONICAL["max_followers"].iloc[t], 1e7))
        for a in range(n):
            followers = round(10 ** rng.uniform(low, high))
            level = rng.normal(-3.5, 0.4)
            years = rng.uniform(0, 2, 8)
            sponsored = rng.uniform(size=8) < np.where(years < 1, 0.5, 0.1)
            sponsored[0], sponsored[1] = True, False
            rate = np.exp(level + growth * years + penalty[t] * sponsored + rng.normal(0, 0.2, 8))
            for y, s, r in zip(years, sponsored, rate):
                rows.append(
                    {
                        "account_id": f"{tier}{a}",
                        "followers": followers,
                        "engagements": followers * r,
                        "sponsored": bool(s),
                        "date": pd.Timestamp("2017-01-01") + pd.Timedelta(days=int(365.25 * y)),
                    }
                )
    return post_table.prepare(pd.DataFrame(rows))


def test_the_date_trend_removes_the_bias_of_when_sponsored_posts_were_published():
    truth = (0.0, -0.1, -0.2, -0.2)
    table = engagement.sponsored_by_tier(dated_posts(truth, seed=5), reps=199)
    with_trend = table[table["date_trend"]].set_index("term")
    without = table[~table["date_trend"]].set_index("term")
    for tier, effect in zip(TIERS, truth):
        assert with_trend.loc[tier, "ci_low"] < effect < with_trend.loc[tier, "ci_high"]
    assert without.loc["nano", "ci_high"] < 0  # early sponsored posts on a growing account look worse, wrongly
    assert with_trend.loc["mega", "inference"] == "wild cluster bootstrap"  # 15 accounts with both kinds
    assert with_trend.loc["macro", "inference"] == "clustered"
    assert with_trend.loc["mega", "accounts"] == 15
    # the penalty of sponsored_penalty is the rows without the trend
    plain = engagement.sponsored_penalty(dated_posts(truth, seed=5)).set_index("term")
    assert without.loc["micro", "estimate"] == pytest.approx(plain.loc["micro", "estimate"])


def test_the_interaction_test_finds_a_penalty_that_differs_by_tier_and_not_an_equal_one():
    differs = engagement.sponsored_interaction_test(dated_posts((0.1, 0.0, -0.2, -0.3), seed=6), reps=199)
    assert differs["df"] == 3 and differs["p_value"] < 0.001 and differs["bootstrap_p_value"] < 0.01
    equal = [
        engagement.sponsored_interaction_test(dated_posts((-0.1,) * 4, seed=s), reps=199)["bootstrap_p_value"]
        for s in range(20, 30)
    ]
    assert sum(p < 0.05 for p in equal) <= 2


def test_the_wild_cluster_bootstrap_holds_its_size_with_few_clusters():
    """Twelve clusters, one regressor that varies between them only: the clustered Wald test over-rejects there,
    the restricted wild cluster bootstrap should not."""
    rejections = 0
    for seed in range(40):
        rng = np.random.default_rng(seed)
        groups = np.repeat(np.arange(12), 30)
        x = rng.normal(size=12)[groups] + rng.normal(0, 0.1, len(groups))
        y = rng.normal(size=12)[groups] * (1 + np.abs(x)) + rng.normal(size=len(groups))
        design = np.column_stack([np.ones_like(x), x])
        boot = engagement.wild_cluster_bootstrap(y, design, groups, [1], reps=199, seed=seed)
        rejections += boot["p_value"] < 0.05
        assert boot["ci"][0, 0] < boot["ci"][0, 1]
    assert rejections <= 5  # about 2 of 40
    # and it finds an effect that is there
    rng = np.random.default_rng(99)
    groups = np.repeat(np.arange(12), 30)
    x = rng.normal(size=len(groups))
    y = 0.5 * x + rng.normal(size=12)[groups] + rng.normal(size=len(groups))
    boot = engagement.wild_cluster_bootstrap(y, np.column_stack([np.ones_like(x), x]), groups, [1], reps=199)
    assert boot["p_value"] < 0.05 and boot["ci"][0, 0] < 0.5 < boot["ci"][0, 1]


def test_the_bootstrap_statistic_is_statsmodels_clustered_wald():
    data = dated_posts(seed=7)
    rows = engagement.sponsored_rows(data, seed=0)
    test = rows[rows["model"] == "sponsored_interaction"].iloc[0]
    direct = engagement.sponsored_interaction_test(data, reps=99)
    assert test["estimate"] == pytest.approx(direct["statistic"])
    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(30), 5)
    x = rng.normal(size=150)
    y = x + rng.normal(size=150)
    design = np.column_stack([np.ones(150), x])
    import statsmodels.api as sm

    fit = sm.OLS(y, design).fit(cov_type="cluster", cov_kwds={"groups": groups})
    boot = engagement.wild_cluster_bootstrap(y, design, groups, [1], reps=9)
    assert boot["statistic"] == pytest.approx(float(fit.tvalues[1] ** 2))


def test_ppml_with_equal_weights_is_not_dominated_by_large_accounts():
    """Small accounts' rates fall steeply with size, large accounts' are flat: PPML on counts (weighted by size)
    sees the flat top, PPML on the rate with equal weights sees the posts as they come (most of them small)."""
    data = kinked_posts((-0.3, -0.3, 0.0, 0.0), seed=8, accounts=2_000)
    posts = data[["account_id", "followers", "engagements"]]
    counts = engagement.ppml(posts).set_index("term").loc["engagement_rate", "estimate"]
    equal = engagement.ppml_equal_weights(posts).set_index("term").loc["engagement_rate", "estimate"]
    assert equal < counts - 0.05


def run_command(tmp_path, frame):
    path = tmp_path / "posts.csv"
    frame.assign(engagements=frame["engagements"].round().clip(lower=1).astype(int)).to_csv(path, index=False)
    # in-process (commandline.run): what the command writes and says is checked here, not its process
    argv = ["engagement", str(path), "--out", str(tmp_path / "out")]
    return subprocess.CompletedProcess(argv, *run(argv))


def test_the_command_reports_the_slope_by_tier_and_omits_a_thin_tier(tmp_path):
    data = kinked_posts((-0.25, -0.12, -0.04, -0.04), seed=3, accounts=600, high=6.05)
    result = run_command(tmp_path, data[["account_id", "followers", "engagements"]])
    assert result.returncode == 0, result.stderr
    record = json.loads((tmp_path / "out" / "results.json").read_text())
    assert [t["tier"] for t in record["elasticity_by_tier"]] == ["nano", "micro", "macro"]
    for row in record["elasticity_by_tier"]:
        assert {"tier", "estimate", "ci_low", "ci_high", "posts", "accounts"} <= set(row)
        assert row["accounts"] >= 20
    assert set(record["equal_slopes_test"]) == {"statistic", "df", "p_value"}
    assert record["equal_slopes_test"]["df"] == 2
    assert any(n.startswith("elasticity_by_tier: mega") for n in record["notes"])
    assert "sponsored_by_tier" not in record and "sponsored_interaction_test" not in record
    # the printed summary says whether one slope fits (prose is wrapped at 500 characters a line)
    assert record["slope_shape"] in " ".join(result.stdout.split())
    page = (tmp_path / "out" / "report.html").read_text()
    assert "One slope does not fit" in page or "One slope fits" in page


def test_the_command_reports_sponsored_by_tier_with_a_date_trend(tmp_path):
    data = dated_posts(seed=9)
    frame = data[["account_id", "followers", "engagements", "sponsored", "date"]].assign(
        date=data["date"].dt.strftime("%Y-%m-%d")
    )
    result = run_command(tmp_path, frame)
    assert result.returncode == 0, result.stderr
    record = json.loads((tmp_path / "out" / "results.json").read_text())
    rows = pd.DataFrame(record["sponsored_by_tier"])
    assert set(rows["date_trend"]) == {True, False}
    assert set(rows["tier"]) == {"all", *TIERS}
    test = record["sponsored_interaction_test"]
    assert test["df"] == 3 and test["date_trend"] and 0 <= test["bootstrap_p_value"] <= 1
    assert "wild cluster bootstrap" in (tmp_path / "out" / "report.html").read_text()


def test_a_date_that_is_not_a_date_is_refused(tmp_path):
    frame = pd.DataFrame(
        {
            "account_id": [f"a{i}" for i in range(30)],
            "followers": np.linspace(1_000, 90_000, 30).round(),
            "engagements": 50,
            "date": ["2019-02-30"] + ["2019-01-01"] * 29,
        }
    )
    result = run_command(tmp_path, frame)
    assert result.returncode != 0
    assert "2019-02-30" in result.stderr and "date" in result.stderr


def test_the_report_record_without_a_spline_says_so():
    fits = pd.DataFrame(
        [{"model": "slope_spline", "term": "", "estimate": np.nan, "note": "not estimable: too few accounts"}]
    )
    shape = report._shape(fits)
    assert shape["elasticity_by_tier"] == [] and shape["equal_slopes_test"]["df"] == 0
    assert shape["slope_shape"].startswith("Too few tiers")


def test_the_interaction_bootstrap_runs_only_where_a_tier_is_thin_and_in_bounded_memory():
    thick = dated_posts(seed=10, accounts=(120, 120, 120, 120))
    skipped = engagement.sponsored_interaction_test(thick, reps=99)
    assert np.isnan(skipped["bootstrap_p_value"]) and skipped["reps"] == 0 and skipped["df"] == 3
    forced = engagement.sponsored_interaction_test(thick, reps=99, few=None)
    assert 0 < forced["bootstrap_p_value"] <= 1 and forced["statistic"] == skipped["statistic"]
    # one replication at a time (the memory bound at its tightest) gives a bootstrap of the same statistic
    rng = np.random.default_rng(5)
    groups = np.repeat(np.arange(40), 6)
    x = rng.normal(size=len(groups))
    y = rng.normal(size=40)[groups] + rng.normal(size=len(groups))
    design = np.column_stack([np.ones_like(x), x])
    wide = engagement.wild_cluster_bootstrap(y, design, groups, [1], reps=99, seed=1)
    narrow = engagement.wild_cluster_bootstrap(y, design, groups, [1], reps=99, seed=1, cells=1)
    assert narrow["statistic"] == pytest.approx(wide["statistic"])
    assert abs(narrow["p_value"] - wide["p_value"]) < 0.25


def test_prepare_keeps_the_sponsored_flag_and_a_validated_date():
    posts = pd.DataFrame(
        {
            "account_id": ["a", "a", "b"],
            "followers": [5_000, 5_000, 50_000],
            "engagements": [100, 120, 400],
            "sponsored": [True, None, False],
            "date": ["2019-01-05", None, "2018-12-31"],
        }
    )
    data = post_table.prepare(posts)
    assert str(data["sponsored"].dtype) == "boolean" and data["sponsored"].isna().sum() == 1
    assert pd.api.types.is_datetime64_any_dtype(data["date"])
    assert data["date"].iloc[0] == pd.Timestamp("2019-01-05") and pd.isna(data["date"].iloc[1])
    with pytest.raises(post_table.ValidationError, match="2019-13-01"):
        post_table.prepare(posts.assign(date=["2019-13-01", None, "2018-12-31"]))
    # the schema reads a date with a time after it, and refuses a day that does not exist
    parsed = schema.parse_dates(pd.Series(["2019-01-05T10:00:00Z", "2019-02-30", "5 Jan 2019", None]))
    assert parsed.iloc[0] == pd.Timestamp("2019-01-05") and parsed.iloc[1:].isna().all()


# ---- The sponsored comparison on degenerate files: degraded with a reason, never a linear-algebra error.


def _sponsored_notes(posts: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    fits = engagement.fit_posts(posts)
    rows = fits[fits["model"].isin(["sponsored_by_tier", "sponsored_interaction"])]
    return rows, rows["note"].dropna().unique().tolist()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    day=st.dates(min_value=pd.Timestamp("2015-01-01").date(), max_value=pd.Timestamp("2025-01-01").date()),
    per_account=st.booleans(),
)
def test_dates_that_do_not_vary_drop_the_trend_with_a_note(seed, day, per_account):
    """Every post the same date (or one date per account): the comparison is made without the trend, and says so."""
    posts = dated_posts(seed=seed, accounts=(40, 40, 30, 0))
    if per_account:
        codes = pd.factorize(posts["account_id"])[0]
        posts["date"] = pd.Timestamp(day) + pd.to_timedelta(codes, unit="D")
    else:
        posts["date"] = pd.Timestamp(day)
    rows, notes = _sponsored_notes(posts)
    table = rows[rows["model"] == "sponsored_by_tier"]
    assert len(table) and table["estimate"].notna().all() and not table["date_trend"].astype(bool).any()
    assert len(notes) == 1 and notes[0].startswith("date trend left out: post dates do not vary")
    assert "LinAlgError" not in " ".join(notes)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), kind=st.sampled_from(["sponsored", "organic", "separate"]))
def test_one_kind_of_post_says_why_the_contrast_is_not_estimable(seed, kind):
    """Only sponsored posts, only organic ones, or each account with one kind only: the comparison within accounts
    cannot be made; the one row says which, and the rest of the fit stands."""
    posts = dated_posts(seed=seed, accounts=(30, 30, 20, 0))
    if kind == "separate":
        posts["sponsored"] = pd.factorize(posts["account_id"])[0] % 2 == 0
    else:
        posts["sponsored"] = kind == "sponsored"
    rows, notes = _sponsored_notes(posts)
    assert len(rows) == 1 and rows["estimate"].isna().all()
    reason = {"sponsored": "every post is sponsored", "organic": "every post is organic", "separate": "no account"}
    assert notes == [f"not estimable: {notes[0].removeprefix('not estimable: ')}"]
    assert reason[kind] in notes[0] and "LinAlgError" not in notes[0]
    assert engagement.fit_posts(posts).query("model == 'ols_clustered'")["estimate"].notna().all()


@given(
    bounds=st.lists(
        st.tuples(st.floats(-1, 1, allow_nan=False), st.floats(0, 0.5, allow_nan=False)), min_size=1, max_size=4
    )
)
def test_the_plain_shape_names_each_reported_tier_once_by_its_interval(bounds):
    """shape_plain puts a tier under "clearly" when its interval lies below zero, "hardly" when it holds zero, and
    "rising" when above; every reported tier appears once, in its place."""
    tiers = ["nano", "micro", "macro", "mega"][: len(bounds)]
    slopes = pd.DataFrame(
        {"tier": tiers, "reported": True, "ci_low": [lo for lo, _ in bounds], "ci_high": [lo + w for lo, w in bounds]}
    )
    said = real_posts.shape_plain(slopes)
    for tier, (lo, width) in zip(tiers, bounds):
        assert said.count(tier) == 1, said
        part = said[: said.index(tier) + len(tier)]
        last = max(("clearly", "hardly", "rising"), key=part.rfind)
        expected = "clearly" if lo + width < 0 else "rising" if lo > 0 else "hardly"
        assert last == expected, (said, tier, lo, width)
