"""The simulated campaigns: deterministic, shaped as documented, and with the elasticities they were given."""

import json

import numpy as np
import pandas as pd
import pytest
from commandline import run

from influencer_roi import models, simulate
from influencer_roi.paths import data_dir


def test_same_seed_same_data_and_different_seed_different_data():
    a, b = simulate.simulate(500, seed=7), simulate.simulate(500, seed=7)
    pd.testing.assert_frame_equal(a, b)
    assert not simulate.simulate(500, seed=8)["revenue"].equals(a["revenue"])


def test_followers_in_range_and_skewed_towards_small_accounts():
    followers = simulate.simulate(50_000, seed=1)["followers"]
    assert followers.min() >= 1_000 and followers.max() <= 10_000_000
    nano, mega = (followers < 10_000).mean(), (followers >= 1_000_000).mean()
    # exponential decay of 1 per decade: about 64% nano, about 3% mega
    assert nano == pytest.approx(0.64, abs=0.02) and mega == pytest.approx(0.032, abs=0.01)


def test_true_elasticities_follow_from_the_parameters():
    truth = simulate.true_elasticities(simulate.Params(e_er=-0.1, e_cr=-0.2, e_price=0.9))
    assert truth == {"revenue": pytest.approx(0.7), "cost": 0.9, "roi": pytest.approx(-0.2), "engagement_rate": -0.1}


def test_a_large_sample_recovers_the_parameters():
    data = models.prepare(simulate.simulate(200_000, seed=3))
    slopes = models.decomposition(data).set_index("term")["estimate"]
    truth = simulate.true_elasticities(simulate.Params())
    assert slopes["revenue_elasticity"] == pytest.approx(truth["revenue"], abs=0.01)
    assert slopes["cost_elasticity"] == pytest.approx(truth["cost"], abs=0.01)
    assert slopes["roi_elasticity"] == pytest.approx(truth["roi"], abs=0.01)


def test_fake_followers_lower_engagement_not_price():
    clean = simulate.simulate(5_000, seed=2)
    fake = simulate.simulate(5_000, seed=2, params=simulate.Params(fake_share=0.3))
    assert np.allclose(fake["cost"], clean["cost"])
    assert np.allclose(fake["engagements"], clean["engagements"] * 0.7, rtol=1e-3, atol=0.1)


def test_the_committed_sample_regenerates_byte_for_byte(tmp_path):
    params = json.loads((data_dir() / "synthetic" / "params.json").read_text())
    out, params_out = tmp_path / "campaigns.csv", tmp_path / "params.json"
    # in-process (commandline.run): the bytes are the simulation's, not the process's
    code, _, err = run(
        ["simulate", "--n", str(params["n"]), "--seed", str(params["seed"]), "--out", str(out)]
        + ["--params-out", str(params_out)]
    )
    assert code == 0, err
    assert out.read_bytes() == (data_dir() / "synthetic" / "campaigns.csv").read_bytes()
    assert params_out.read_bytes() == (data_dir() / "synthetic" / "params.json").read_bytes()
    # the sample's truth is the synthesis of the evidence, not a typed number
    from influencer_roi import worlds

    assert json.loads(params_out.read_text())["elasticity"]["roi"] == pytest.approx(worlds.central()["e_rpd"])


def test_the_committed_post_sample_regenerates_byte_for_byte(tmp_path):
    out = tmp_path / "posts.csv"
    code, _, err = run(["simulate", "--posts", "--n", "600", "--seed", "2024", "--out", str(out)])
    assert code == 0, err
    assert out.read_bytes() == (data_dir() / "synthetic" / "posts.csv").read_bytes()
