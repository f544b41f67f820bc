"""Zero revenue is data (issue 28): campaigns that sold nothing are in the main estimate (Poisson pseudo-maximum
likelihood), counted in the printed answer, report.html and results.json, and in the market `allocate --campaigns`
fits; the log model on the campaigns with revenue is the labelled alternative. The simulator's zero_share makes
files with a known share of zeros and a known elasticity."""

import json

import numpy as np
import pandas as pd
import pytest

from influencer_roi import allocate, cli, models, simulate

TRUTH = simulate.true_elasticities(simulate.Params())["roi"]


def strict(text: str) -> dict:
    def refuse(constant):
        raise ValueError(constant)

    return json.loads(text, parse_constant=refuse)


# ---- The simulator


def test_zero_share_zero_changes_nothing_and_a_share_gives_that_share_of_zeros_with_the_same_mean():
    plain = simulate.simulate(20_000, seed=4)
    pd.testing.assert_frame_equal(simulate.simulate(20_000, seed=4, zero_share=0.0), plain)
    zeros = simulate.simulate(20_000, seed=4, zero_share=0.3)
    assert (plain["revenue"] > 0).all()
    assert (zeros["revenue"] == 0).mean() == pytest.approx(0.3, abs=0.015)
    # every other column is drawn as before; revenue keeps its mean (it is only lumped)
    pd.testing.assert_frame_equal(zeros.drop(columns="revenue"), plain.drop(columns="revenue"))
    assert zeros["revenue"].sum() == pytest.approx(plain["revenue"].sum(), rel=0.05)
    # the zeros fall on the campaigns expected to bring little: more among small accounts
    small = zeros["followers"] < 10_000
    assert (zeros.loc[small, "revenue"] == 0).mean() > (zeros.loc[~small, "revenue"] == 0).mean() + 0.1


def test_zero_share_outside_zero_to_one_is_refused():
    with pytest.raises(ValueError, match="zero_share"):
        simulate.simulate(10, zero_share=1.0)


# ---- Recovery: the main estimator finds the elasticity it was given; the log model on positives does not


def test_ppml_recovers_the_true_elasticity_with_zeros_where_the_log_model_on_positives_is_biased():
    ppml, log = [], []
    for seed in range(5):
        data = models.prepare(simulate.simulate(3_000, seed=seed, zero_share=0.3), keep_zeros=True)
        assert (data["revenue"] == 0).mean() > 0.25
        ppml.append(models.ppml(data).set_index("term").loc["roi_elasticity"])
        log.append(models.decomposition(models.with_revenue(data)).set_index("term").loc["roi_elasticity"])
    for main, alternative in zip(ppml, log, strict=True):
        assert main["ci_low"] < TRUTH < main["ci_high"], main
        assert alternative["ci_high"] < TRUTH, alternative  # the selected sample tilts the slope down
    assert np.mean([m["estimate"] for m in ppml]) == pytest.approx(TRUTH, abs=0.05)
    assert np.mean([a["estimate"] for a in log]) - TRUTH < -0.15


def test_without_zeros_ppml_and_the_log_model_estimate_the_same_elasticity():
    data = models.prepare(simulate.simulate(20_000, seed=6), keep_zeros=True)
    main = models.ppml(data).set_index("term").loc["roi_elasticity"]
    log = models.decomposition(data).set_index("term").loc["roi_elasticity"]
    assert main["ci_low"] < TRUTH < main["ci_high"] and log["ci_low"] < TRUTH < log["ci_high"]
    assert main["estimate"] == pytest.approx(log["estimate"], abs=0.05)


def test_the_main_fits_use_every_row_and_the_log_models_the_rows_with_revenue():
    campaigns = simulate.simulate(1_500, seed=2, zero_share=0.4)
    data = models.prepare(campaigns, keep_zeros=True)
    assert len(data) == 1_500 and data.attrs["zero_revenue"] == int((campaigns["revenue"] == 0).sum())
    fits = models.fit_prepared(data).set_index(["model", "term"])
    every = models.ppml(data).set_index("term")
    positives = models.ppml(models.with_revenue(data)).set_index("term")
    estimate = fits.loc[(models.MAIN_MODEL, "roi_elasticity"), "estimate"]
    assert estimate == pytest.approx(every.loc["roi_elasticity", "estimate"], rel=1e-9)
    assert estimate != pytest.approx(positives.loc["roi_elasticity", "estimate"], rel=1e-3)
    log = models.decomposition(models.with_revenue(data)).set_index("term")
    assert fits.loc[(models.LOG_MODEL, "roi_elasticity"), "estimate"] == pytest.approx(
        log.loc["roi_elasticity", "estimate"], rel=1e-9
    )
    assert {models.MAIN_MODEL, models.MAIN_CONTRASTS} <= {m.name for m in models.REGISTRY if m.zeros}


