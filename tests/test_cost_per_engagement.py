"""What an engagement costs at each tier: real engagements per post beside the rate card's prices."""

import numpy as np
import pandas as pd

from influencer_roi import evidence, instagram, real_posts


def test_cost_per_engagement_is_price_over_the_median_accounts_engagements():
    posts = pd.DataFrame(
        {
            "tier": ["nano"] * 6 + ["micro"] * 2,
            "account_id": ["a", "a", "b", "c", "d", "e", "m", "m"],
            "engagements": [10, 30, 50, 100, 200, 300, 1_000, 3_000],
        }
    )
    claims = pd.DataFrame(
        {
            "claim_id": ["P1", "P2"],
            "source_id": ["card", "card"],
            "metric": ["price_per_post", "price_per_post"],
            "tier": ["nano", "micro"],
            "value_low": [10.0, 200.0],
            "value_high": [100.0, np.nan],
        }
    )
    table = real_posts.cost_per_engagement(posts, claims, price_source="card").set_index("tier")
    # nano accounts' medians: a 20, b 50, c 100, d 200, e 300 -> the median account's median post is 100
    assert table.loc["nano", "engagements_per_post"] == 100
    assert table.loc["nano", "accounts"] == 5 and table.loc["nano", "posts"] == 6
    assert table.loc["nano", "cpe_low"] == 0.1 and table.loc["nano", "cpe_high"] == 1.0
    assert table.loc["nano", "engagements_low"] <= 100 <= table.loc["nano", "engagements_high"]
    assert table.loc["micro", "cpe_low"] == 0.1 and np.isnan(table.loc["micro", "cpe_high"])  # an open top stays open


def test_on_the_real_posts_every_tier_has_a_price_and_an_interval():
    table = real_posts.cost_per_engagement(instagram.cached(), evidence.load_ledger()["claims"])
    assert list(table["tier"]) == ["nano", "micro", "macro", "mega"]
    assert (table["engagements_low"] <= table["engagements_per_post"]).all()
    assert (table["engagements_per_post"] <= table["engagements_high"]).all()
    assert table["engagements_per_post"].is_monotonic_increasing  # absolute engagement rises with size
