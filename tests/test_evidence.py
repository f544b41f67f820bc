"""The ledger files load, and a malformed row fails with a message naming file, line, column and rule."""

import shutil
from pathlib import Path

import pandas as pd
import pytest
from commandline import run, scratch

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


def _spoil(data: bytes, how: str) -> bytes:
    if how == "empty":
        return b""
    if how == "binary":
        return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + data[:50]
    if how == "utf-16":
        return data.decode("utf-8").encode("utf-16")
    if how == "latin-1":
        return data + "café\n".encode("latin-1")
    if how == "two byte-order marks":
        return "\ufeff\ufeff".encode() + data
    if how == "unclosed quote":
        return data + b'"never closed,1\n'
    if how == "a row too long":
        return data + b"," * 40 + b"\n"
    assert how == "blank first line"
    return b"\n" + data


@pytest.mark.parametrize(
    "how, said",
    [
        ("empty", "the file is empty"),
        ("binary", "a NUL byte: this is not a text file"),
        ("utf-16", "UTF-16 text: save it as UTF-8"),
        ("latin-1", "the byte 0xE9 is not UTF-8"),
        ("two byte-order marks", "line 1: two byte-order marks"),
        ("unclosed quote", "a quoted value that is never closed"),
        ("a row too long", "fields where the header has"),
        ("blank first line", "line 1 is blank"),
    ],
)
@pytest.mark.parametrize("name", ["sources.csv", "claims.csv", "metrics.csv", "audit_checks.csv"])
def test_an_evidence_file_that_is_not_csv_text_is_one_message_naming_it(name, how, said):
    """`influencer-roi audit --evidence FOLDER` over a folder whose file is not UTF-8 CSV: exit 2, the file, the
    line where it applies and the rule; never an internal error."""
    with scratch() as folder:
        shutil.copytree(evidence_dir(), folder / "evidence")
        spoilt = folder / "evidence" / name
        spoilt.write_bytes(_spoil(spoilt.read_bytes(), how))
        code, _, err = run(["audit", "--evidence", "evidence"])
        assert code == 2, err
        assert f"evidence/{name}: " in err and said in err, err
        assert "internal error" not in err and err.strip().count("\n") == 0