def test_a_tier_with_no_revenue_is_left_out_of_the_ppml_contrasts():
    data = models.prepare(simulate.simulate(2_000, seed=3), keep_zeros=True)
    data.loc[data["tier"] == "mega", "revenue"] = 0.0
    table = models.ppml_tier_contrasts(data)
    assert not table["term"].str.contains("mega").any() and len(table) == 3


def test_a_tier_that_sold_nothing_is_named_in_the_answer(tmp_path, capsys):
    campaigns = simulate.simulate(1_200, seed=8)
    mega = models.prepare(campaigns, keep_zeros=True)["tier"].to_numpy() == "mega"
    assert mega.sum() >= 2
    campaigns.loc[mega, "revenue"] = 0.0
    path = tmp_path / "campaigns.csv"
    campaigns.to_csv(path, index=False)
    assert cli.main(["analyze", str(path), "--out", str(tmp_path / "out")]) == 0
    printed = " ".join(capsys.readouterr().out.split())
    assert (
        f"Every mega campaign ({mega.sum():,}) had zero revenue, so mega is left out of the tier comparison" in printed
    )
    record = strict((tmp_path / "out" / "results.json").read_text())
    assert record["zero_revenue"]["all_zero_tiers"] == {"mega": int(mega.sum())}
    assert not any("mega" in c["contrast"] for c in record["tier_contrasts"])
    page = " ".join((tmp_path / "out" / "report.html").read_text().split())
    assert "Every mega campaign" in page


# ---- The command: the count of zeros is said everywhere, the main estimate counts them


@pytest.fixture(scope="module")
def zero_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("zeros")
    path = folder / "campaigns.csv"
    simulate.simulate(1_200, seed=8, zero_share=0.35).to_csv(path, index=False)
    return folder, path, pd.read_csv(path)


