"""assign_tier and the tier schemes: properties that must hold for any follower count."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from influencer_roi import evidence, tiers

DEFINITIONS = evidence.load_tier_definitions()
SCHEME_IDS = ["canonical", *DEFINITIONS["scheme_id"].unique()]
counts = st.floats(min_value=0, max_value=1e10, allow_nan=False)


def band_of(scheme: pd.DataFrame, tier: str) -> list[tuple[float, float]]:
    rows = scheme[scheme["tier"].astype(str) == tier]
    return [
        (0.0 if pd.isna(lo) else lo, np.inf if pd.isna(hi) else hi)
        for lo, hi in zip(rows["min_followers"], rows["max_followers"])
    ]


def test_canonical_examples():
    got = tiers.assign_tier([999, 1_000, 9_999, 10_000, 99_999, 100_000, 999_999, 1_000_000, 5e9])
    assert got.isna().tolist() == [True] + [False] * 8
    assert got.iloc[1:].tolist() == ["nano", "nano", "micro", "micro", "macro", "macro", "mega", "mega"]


@given(st.lists(counts, min_size=1, max_size=50))
def test_canonical_is_monotone(values):
    # More followers never means a smaller tier.
    ordered = np.sort(np.array(values))
    codes = tiers.assign_tier(ordered).cat.codes.to_numpy()
    assigned = codes[codes >= 0]
    assert (np.diff(assigned) >= 0).all()
    # and only accounts under 1,000 followers are left without a tier
    assert ((codes == -1) == (ordered < 1_000)).all()


@settings(max_examples=300)
@given(st.sampled_from(SCHEME_IDS), counts)
def test_assigned_band_contains_the_count(scheme_id, followers):
    scheme = tiers.get_scheme(scheme_id, DEFINITIONS)
    tier = tiers.assign_tier([followers], scheme_id, DEFINITIONS).iloc[0]
    containing = [str(t) for t in scheme["tier"] if any(lo <= followers < hi for lo, hi in band_of(scheme, str(t)))]
    if pd.isna(tier):
        assert containing == []  # NaN only where no band of the scheme holds the count
    else:
        assert tier in containing


@given(st.lists(counts, min_size=1, max_size=30), st.randoms(use_true_random=False))
def test_order_of_input_does_not_matter(values, random):
    shuffled = values[:]
    random.shuffle(shuffled)
    by_value = dict(zip(values, tiers.assign_tier(values)))
    assert [by_value[v] if pd.notna(by_value[v]) else None for v in shuffled] == [
        t if pd.notna(t) else None for t in tiers.assign_tier(shuffled)
    ]


def test_narrowest_band_wins_where_bands_overlap():
    # Article 002: nano 1k-10k sits inside micro 1k-100k.
    got = tiers.assign_tier([5_000, 50_000], "A002", DEFINITIONS).tolist()
    assert got == ["nano", "micro"]


def test_identical_bands_go_to_the_smaller_tier():
    # Article 001 calls 1M+ both mega (its table) and macro (its prose).
    assert tiers.assign_tier([3_000_000], "A001", DEFINITIONS).tolist() == ["macro"]


def test_series_index_is_kept_and_missing_counts_give_nan():
    s = pd.Series([50_000, np.nan], index=["a", "b"])
    got = tiers.assign_tier(s)
    assert got.index.tolist() == ["a", "b"]
    assert got.iloc[0] == "micro" and pd.isna(got.iloc[1])
    assert got.dtype == tiers.TIER_DTYPE


@pytest.mark.parametrize("bad", [-1, np.inf])
def test_impossible_counts_raise(bad):
    with pytest.raises(ValueError, match="finite and non-negative"):
        tiers.assign_tier([10, bad])


def test_unknown_scheme_names_the_known_ones():
    with pytest.raises(KeyError, match="canonical"):
        tiers.assign_tier([10], "no-such-scheme", DEFINITIONS)


def test_overlaps_finds_shared_ranges_only():
    found = tiers.scheme_overlaps(DEFINITIONS)
    assert set(found["scheme_id"]) == {"A001", "A002"}
    a002 = found[found["scheme_id"] == "A002"].iloc[0]
    assert (a002["from_followers"], a002["to_followers"]) == (1_000, 10_000)
    assert tiers.overlaps(tiers.CANONICAL).empty


@pytest.mark.parametrize(
    "lo, hi, text",
    [
        (np.nan, 10_000, "under 10k"),
        (0, 10_000, "under 10k"),
        (1_000_000, np.nan, "1M and up"),
        (1_200, 8_500, "1.2k to 8.5k"),
        (np.nan, np.nan, "any size"),
    ],
)
def test_band_label(lo, hi, text):
    assert tiers.band_label(lo, hi) == text
