"""Faults around the command: Ctrl-C at any moment, a full disk, a read-only folder, another filesystem, symbolic
links, FIFOs and folders where files are expected, outputs that would overwrite what the tool did not write, and
the file modes of what it writes. Each ends in one message, the right exit status, no traceback, nothing
half-written and nothing staged left behind.

Signals, umask and exit statuses need a real process (subprocess); the rest runs in-process (commandline.run),
with the operating system's failure injected where a test cannot cause it (a full disk, a read-only filesystem:
the tests may run as root, which writes anywhere)."""

import contextlib
import errno
import importlib.abc
import json
import os
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from commandline import run, scratch

from influencer_roi import cli, entry, paths

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "synthetic" / "campaigns.csv"
COMMAND = str(Path(sys.executable).with_name("influencer-roi"))


def leftovers(folder: Path) -> list[str]:
    return [str(p) for p in folder.rglob(f"*{paths.PARTIAL}")]


# ---- Ctrl-C


def start(argv: list[str]) -> subprocess.Popen:
    """The command in a child process that takes Ctrl-C as a terminal does (a background job of a shell, as a
    test runner may be, inherits SIGINT ignored)."""
    return subprocess.Popen(
        [COMMAND, *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "CI": "1"},
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


@pytest.fixture(scope="module")
def big_file(tmp_path_factory) -> tuple[Path, float]:
    """60,000 simulated campaigns, long enough (a few seconds) to interrupt at every stage, and how long their
    analysis takes."""
    folder = tmp_path_factory.mktemp("big")
    path = folder / "campaigns.csv"
    # the file is made in-process (the command's process is what the tests interrupt, not this one), which also
    # leaves the libraries read from disk, so the one timed run below is a warm one as the interrupted runs are
    code, _, err = run(["simulate", "--n", "60000", "--seed", "3", "--out", str(path)])
    assert code == 0, err
    began = time.perf_counter()
    child = start(["analyze", str(path), "--out", str(folder / "timing")])
    child.communicate(timeout=300)
    assert child.returncode == 0
    return path, time.perf_counter() - began


def test_ctrl_c_while_the_command_is_imported_is_one_line_and_130(monkeypatch, capsys):
    """The moment the timed tests hit only by chance (found on a busy machine): Ctrl-C while the command and its
    libraries are imported, before cli.main can handle it. The console script's entry point catches it."""

    during = {}

    class Interrupting(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            if name == "influencer_roi.cli":
                during.update({s: signal.getsignal(s) for s in entry.STOPPING})
                raise KeyboardInterrupt
            return None

    before = {s: signal.getsignal(s) for s in entry.STOPPING}
    monkeypatch.delitem(sys.modules, "influencer_roi.cli")
    monkeypatch.setattr(sys, "meta_path", [Interrupting(), *sys.meta_path])
    assert entry.main() == 130
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "interrupted" in err and "Traceback" not in err
    # SIGTERM and SIGHUP were guarded during the import (unless ignored on purpose, as nohup or a background job
    # leaves SIGHUP: then left ignored), and handed back after it
    assert during == {
        s: signal.SIG_IGN if before[s] is signal.SIG_IGN else entry._stopped_while_starting for s in entry.STOPPING
    }
    assert {s: signal.getsignal(s) for s in entry.STOPPING} == before


@pytest.mark.parametrize("name", ["SIGTERM", "SIGHUP"])
def test_sigterm_or_sighup_while_the_command_is_imported_is_one_line(name):
    """What the entry point's guard does when SIGTERM or SIGHUP arrives while cli is imported (found by a hostile
    test: in the first tenth of a second they ended the run without a word)."""
    script = (
        "import os, signal; from influencer_roi import entry; "
        "[signal.signal(s, entry._stopped_while_starting) for s in entry.STOPPING]; "
        f"os.kill(os.getpid(), signal.{name}); import time; time.sleep(5)"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 128 + getattr(signal, name)
    assert done.stderr == f"influencer-roi: stopped by {name} while starting; nothing was written\n"


@pytest.mark.parametrize("share", [0.02, 0.2, 0.4, 0.6, 0.8, 0.95])
def test_ctrl_c_at_any_moment_prints_one_line_and_exits_130(tmp_path, big_file, share):
    """From the first moments (importing the libraries) to the last (writing the report)."""
    path, duration = big_file
    out = tmp_path / "out"
    before = path.read_bytes()
    child = start(["analyze", str(path), "--out", str(out)])
    time.sleep(max(0.15, share * duration))
    child.send_signal(signal.SIGINT)
    stdout, stderr = child.communicate(timeout=120)
    if child.returncode == 0:
        # It finished first: the moment is a share of a timed earlier run, and on a busy machine a run's time
        # varies by more than the gaps between shares. A finished run has written everything.
        assert json.loads((out / "results.json").read_text())["n_campaigns"] > 0
        assert leftovers(tmp_path) == []
        return
    assert child.returncode == 130, stderr  # never killed by the signal (-2) with nothing said
    assert "Traceback" not in stderr and stderr.strip().count("\n") == 0, stderr
    assert "interrupted" in stderr
    if "written in full" in stderr:
        assert (out / "results.json").is_file()
    else:
        assert not out.exists(), sorted(p.name for p in out.iterdir())
    assert leftovers(tmp_path) == [] and path.read_bytes() == before


def test_ctrl_c_while_the_outputs_are_renamed_into_place_finishes_them(tmp_path, monkeypatch):
    """An interrupt during the renames is held until they are done: all outputs, then exit 130 saying so."""
    real_replace = os.replace

    def replace_then_interrupt(source, target):
        real_replace(source, target)
        os.kill(os.getpid(), signal.SIGINT)  # delivered while publish() defers Ctrl-C

    monkeypatch.setattr(paths.os, "replace", replace_then_interrupt)
    # Ctrl-C as a terminal delivers it: a test runner started in the background inherits SIGINT ignored
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    with scratch() as folder, contextlib.ExitStack() as restore:
        restore.callback(signal.signal, signal.SIGINT, previous)
        code, _, err = run(["audit", "--out", "audit.csv"])
        assert code == 130 and "the outputs had already been written in full" in err
        assert (folder / "audit.csv").is_file() and leftovers(folder) == []


@pytest.mark.parametrize("name, share", [("SIGTERM", 0.3), ("SIGTERM", 0.6), ("SIGTERM", 0.9), ("SIGHUP", 0.5)])
def test_sigterm_and_sighup_stop_a_run_as_ctrl_c_does(tmp_path, big_file, name, share):
    """A CI time-out or `kill` (SIGTERM), a closed terminal (SIGHUP): one line, exit 128 + the signal's number,
    nothing half-written, nothing staged left behind. (Sent once the command runs: before Python has started it,
    the signal's default action ends the process, as for any program.)"""
    path, duration = big_file
    out = tmp_path / "out"
    child = start(["analyze", str(path), "--out", str(out)])
    time.sleep(max(0.6, share * duration))
    signum = getattr(signal, name)
    child.send_signal(signum)
    stdout, stderr = child.communicate(timeout=120)
    if child.returncode == 0:  # it finished first (see the Ctrl-C test above)
        assert (out / "results.json").is_file() and leftovers(tmp_path) == []
        return
    assert child.returncode == 128 + signum, stderr
    assert "Traceback" not in stderr and stderr.strip().count("\n") == 0, stderr
    assert f"stopped by {name}" in stderr
    if "written in full" in stderr:
        assert (out / "results.json").is_file()
    else:
        assert not out.exists(), sorted(p.name for p in out.iterdir())
    assert leftovers(tmp_path) == []


def test_an_interrupt_after_the_outputs_are_published_says_they_were(monkeypatch):
    real_publish = paths.publish

    def publish_then_interrupt(*args, **kwargs):
        real_publish(*args, **kwargs)
        raise KeyboardInterrupt  # Ctrl-C between publish() and the end of the run

    monkeypatch.setattr(paths, "publish", publish_then_interrupt)
    with scratch() as folder:
        code, _, err = run(["audit", "--out", "audit.csv"])
        assert code == 130 and "the outputs had already been written in full" in err, err
        assert (folder / "audit.csv").is_file()


def test_a_killed_runs_staged_files_are_removed_by_the_next_run():
    """SIGKILL cannot be caught: what it leaves staged for an output, the next run writing that output removes;
    a file of the user's that merely looks alike is left alone."""
    with scratch() as folder:
        stale = folder / f".audit.csv.0123abcd{paths.PARTIAL}"
        alike = folder / f".audit.csv.mine{paths.PARTIAL}"
        other = folder / f".report.html.0123abcd{paths.PARTIAL}"  # staged for an output this run does not write
        for path in (stale, alike, other):
            path.write_text("half", encoding="utf-8")
        code, _, err = run(["audit", "--out", "audit.csv"])
        assert code == 0, err
        assert not stale.exists() and alike.is_file() and other.is_file()


# ---- The filesystem says no


def fail_writes(monkeypatch, number: int) -> None:
    """Make the first write of a staged file fail as the operating system would."""

    def refuse(self, data):
        raise OSError(number, os.strerror(number), "out/report.html")

    monkeypatch.setattr(paths._Checked, "write", refuse)


@pytest.mark.parametrize(
    "number, said",
    [
        (errno.ENOSPC, "the disk is full"),
        (errno.EROFS, "read-only filesystem"),
        (errno.EACCES, "permission denied"),
        (errno.EDQUOT, "quota"),
    ],
)
def test_a_full_disk_or_a_read_only_folder_is_one_message_and_nothing_half_written(monkeypatch, number, said):
    fail_writes(monkeypatch, number)
    with scratch() as folder:
        (folder / "c.csv").write_bytes(SAMPLE.read_bytes())
        code, _, err = run(["analyze", "c.csv", "--out", "out"])
        assert code == 2 and said in err and "nothing was written" in err, err
        assert not (folder / "out").exists() and leftovers(folder) == []


def test_a_failed_rename_undoes_the_outputs_already_in_place(monkeypatch):
    real_replace = os.replace
    calls = []

    def second_fails(source, target):
        calls.append(target)
        if len(calls) == 2:
            raise OSError(errno.EIO, "Input/output error", str(target))
        real_replace(source, target)

    monkeypatch.setattr(paths.os, "replace", second_fails)
    with scratch() as folder:
        code, _, err = run(["simulate", "--n", "30", "--out", "sim.csv", "--params-out", "params.json"])
        assert code == 2 and "input/output error" in err
        assert sorted(p.name for p in folder.iterdir()) == []


def test_an_output_on_another_filesystem(tmp_path):
    shm = Path("/dev/shm")
    if not shm.is_dir() or shm.stat().st_dev == tmp_path.stat().st_dev:
        pytest.skip("no second filesystem to write to")
    with tempfile.TemporaryDirectory(dir=shm) as other:
        out = Path(other) / "report"
        code, _, err = run(["analyze", str(SAMPLE), "--out", str(out)])  # the renames, not the process, are tested
        assert code == 0, err
        assert {p.name for p in out.iterdir()} == set(cli.ANALYZE_FILES) | {paths.MANIFEST}
        assert leftovers(Path(other)) == []


def test_written_files_respect_the_umask(tmp_path):
    """A folder and its files (analyze), a file on its own (simulate): one process under umask 027 runs both, each
    to exit status 0, so the process starts and the synthesis of the evidence is paid once."""
    out, sample = tmp_path / "out", tmp_path / "s.csv"
    script = (
        "import os, sys; os.umask(0o027); from influencer_roi.cli import main; "
        "sys.exit(main(sys.argv[1:5]) or main(sys.argv[5:]))"
    )
    subprocess.run(
        [sys.executable, "-c", script, "analyze", str(SAMPLE), "--out", str(out)]
        + ["simulate", "--n", "5", "--out", str(sample)],
        check=True,
        capture_output=True,
        env={**os.environ, "CI": "1"},
    )
    assert stat.S_IMODE(out.stat().st_mode) == 0o750
    assert {stat.S_IMODE(p.stat().st_mode) for p in out.iterdir()} == {0o640}
    assert stat.S_IMODE(sample.stat().st_mode) == 0o640


# ---- What is a file, and what may be written


def test_a_folder_or_a_fifo_given_as_the_file_is_named_as_such():
    with scratch() as folder:
        (folder / "exports").mkdir()
        code, _, err = run(["analyze", "exports", "--out", "out"])
        assert code == 2 and "is a folder, not a file" in err and "no such file" not in err
        os.mkfifo(folder / "pipe.csv")
        code, _, err = run(["analyze", "pipe.csv", "--out", "out"])  # must not block reading the pipe
        assert code == 2 and "is a named pipe (FIFO), not a regular file" in err
        (folder / "gone.csv").symlink_to(folder / "missing.csv")
        code, _, err = run(["analyze", "gone.csv", "--out", "out"])
        assert code == 2 and "a symbolic link to a file that does not exist" in err


def test_the_list_of_columns_is_the_whole_header():
    with scratch() as folder:
        (folder / "c.csv").write_text("handle,followers,spend,sales,notes,date\nA,1000,5,6,x,2024-01-01\n")
        code, _, err = run(["analyze", "c.csv", "--out", "out"])
        assert code == 2
        assert "the file's columns are 'handle', 'followers', 'spend', 'sales', 'notes', 'date'" in err


@pytest.mark.parametrize(
    "argv, said",
    [
        (["analyze", "out/results.json", "--out", "out"], "is an input of this run"),
        (["audit", "--evidence", "evidence", "--out", "evidence/claims.csv"], "is an input of this run"),
        (["simulate", "--n", "5", "--out", "same.csv", "--params-out", "same.csv"], "the same file as --out"),
        (["simulate", "--n", "5", "--out", "sim.csv", "--params-out", "gone/params.json"], "the folder gone does not"),
        (["simulate", "--n", "5", "--out", "mine.csv"], "exists and was not written by influencer-roi"),
        (["analyze", "c.csv", "--out", "theirs"], "exists and was not written by influencer-roi"),
        (["analyze", "c.csv", "--out", "link"], "is a symbolic link to a missing folder"),
        (["audit", "--out", "dangling.csv"], "is a symbolic link; influencer-roi does not write through links"),
        (["analyze", "c.csv", "--out", ""], "an empty path"),
    ],
)
def test_never_touch_what_the_tool_did_not_write(argv, said):
    with scratch() as folder:
        (folder / "c.csv").write_bytes(SAMPLE.read_bytes())
        (folder / "out").mkdir()
        (folder / "out" / "results.json").write_bytes(SAMPLE.read_bytes())  # an input where an output would go
        subprocess_free_copy(paths.evidence_dir(), folder / "evidence")
        (folder / "mine.csv").write_text("my own campaigns\n")
        (folder / "theirs").mkdir()
        (folder / "theirs" / "report.html").write_text("<p>my own report</p>")
        (folder / "link").symlink_to(folder / "nowhere")
        (folder / "dangling.csv").symlink_to(folder / "nowhere.csv")
        before = snapshot(folder)
        code, _, err = run(argv)
        assert code == 2 and said in err, err
        assert snapshot(folder) == before and leftovers(folder) == []


def test_a_folder_with_the_users_files_gets_only_the_tools_names_and_a_rerun_replaces_only_its_own():
    with scratch() as folder:
        (folder / "c.csv").write_bytes(SAMPLE.read_bytes())
        (folder / "out").mkdir()
        (folder / "out" / "notes.txt").write_text("mine")
        assert run(["analyze", "c.csv", "--out", "out"])[0] == 0
        assert run(["analyze", "c.csv", "--out", "out"])[0] == 0  # its own files, unchanged: replaced
        assert (folder / "out" / "notes.txt").read_text() == "mine"
        (folder / "out" / "report.html").write_text("edited by hand")
        code, _, err = run(["analyze", "c.csv", "--out", "out"])
        assert code == 2 and "has been changed since" in err
        assert (folder / "out" / "report.html").read_text() == "edited by hand"


def subprocess_free_copy(source: Path, target: Path) -> None:
    import shutil

    shutil.copytree(source, target)


def snapshot(folder: Path) -> dict:
    return {
        str(p.relative_to(folder)): (
            p.read_bytes() if p.is_file() and not p.is_symlink() else os.readlink(p) if p.is_symlink() else None
        )
        for p in sorted(folder.rglob("*"))
    }


# ---- Exit statuses and messages of the real command


def test_a_closed_pipe_is_not_a_traceback():
    result = subprocess.run(f"'{COMMAND}' audit | head -n 1", shell=True, capture_output=True, text=True, timeout=120)
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr


def test_a_bad_option_is_one_line_with_exit_2():
    result = subprocess.run([COMMAND, "allocate", "--budget", "inf"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert result.stderr.startswith("influencer-roi allocate: argument --budget: 'inf' is not a finite number")


def test_a_fault_of_the_tool_is_one_line_exit_1_asking_for_a_report(monkeypatch):
    def broken(args):
        raise RuntimeError("something the tool did wrong")

    monkeypatch.setattr(cli, "_audit", broken)
    code, _, err = run(["audit"])
    assert code == 1 and err.count("\n") == 1 and "please report it" in err and "Traceback" not in err


@pytest.mark.parametrize(
    "argv, said",
    [
        (["simulate", "--n", str(cli.MAX_CAMPAIGNS + 1), "--out", "x.csv"], "at most 10,000,000"),
        (
            ["simulate", "--posts", "--n", str(cli.MAX_POST_ACCOUNTS + 1), "--out", "x.csv"],
            "at most 2,000,000 accounts",
        ),
        (["allocate", "--budget", "1000", "--draws", str(cli.MAX_DRAWS + 1)], "at most 200,000"),
        (["allocate", "--budget", "1e13"], "at most 1,000,000,000,000"),
        (["allocate", "--budget", "1000", "--breakeven", "nan"], "'nan' is not a finite number"),
        (["allocate", "--budget", "1000", "--management-cost", "-5"], "-5 must be at least 0"),
        (["analyze", "c.csv", "--out", "o", "--max-drop-share", "1.5"], "1.5 must be at least 0 and at most 1"),
    ],
)
def test_options_beyond_their_maximum_or_not_finite_are_refused_before_any_work(argv, said):
    with scratch() as folder:
        code, _, err = run(argv)
        assert code == 2 and said in err and err.count("\n") == 1, err
        assert list(folder.iterdir()) == []
