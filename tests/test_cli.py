"""The influencer-roi command: output, and bad input reported in one message with exit status 2."""

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd

from influencer_roi.paths import evidence_dir

COMMAND = str(Path(sys.executable).with_name("influencer-roi"))


def run(*args, cwd=None):
    return subprocess.run([COMMAND, *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_help_for_every_subcommand():
    assert run("--help").returncode == 0
    assert "consistency check" in run("audit", "--help").stdout


def test_audit_prints_the_table_and_counts():
    result = run("audit")
    assert result.returncode == 0
    assert "K01" in result.stdout and "inconsistent" in result.stdout
    assert "consistent;" in result.stderr


def test_audit_writes_a_csv(tmp_path):
    out = tmp_path / "audit.csv"
    result = run("audit", "--out", str(out))
    assert result.returncode == 0
    table = pd.read_csv(out)
    assert list(table.columns) == ["check_id", "kind", "claim_ids", "stated", "recomputed", "verdict", "explanation"]
    assert not list(tmp_path.glob(".*.tmp"))


def test_bad_ledger_row_exit_2_named_no_traceback_and_input_untouched(tmp_path):
    folder = tmp_path / "evidence"
    shutil.copytree(evidence_dir(), folder)
    claims = folder / "claims.csv"
    claims.write_text(claims.read_text(encoding="utf-8").replace("A001_05,A001,", "A001_05,A999,", 1), encoding="utf-8")
    before = claims.read_bytes()
    out = tmp_path / "audit.csv"
    result = run("audit", "--evidence", str(folder), "--out", str(out))
    assert result.returncode == 2
    assert "claims.csv, line 9, column source_id: value 'A999'" in result.stderr
    assert "Traceback" not in result.stderr
    assert claims.read_bytes() == before and not out.exists()


def test_missing_folder_and_unwritable_output(tmp_path):
    result = run("audit", "--evidence", str(tmp_path / "nowhere"))
    assert result.returncode == 2 and "missing sources.csv" in result.stderr
    result = run("audit", "--out", str(tmp_path / "no" / "such" / "dir" / "a.csv"))
    assert result.returncode == 2 and "does not exist" in result.stderr and "Traceback" not in result.stderr
