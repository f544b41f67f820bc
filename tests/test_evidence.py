"""The ledger files load, and a malformed row fails with a message naming file, line, column and rule."""

from pathlib import Path

import pandas as pd
import pytest

from influencer_roi import evidence
from influencer_roi.paths import evidence_dir

TIERS_CSV = evidence_dir() / "tier_definitions.csv"
SOURCES_CSV = evidence_dir() / "sources.csv"


def test_ledger_loads_with_types():
    sources = evidence.load_sources()
    definitions = evidence.load_tier_definitions(sources=sources)
    assert sources["source_id"].is_unique
    assert set(definitions["source_id"]) <= set(sources["source_id"])
    assert definitions["min_followers"].dtype == float and definitions["approx"].dtype == bool
    # all five articles are sources, each pointing at its file in shared/sources
    articles = sources.dropna(subset=["source_file"])
    assert articles["source_file"].str[:3].tolist() == ["000", "001", "002", "003", "004"]


def test_every_quote_is_in_its_article():
    sources_dir = Path(__file__).resolve().parents[2] / "shared" / "sources"
    if not sources_dir.is_dir():
        pytest.skip("shared/sources is not beside this checkout")
    sources = evidence.load_sources().set_index("source_id")
    definitions = evidence.load_tier_definitions()
    for row in definitions.dropna(subset=["quote"]).itertuples():
        text = (sources_dir / sources.loc[row.source_id, "source_file"]).read_text(encoding="utf-8")
        assert " ".join(row.quote.split()) in " ".join(text.split()), (row.scheme_id, row.quote)


def broken_copy(tmp_path: Path, line: int, old: str, new: str) -> Path:
    """A copy of tier_definitions.csv with `old` replaced by `new` on `line` (1 = header)."""
    lines = TIERS_CSV.read_text(encoding="utf-8").splitlines()
    assert old in lines[line - 1], "test setup: the text to break is not on that line"
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    path = tmp_path / "tier_definitions.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "line, old, new, column, rule",
    [
        (2, "micro,,10000", "giga,,10000", "tier", "isin"),
        (2, "micro,,10000", "micro,,10k", "min_followers", "must be a plain number"),
        (2, "micro,,10000,100000", "micro,,100000,10000", "max_followers", "min_followers must be below max_followers"),
        (2, "micro,,10000", "micro,,-5", "min_followers", "must be at least 0"),
        (2, "A000,A000", "A000,A999", "source_id", "source_id must be a row of sources.csv"),
        (2, ",False,", ",maybe,", "approx", "isin"),
    ],
)
def test_bad_row_is_named(tmp_path, line, old, new, column, rule):
    path = broken_copy(tmp_path, line, old, new)
    before = path.read_bytes()
    with pytest.raises(evidence.LedgerError) as err:
        evidence.load_tier_definitions(path)
    message = str(err.value)
    assert f"tier_definitions.csv, line {line}, column {column}" in message
    assert rule in message
    assert path.read_bytes() == before  # the file is only read


def test_duplicate_row_names_both_lines(tmp_path):
    lines = TIERS_CSV.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "tier_definitions.csv"
    path.write_text("\n".join(lines + [lines[1]]) + "\n", encoding="utf-8")
    with pytest.raises(evidence.LedgerError) as err:
        evidence.load_tier_definitions(path)
    message = str(err.value)
    assert "line 2, column scheme_id" in message and f"line {len(lines) + 1}, column scheme_id" in message
    assert "must be unique" in message


def test_missing_column_is_named(tmp_path):
    frame = pd.read_csv(TIERS_CSV, dtype=str).drop(columns="quote")
    path = tmp_path / "tier_definitions.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(evidence.LedgerError, match="quote"):
        evidence.load_tier_definitions(path)


def test_quote_over_thirty_words_is_refused(tmp_path):
    path = broken_copy(tmp_path, 2, "individuals with", " ".join(["word"] * 31) + " individuals with")
    with pytest.raises(evidence.LedgerError, match="line 2, column quote.*at most 30 words"):
        evidence.load_tier_definitions(path)


def test_bad_source_grade_is_named(tmp_path):
    lines = SOURCES_CSV.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace(",C,000_", ",Z,000_")
    path = tmp_path / "sources.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(evidence.LedgerError, match="sources.csv, line 2, column grade"):
        evidence.load_sources(path)