def test_analyze_says_how_many_campaigns_had_zero_revenue_and_includes_them(zero_run, capsys):
    folder, path, campaigns = zero_run
    zero = int((campaigns["revenue"] == 0).sum())
    assert zero > 300
    out = folder / "out"
    assert cli.main(["analyze", str(path), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    share = f"{100 * zero / len(campaigns):.1f}%"
    assert f"{zero:,} of the {len(campaigns):,} campaigns ({share}) had zero revenue" in printed
    assert "log model, campaigns with revenue only" in printed
    record = strict((out / "results.json").read_text())
    assert record["zero_revenue"] == {
        "campaigns": zero,
        "share": pytest.approx(zero / len(campaigns)),
        "all_zero_tiers": {},
    }
    assert record["n_campaigns"] == len(campaigns) and record["n_campaigns_with_revenue"] == len(campaigns) - zero
    assert record["main_model"]["model"] == models.MAIN_MODEL == "ppml"
    assert record["log_model"]["label"] == "log model, campaigns with revenue only"
    every = models.ppml(models.prepare(campaigns, keep_zeros=True)).set_index("term").loc["roi_elasticity"]
    assert record["elasticity"]["roi"]["estimate"] == pytest.approx(every["estimate"], rel=1e-9)
    assert record["elasticity"]["roi"]["ci_low"] < TRUTH < record["elasticity"]["roi"]["ci_high"]
    assert record["log_model"]["elasticity"]["roi"]["ci_high"] < TRUTH
    html = (out / "report.html").read_text()
    answer = html[html.index('class="answer"') : html.index("</p>", html.index('class="answer"'))]
    assert f"{zero:,} of the {len(campaigns):,} campaigns ({share}) had zero revenue" in answer
    assert "Poisson pseudo-maximum likelihood" in html and "log model, campaigns with revenue only" in html


def test_analyze_without_zeros_says_so(tmp_path, capsys):
    path = tmp_path / "campaigns.csv"
    simulate.simulate(300, seed=1).to_csv(path, index=False)
    assert cli.main(["analyze", str(path), "--out", str(tmp_path / "out")]) == 0
    printed = capsys.readouterr().out
    assert "No campaign had zero revenue." in printed and "none with zero revenue" in printed
    record = strict((tmp_path / "out" / "results.json").read_text())
    assert record["zero_revenue"] == {"campaigns": 0, "share": 0.0, "all_zero_tiers": {}}


@pytest.mark.parametrize("positives", [0, 5], ids=["all-zero", "too-few-with-revenue"])
def test_a_file_with_too_few_campaigns_with_revenue_is_one_message(tmp_path, capsys, positives):
    frame = simulate.simulate(200, seed=2)[["influencer_id", "followers", "cost", "revenue"]]
    frame.loc[positives:, "revenue"] = 0
    path = tmp_path / "zeros.csv"
    frame.to_csv(path, index=False)
    before = path.read_bytes()
    assert cli.main(["analyze", str(path), "--out", str(tmp_path / "out")]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "Traceback" not in captured.err
    assert len(captured.err.strip().splitlines()) == 1
    assert f"{positives} campaign(s) with revenue and {200 - positives:,} with zero revenue" in captured.err
    assert path.read_bytes() == before and not (tmp_path / "out").exists()


def test_simulate_zero_share_on_the_command_line(tmp_path, capsys):
    out, params = tmp_path / "c.csv", tmp_path / "p.json"
    argv = ["simulate", "--n", "2000", "--zero-share", "0.25", "--out", str(out), "--params-out", str(params)]
    assert cli.main(argv) == 0
    assert (pd.read_csv(out)["revenue"] == 0).mean() == pytest.approx(0.25, abs=0.03)
    assert json.loads(params.read_text())["zero_share"] == 0.25
    assert cli.main(["simulate", "--n", "10", "--zero-share", "1", "--out", str(tmp_path / "x.csv")]) == 2
    assert "--zero-share" in capsys.readouterr().err


# ---- allocate --campaigns: the same rule


def test_a_fitted_market_keeps_the_files_zeros_in_its_mean_revenue():
    campaigns = simulate.simulate(6_000, seed=5)
    halved = campaigns.copy()
    halved.loc[np.random.default_rng(0).random(len(halved)) < 0.5, "revenue"] = 0.0  # half sell nothing, at random
    full, zeros = allocate.Market.fitted(campaigns), allocate.Market.fitted(halved)

    def mean_at_reference(market):
        return market.revenue_ref * np.exp(market.sd_revenue**2 / 2)

    assert mean_at_reference(zeros) / mean_at_reference(full) == pytest.approx(0.5, abs=0.08)
    assert zeros.e_revenue == pytest.approx(full.e_revenue, abs=0.1)
    assert (zeros.price_ref, zeros.e_price) == (full.price_ref, full.e_price)  # prices are never zero


def test_allocate_with_campaigns_says_how_many_had_zero_revenue(zero_run, capsys):
    folder, path, campaigns = zero_run
    zero = int((campaigns["revenue"] == 0).sum())
    argv = ["allocate", "--budget", "20000", "--campaigns", str(path), "--draws", "100", "--out", str(folder / "al")]
    assert cli.main(argv) == 0
    err = capsys.readouterr().err
    assert f"note: {zero:,} of the {len(campaigns):,} campaigns" in err and "keeps them" in err
    strict((folder / "al" / "results.json").read_text())


def test_a_market_fitted_to_a_file_with_zeros_draws_them_and_keeps_its_mean():
    """allocate --campaigns: the fitted market sells nothing with the file's share of zero-revenue campaigns, its
    mean revenue per creator is the file's (zeros counted), and a bad campaign is worse (the campaigns that sold
    nothing count); without zeros nothing changes (the zeros have their own random numbers)."""
    from dataclasses import replace

    from influencer_roi import allocate

    campaigns = simulate.simulate(3_000, seed=9, zero_share=0.3)
    market = allocate.Market.fitted(campaigns)
    assert market.p_zero == pytest.approx(float((campaigns["revenue"] == 0).mean()))
    without = replace(market, p_zero=0.0)
    with_zeros = allocate.run(market, 50_000, {"micro": 1.0}, draws=4_000, seed=3)
    plain = allocate.run(without, 50_000, {"micro": 1.0}, draws=4_000, seed=3)
    # the same creators are booked; the mean revenue agrees within Monte Carlo error, the expected revenue exactly
    pd.testing.assert_series_equal(with_zeros["spent"], plain["spent"])
    pd.testing.assert_series_equal(with_zeros["expected_revenue"], plain["expected_revenue"])
    assert with_zeros["revenue"].mean() == pytest.approx(plain["revenue"].mean(), rel=0.03)
    # campaigns that sold nothing widen the spread: a bad campaign is worse, so a loss is likelier at any threshold
    assert with_zeros["revenue"].quantile(0.05) < 0.95 * plain["revenue"].quantile(0.05)
    assert with_zeros["revenue"].std() > plain["revenue"].std()
    # a market with p_zero 0 draws exactly what it drew before zeros were modelled
    again = allocate.run(replace(market, p_zero=0.0), 50_000, {"micro": 1.0}, draws=4_000, seed=3)
    pd.testing.assert_frame_equal(again, plain)
