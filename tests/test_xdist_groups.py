"""`make site-check` runs the browser checks with --dist loadgroup: the checks marked with one xdist_group run on one
worker, so a page is visited, a PDF read and the command's reports made once, in that worker's session fixtures.
pytest-xdist 3.8 groups by suffixing node ids, which pytest 9.2 no longer lets it do (pytest-dev/pytest-xdist#1386):
the checks then still pass, each worker making the fixtures again, about a minute more of CPU. This fails when a
change of the lock brings that back (requirements.in pins pytest below 9.2 for it)."""

import os
import subprocess
import sys
import textwrap

GROUPED = """
import os
import pytest

@pytest.mark.xdist_group("{group}")
@pytest.mark.parametrize("i", range(4))
def test_where(i):
    with open("ran.txt", "a") as out:
        out.write("{group} " + os.environ["PYTEST_XDIST_WORKER"] + "\\n")
"""


def test_loadgroup_runs_a_group_on_one_worker(tmp_path):
    for group in ("first", "second"):
        (tmp_path / f"test_{group}.py").write_text(textwrap.dedent(GROUPED.format(group=group)), encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "xdist",
            "-n",
            "2",
            "--dist",
            "loadgroup",
        ],
        cwd=tmp_path,
        env={**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},  # xdist alone: the others take seconds to load
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    ran = [line.split() for line in (tmp_path / "ran.txt").read_text(encoding="utf-8").splitlines()]
    assert len(ran) == 8
    workers = {group: {worker for g, worker in ran if g == group} for group in ("first", "second")}
    assert all(len(w) == 1 for w in workers.values()), f"a group ran on more than one worker: {workers}"
