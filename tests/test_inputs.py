"""Users' campaign files: the formats accepted, and a corpus of bad files (tests/bad_inputs) with the message each
must produce. Every bad file: exit status 2, one message naming file, line, column, value and rule, no traceback,
the input untouched, no output left behind."""

import gzip
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from influencer_roi import schema

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "bad_inputs"
SAMPLE = ROOT / "data" / "synthetic" / "campaigns.csv"
COMMAND = str(Path(sys.executable).with_name("influencer-roi"))

EXPECTED = {
    "missing_column.csv": "missing required column(s) revenue",
    "empty.csv": "the file is empty",
    "header_only.csv": "the file has a header but no rows",
    "non_numeric.csv": "non_numeric.csv, line 4, column cost: value '$240' breaks rule: must be a plain number",
    "zero_followers.csv": "zero_followers.csv, line 6, column followers: value '0' breaks rule: must be at least 1",
    "negative_cost.csv": "negative_cost.csv, line 3, column cost: value '-3.5' breaks rule: must be above 0",
    "fractional_followers.csv": "line 8, column followers: value '1234.5' breaks rule: must be a whole number",
    "missing_value.csv": "missing_value.csv, line 5, column revenue: value blank",
    "spreadsheet_as.csv": "most likely an .xlsx spreadsheet; export the sheet as CSV",
    "xls_as.csv": "this is an .xls spreadsheet, not a CSV file",
    "binary_as.csv": "this is a binary file (it contains NUL bytes)",
}


def analyze(path: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([COMMAND, "analyze", str(path), "--out", str(out), *extra],
                          capture_output=True, text=True, timeout=300)


def test_the_corpus_is_complete():
    assert sorted(p.name for p in CORPUS.iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_file_is_refused_clearly(tmp_path, name):
    path = CORPUS / name
    before = path.read_bytes()
    out = tmp_path / "out"
    result = analyze(path, out)
    assert result.returncode == 2, result.stdout + result.stderr
    assert EXPECTED[name] in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert path.read_bytes() == before and not out.exists()


def test_unknown_column_mapping_and_an_output_with_nowhere_to_go(tmp_path):
    result = analyze(SAMPLE, tmp_path / "o", "--column", "likes=Likes")
    assert result.returncode == 2 and "'likes' is not a column this analysis uses" in result.stderr
    result = analyze(SAMPLE, tmp_path / "o", "--column", "followers=Follower Count")
    assert result.returncode == 2 and "which the file does not have" in result.stderr
    not_a_folder = tmp_path / "a_file"
    not_a_folder.write_text("x")
    result = analyze(SAMPLE, not_a_folder / "out")  # the output's parent is a file: nowhere to write
    assert result.returncode == 2 and "does not exist" in result.stderr and "Traceback" not in result.stderr


def semicolon_renamed(tmp_path: Path) -> Path:
    frame = pd.read_csv(SAMPLE, dtype=str, nrows=300).rename(columns={"followers": "Follower Count"})
    path = tmp_path / "export.csv"
    frame.to_csv(path, index=False, sep=";")
    return path


def test_delimiter_is_sniffed_and_headers_mapped(tmp_path):
    path = semicolon_renamed(tmp_path)
    frame = schema.load_campaigns(path, schema.parse_column_map(["followers=Follower Count"], schema.REQUIRED))
    assert len(frame) == 300 and frame["followers"].dtype == "int64"


def test_compressed_csv_and_parquet_are_read(tmp_path):
    gz = tmp_path / "campaigns.csv.gz"
    with open(SAMPLE, "rb") as src, gzip.open(gz, "wb") as dst:
        shutil.copyfileobj(src, dst)
    parquet = tmp_path / "campaigns.parquet"
    pd.read_csv(SAMPLE).to_parquet(parquet)
    plain = schema.load_campaigns(SAMPLE)
    for path in (gz, parquet):
        frame = schema.load_campaigns(path)
        assert len(frame) == len(plain)
        assert frame["revenue"].sum() == pytest.approx(plain["revenue"].sum())


def test_drop_invalid_drops_and_reports(tmp_path):
    out = tmp_path / "out"
    result = analyze(CORPUS / "non_numeric.csv", out, "--drop-invalid")
    assert result.returncode == 0, result.stderr
    assert "dropped 1 row(s)" in result.stderr and "column cost: must be a plain number" in result.stderr
    assert (out / "results.json").exists()
