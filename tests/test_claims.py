"""claims.csv: every article claim quoted from its article, bad rows named, and normalisation to one scale."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from influencer_roi import evidence
from influencer_roi.paths import evidence_dir

CLAIMS_CSV = evidence_dir() / "claims.csv"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "sources"


@pytest.fixture(scope="module")
def ledger():
    return evidence.load_ledger()


def test_ledger_covers_every_article_and_the_literature(ledger):
    claims, sources = ledger["claims"], ledger["sources"]
    articles = sources.dropna(subset=["source_file"])["source_id"]
    per_article = claims[claims["source_id"].isin(articles)].groupby("source_id").size()
    assert set(per_article.index) == set(articles)
    assert per_article.sum() > 50  # the floor; every number in the articles is a row
    assert claims["confidence"].notna().sum() > 0


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared/sources is not beside this checkout")
def test_every_article_quote_is_verbatim(ledger):
    claims, sources = ledger["claims"], ledger["sources"].set_index("source_id")
    quoted = claims.dropna(subset=["quote"])
    for row in quoted.itertuples():
        text = " ".join((SHARED / sources.loc[row.source_id, "source_file"]).read_text(encoding="utf-8").split())
        assert " ".join(row.quote.split()) in text, (row.claim_id, row.quote)


def broken(tmp_path: Path, claim_id: str, column: str, value: str) -> tuple[Path, int]:
    frame = pd.read_csv(CLAIMS_CSV, dtype=str, keep_default_na=False)
    index = frame.index[frame["claim_id"] == claim_id][0]
    frame.loc[index, column] = value
    path = tmp_path / "claims.csv"
    frame.to_csv(path, index=False)
    return path, index + 2


@pytest.mark.parametrize(
    "claim_id, column, value, rule",
    [
        ("A001_05", "metric", "happiness", "metric must be a row of metrics.csv"),
        ("A001_05", "tier", "giga", "tier must be a tier"),
        ("A001_05", "low", "9.9", "low must not be above high"),
        ("A001_05", "low", "3.8%", "must be a plain number"),
        ("A001_05", "source_id", "A999", "source_id must be a row of sources.csv"),
        ("A001_05", "claim_id", "A001_06", "(claim_id) must be unique"),
        ("A001_05", "unit", "usd", "the unit must fit the metric"),
        ("A001_05", "confidence", "H", "literature rows carry a confidence"),
        ("L01", "confidence", "", "literature rows carry a confidence"),
        ("A001_05", "quote", "", "a claim from an article quotes it"),
    ],
)
def test_bad_claim_is_named(tmp_path, claim_id, column, value, rule):
    path, line = broken(tmp_path, claim_id, column, value)
    with pytest.raises(evidence.LedgerError) as err:
        evidence.load_claims(path)
    assert f"claims.csv, line {line}, column {column}" in str(err.value)
    assert rule in str(err.value)


def one(ledger, claim_id):
    return ledger["claims"].set_index("claim_id").loc[claim_id]


def test_percentages_become_fractions(ledger):
    row = one(ledger, "A001_05")  # 3.8%-7.0%
    assert (row["value_low"], row["value_high"]) == pytest.approx((0.038, 0.07))
    assert row["value_unit"] == "fraction"


def test_percent_lower_and_times_lower_become_ratios_with_ends_swapped(ledger):
    assert one(ledger, "A000_03")["value_low"] == pytest.approx(0.4)  # up to 60% lower
    row = one(ledger, "A002_06")  # 2-3 times better value, on a cost
    assert (row["value_low"], row["value_high"]) == pytest.approx((1 / 3, 1 / 2))


def test_returns_on_one_scale(ledger):
    roi = one(ledger, "A001_24")  # "527% ROI" is net
    assert (roi["roas_low"], roi["roi_low"]) == pytest.approx((6.27, 5.27))
    roas = one(ledger, "A001_11")  # "$5.00-$8.00 per $1 spent" is gross
    assert (roas["roas_low"], roas["roas_high"], roas["roi_low"]) == pytest.approx((5, 8, 4))
    assert np.isnan(one(ledger, "A001_05")["roas_low"])


def test_follower_ranges_keep_the_source_bounds(ledger):
    macro = one(ledger, "L07")  # Beichert et al.'s macro: above 50,000
    assert macro["range_from"] == "source" and macro["range_min"] == 50_000 and np.isnan(macro["range_max"])
    assert macro["canonical_tiers"] == "micro, macro, mega"
    price = one(ledger, "A001_14")  # no bounds stated: the canonical micro tier
    assert price["range_from"] == "canonical" and (price["range_min"], price["range_max"]) == (10_000, 100_000)
    assert price["midpoint_followers"] == pytest.approx(np.sqrt(10_000 * 100_000))
    assert one(ledger, "L39")["canonical_tiers"] == ""  # Markerly's band under 1,000 followers
    comparison = one(ledger, "A001_17")
    assert (comparison["tier_a"], comparison["tier_b"]) == ("micro", "mega") and pd.isna(comparison["range_from"])


def _or_minus_one(value) -> float:
    """A missing bound compared as -1, on both sides of the comparison."""
    return -1 if pd.isna(value) else value


def test_tier_definitions_of_the_articles_are_tier_bound_claims(ledger):
    # The same boundaries live in two files (definitions for assign_tier, claims for the audit): keep them in step.
    definitions = ledger["tier_definitions"]
    articles = ledger["sources"].dropna(subset=["source_file"])["source_id"]
    bounds = ledger["claims"].query("metric == 'tier_bounds'")
    for row in definitions[definitions["source_id"].isin(articles)].itertuples():
        match = bounds[
            (bounds["source_id"] == row.source_id)
            & (bounds["tier"] == str(row.tier))
            & (bounds["tier_min_followers"].fillna(-1) == _or_minus_one(row.min_followers))
            & (bounds["tier_max_followers"].fillna(-1) == _or_minus_one(row.max_followers))
        ]
        assert len(match) >= 1, f"tier_definitions {row.scheme_id}/{row.tier} has no matching tier_bounds claim"


def test_tier_claims_covers_both_sides_of_comparisons(ledger):
    table = evidence.tier_claims(ledger, "nano")
    assert {"A004_01", "A004_05", "L12", "A002_25"} <= set(table.index)  # nano_vs_macro, macro_vs_nano, nano
    assert not table["source"].isna().any() and not table["stated"].eq("").any()
    assert table.loc["A001_20", "stated"] == "up to 7%"
