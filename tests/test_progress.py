"""The progress line on a real terminal (a pseudo-terminal, the pty module) and its absence elsewhere.

The child runs the command's own display (progress.steps, its default delay shortened) with one long step: the line
must appear during that step, before the next one starts, and whatever size the terminal reports (0 x 0 included,
which made tqdm draw nothing)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pty = pytest.importorskip("pty")

CHILD = """
import sys, time
from influencer_roi import progress
with progress.steps(2, delay=0.2) as step:
    step("first step, a long one")
    time.sleep(1.5)
    print("\\nMARK", flush=True)
    step("second step")
"""


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    return env


def _run_on_a_terminal(rows: int, columns: int) -> bytes:
    import fcntl
    import struct
    import termios

    pid, fd = pty.fork()
    if pid == 0:  # the child: its stdin, stdout and stderr are the terminal
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        os.execve(sys.executable, [sys.executable, "-c", CHILD], _env())
    out = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, out
    return out


@pytest.mark.parametrize(("rows", "columns"), [(24, 80), (0, 0)])
def test_the_progress_line_is_drawn_on_a_terminal_during_a_long_step(rows, columns):
    out = _run_on_a_terminal(rows, columns)
    before, _, after = out.partition(b"MARK")
    assert b"first step, a long one [1/2" in before, out  # drawn by the timer, before the step ended
    assert b"second step" not in before


def test_no_progress_line_when_stderr_is_not_a_terminal():
    result = subprocess.run(
        [sys.executable, "-c", CHILD], env=_env(), capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stderr == ""
    assert "MARK" in result.stdout
