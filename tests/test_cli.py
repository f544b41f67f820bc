"""The influencer-roi command: output, and bad input reported in one message with exit status 2.

The real command (a process of its own) runs where the process is part of what is checked: its exit statuses, its
output on a terminal without Unicode, a whole run end to end. Refusals whose message and untouched files are what
is checked run in-process (commandline.run), which costs a fraction of a new Python process each."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from commandline import run as in_process

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
    code, _, err = in_process(["audit", "--out", str(out)])
    assert code == 0, err
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
    code, _, err = in_process(["audit", "--evidence", str(tmp_path / "nowhere")])
    assert code == 2 and "nowhere: no such folder" in err
    code, _, err = in_process(["audit", "--out", str(tmp_path / "no" / "such" / "dir" / "a.csv")])
    assert code == 2 and "does not exist" in err and "Traceback" not in err


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
    """In-process: the exit status 2 of the real command's refusal is checked below (header only)."""
    path = bad_copy(tmp_path, edit)
    before = path.read_bytes()
    out = tmp_path / "out"
    code, _, err = in_process(["analyze", str(path), "--out", str(out)])
    assert code == 2
    assert message in err and "Traceback" not in err
    assert path.read_bytes() == before and not out.exists()


def test_analyze_empty_and_header_only(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    code, _, err = in_process(["analyze", str(empty), "--out", str(tmp_path / "o")])
    assert code == 2 and "the file is empty" in err
    header = tmp_path / "header.csv"
    header.write_text("influencer_id,followers,cost,revenue\n")
    before = header.read_bytes()
    result = run("analyze", str(header), "--out", str(tmp_path / "o"))  # the real command: a refusal is exit 2
    assert result.returncode == 2 and "header but no rows" in result.stderr and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and header.read_bytes() == before and not (tmp_path / "o").exists()


def test_simulate_refuses_nonsense(tmp_path):
    result = run("simulate", "--n", "0", "--out", str(tmp_path / "x.csv"))
    assert result.returncode == 2 and "--n: 0 must be at least 1" in result.stderr
    assert not (tmp_path / "x.csv").exists()


UNICODE_RUNS = [
    ["analyze", str(SAMPLE), "--out", "analyzed"],
    ["allocate", "--budget", "20000", "--worlds", "0", "--out", "allocated"],
    ["audit"],
]


def test_a_terminal_without_unicode_gets_escapes_not_a_failed_run(tmp_path):
    """The command's sentences use an en dash, ± and ≥: an ASCII-only stdout (a legacy code page, a pipe with
    PYTHONIOENCODING=ascii) must not turn a finished run into an internal error. One process with that stdout runs
    analyze, allocate and audit in turn (cli.main, as the console script calls it), each to exit status 0, so the
    libraries are imported and the evidence synthesised once, not three times."""
    env = {"PATH": "", "PYTHONIOENCODING": "ascii"}
    script = (
        "import json, sys; from influencer_roi.cli import main; "
        "statuses = [main(argv) for argv in json.loads(sys.argv[1])]; "
        "sys.stdout.flush(); print(json.dumps(statuses), file=sys.stderr)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, __import__("json").dumps(UNICODE_RUNS)],
        capture_output=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr.decode("ascii", "replace")
    assert result.stderr.splitlines()[-1] == b"[0, 0, 0]", result.stderr.decode("ascii", "replace")
    assert b"\\u2013" in result.stdout or b"\\xb1" in result.stdout  # something was escaped, and printed
    result.stdout.decode("ascii")  # escaped, so plain ASCII
    assert b"Traceback" not in result.stderr
    assert (tmp_path / "analyzed" / "report.html").is_file() and (tmp_path / "allocated" / "report.html").is_file()
