"""The influencer-roi command: output, and bad input reported in one message with exit status 2."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from influencer_roi.paths import evidence_dir

COMMAND = str(Path(sys.executable).with_name("influencer-roi"))


def run(*args, cwd=None):
    return subprocess.run([COMMAND, *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_help_for_every_subcommand():
    from influencer_roi.cli import build_parser

    assert run("--help").returncode == 0
    commands = build_parser()._subparsers._group_actions[0].choices
    assert set(commands) == {"simulate", "analyze", "engagement", "allocate", "audit"}
    for name, parser in commands.items():
        result = run(name, "--help")
        assert result.returncode == 0 and parser.description.split()[0] in result.stdout, name


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
    assert result.returncode == 2 and "nowhere: no such folder" in result.stderr
    result = run("audit", "--out", str(tmp_path / "no" / "such" / "dir" / "a.csv"))
    assert result.returncode == 2 and "does not exist" in result.stderr and "Traceback" not in result.stderr


SAMPLE = Path(__file__).resolve().parents[1] / "data" / "synthetic" / "campaigns.csv"


def test_analyze_writes_results_report_and_figure(tmp_path):
    out = tmp_path / "out"
    result = run("analyze", str(SAMPLE), "--out", str(out))
    assert result.returncode == 0, result.stderr
    record = __import__("json").loads((out / "results.json").read_text())
    for part in ("roi", "revenue", "cost"):
        assert {"estimate", "ci_low", "ci_high"} <= set(record["elasticity"][part])
    truth = __import__("json").loads((SAMPLE.parent / "params.json").read_text())["elasticity"]["roi"]
    assert record["elasticity"]["roi"]["ci_low"] < truth < record["elasticity"]["roi"]["ci_high"]
    assert {c["contrast"] for c in record["tier_contrasts"]} >= {"nano_vs_micro", "micro_vs_mega"}
    html = (out / "report.html").read_text()
    assert "<svg" in html
    # self-contained: nothing is fetched (namespace URIs inside the SVG are names, not requests)
    assert not re.search(r'(src|href)="(https?:)?//', html) and "<script" not in html
    assert (out / "roi_fit.svg").exists() and not list(tmp_path.glob(".out.partial-*"))


def bad_copy(tmp_path, edit):
    frame = pd.read_csv(SAMPLE, dtype=str, nrows=200)
    edit(frame)
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda f: f.__delitem__("cost"), "missing required column(s) cost"),
        (
            lambda f: f.loc.__setitem__((3, "followers"), "12.5"),
            "bad.csv, line 5, column followers: value '12.5' breaks rule: must be a whole number",
        ),
        (
            lambda f: f.loc.__setitem__((0, "cost"), "-4"),
            "bad.csv, line 2, column cost: value '-4' breaks rule: must be at least 0.01",
        ),
        (
            lambda f: f.loc.__setitem__((1, "revenue"), "lots"),
            "bad.csv, line 3, column revenue: value 'lots' breaks rule: must be an amount such as",
        ),
    ],
    ids=["missing-column", "fractional-followers", "negative-cost", "non-numeric"],
)
def test_analyze_bad_input(tmp_path, edit, message):
    path = bad_copy(tmp_path, edit)
    before = path.read_bytes()
    out = tmp_path / "out"
    result = run("analyze", str(path), "--out", str(out))
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert path.read_bytes() == before and not out.exists()


def test_analyze_empty_and_header_only(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert "the file is empty" in run("analyze", str(empty), "--out", str(tmp_path / "o")).stderr
    header = tmp_path / "header.csv"
    header.write_text("influencer_id,followers,cost,revenue\n")
    result = run("analyze", str(header), "--out", str(tmp_path / "o"))
    assert result.returncode == 2 and "header but no rows" in result.stderr


def test_simulate_refuses_nonsense(tmp_path):
    result = run("simulate", "--n", "0", "--out", str(tmp_path / "x.csv"))
    assert result.returncode == 2 and "--n: 0 must be at least 1" in result.stderr
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.parametrize(
    "args",
    [
        ("analyze", str(SAMPLE), "--out", "{out}"),
        ("allocate", "--budget", "20000", "--worlds", "0", "--out", "{out}"),
        ("audit",),
    ],
)
def test_a_terminal_without_unicode_gets_escapes_not_a_failed_run(tmp_path, args):
    """The command's sentences use an en dash, ± and ≥: an ASCII-only stdout (a legacy code page, a pipe with
    PYTHONIOENCODING=ascii) must not turn a finished run into an internal error."""
    env = {"PATH": "", "PYTHONIOENCODING": "ascii"}
    argv = [a.format(out=tmp_path / "out") for a in args]
    result = subprocess.run([COMMAND, *argv], capture_output=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr.decode("ascii", "replace")
    result.stdout.decode("ascii")  # escaped, so plain ASCII
    assert b"Traceback" not in result.stderr
