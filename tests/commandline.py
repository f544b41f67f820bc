"""Running `influencer-roi` in-process for tests: cli.main(argv) with its output captured, in a scratch folder.

A refusal costs milliseconds this way instead of the second or two a new Python process needs to import the
libraries; the subprocess tests (test_faults.py, test_cli.py) keep real exit codes, signals and file modes honest.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from influencer_roi import cli


def run(argv: list[str]) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of `influencer-roi ARGV`, run in this process."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(argv)
    return code, out.getvalue(), err.getvalue()


@contextlib.contextmanager
def scratch() -> Iterator[Path]:
    """A fresh folder, made the current one (the command's paths stay relative, as a user types them)."""
    here = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="influencer-roi-test-") as folder:
        os.chdir(folder)
        try:
            yield Path(folder)
        finally:
            os.chdir(here)
