"""Strict nbval, with the project's sanitize file and plugin, catches a changed number, a changed figure and an
exception, and does not fail on a figure's bytes alone.

Each case changes a committed chapter one way, in one cell; one nbval session runs the copies as `make nbval` does
(tests/nbval_plugin.py, under the narrowed kernels where they apply), and each test reads its cell's outcome from
that session's JUnit report (nbval reports each code cell as a test of its own). Changes to the outputs or to what a
figure draws leave the kernel's state as it was, so three of them share one copy, each in its own cell; the changed
figure bytes get a copy of their own, which must pass whole: nbval never compares those bytes, so the copy is the
untouched chapter as nbval sees it, and every cell must pass there, or the failing ones would prove nothing. The
exception has a copy of its own too: the cells after it may fail for want of what it did not define.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from nbval_plugin import NARROW_BLAS, REPORT, narrowing_applies, narrowing_problems

from influencer_roi.plots.digest import DIGEST_MIME

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = ROOT / "chapters" / "tier_definitions.ipynb"
SANITIZE = ROOT / "tests" / "nbval_sanitize.cfg"

pytestmark = pytest.mark.slow


def run_nbval(path: Path, *options: str) -> subprocess.CompletedProcess:
    """nbval as `make nbval` runs it, on a notebook or on every notebook in a folder."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-p",
            "nbval_plugin",
            *options,
            "--nbval",
            "--nbval-current-env",
            "--nbval-sanitize-with",
            str(SANITIZE),
            str(path),
        ],
        cwd=path if path.is_dir() else path.parent,
        env={**os.environ, "PYTHONPATH": str(ROOT / "tests")},
        capture_output=True,
        text=True,
        timeout=600,
    )


def code_cells(nb: dict) -> list[dict]:
    """The notebook's code cells, in order: nbval's Cell 0, Cell 1, ..."""
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def edit_outputs(path: Path, old: str, new: str) -> set[int]:
    """Replace `old` by `new` in the committed outputs only (never in the code); the code cells changed."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    changed = set()
    for number, cell in enumerate(code_cells(nb)):
        for out in cell.get("outputs", []):
            for mime, value in out.get("data", {}).items():
                text = "".join(value) if isinstance(value, list) else value
                if isinstance(text, str) and old in text:
                    out["data"][mime] = text.replace(old, new)
                    changed.add(number)
    assert changed, f"test setup: {old!r} is not in the outputs"
    path.write_text(json.dumps(nb, indent=1), encoding="utf-8")
    return changed


def break_a_cell(path: Path) -> set[int]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = code_cells(nb)
    code[2]["source"] = "raise RuntimeError('deliberately broken')\n" + "".join(code[2]["source"])
    path.write_text(json.dumps(nb, indent=1), encoding="utf-8")
    return {2}


def kernel_report(env: dict) -> dict:
    """What a Python of this environment reports of its kernels: the code the plugin runs inside each kernel."""
    done = subprocess.run([sys.executable, "-c", REPORT], env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


@pytest.mark.skipif(not narrowing_applies(), reason="the narrowed kernels are x86-64's")
def test_the_kernel_check_tells_narrowed_from_default_kernels():
    default = {k: v for k, v in os.environ.items() if k not in ("NPY_DISABLE_CPU_FEATURES", "OPENBLAS_CORETYPE")}
    narrowed = {**default, "NPY_DISABLE_CPU_FEATURES": "X86_V3 X86_V4 AVX512_ICL AVX512_SPR"}
    narrowed["OPENBLAS_CORETYPE"] = NARROW_BLAS
    assert narrowing_problems(kernel_report(narrowed)) == []
    report = kernel_report(default)
    if not report["numpy"].get("AVX2") and all(str(c).lower() == "sandybridge" for c in report["blas"].values()):
        pytest.skip("this CPU runs the narrowed kernels by default: nothing to tell apart")
    assert narrowing_problems(report), report


def test_the_kernel_check_names_what_did_not_take_effect():
    report = {"numpy": {"X86_V3": True, "AVX2": True}, "blas": {"libscipy_openblas.so": "Zen"}}
    assert narrowing_problems(report) == [
        "numpy's X86_V3 is enabled",
        f"libscipy_openblas.so runs the Zen kernel, not {NARROW_BLAS}",
    ]
    assert narrowing_problems({"numpy": {"X86_V3": False}, "blas": {}}) == ["no OpenBLAS is loaded"]


def _glued(key: str) -> str:
    """The committed text of a glued value of the chapter (as the output stores it, quoted)."""
    nb = json.loads(CHAPTER.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            if out.get("metadata", {}).get("scrapbook", {}).get("name") == key:
                return "".join(out["data"]["application/papermill.record/text/plain"])
    raise AssertionError(f"test setup: no glued {key!r} in {CHAPTER.name}")


def _table_cell() -> str:
    """The count of schemes stating 10,000 as a boundary, as the table's HTML (influencer_roi.tables) writes it."""
    nb = json.loads(CHAPTER.read_text(encoding="utf-8"))
    html = "".join(
        "".join(out.get("data", {}).get("text/html", "")) for cell in nb["cells"] for out in cell.get("outputs", [])
    )
    match = re.search(r'<td class="book-number">10,000</td><td class="book-number">(\d+)</td>', html)
    assert match, "test setup: the boundary table is not in the outputs"
    return match.group(0)


def _bumped(text: str) -> str:
    """The same text with its last number one higher."""
    number = re.findall(r"\d+", text)[-1]
    head, _, tail = text.rpartition(number)
    return f"{head}{int(number) + 1}{tail}"


def figure_cell(path: Path) -> tuple[dict, int]:
    """The notebook, and the number of its code cell that draws the tier-scheme chart (its one figure)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    numbers = [
        n for n, c in enumerate(code_cells(nb)) if any(DIGEST_MIME in o.get("data", {}) for o in c.get("outputs", []))
    ]
    assert len(numbers) == 1
    assert "plots.scheme_chart(definitions, labels)" in "".join(code_cells(nb)[numbers[0]]["source"])
    return nb, numbers[0]


def change_the_figure_data(path: Path) -> set[int]:
    """The same chart drawn from data with every upper boundary 5% higher: no text output changes, only the figure.
    (A new table is drawn; `definitions` itself, which later cells read, is left as it was.)"""
    nb, number = figure_cell(path)
    cell = code_cells(nb)[number]
    cell["source"] = "".join(cell["source"]).replace(
        "plots.scheme_chart(definitions, labels)",
        'plots.scheme_chart(definitions.assign(max_followers=definitions["max_followers"] * 1.05), labels)',
    )
    path.write_text(json.dumps(nb, indent=1), encoding="utf-8")
    return {number}


def change_the_figure_bytes(path: Path) -> set[int]:
    """What another CPU does to a figure: a coordinate's last digit and the clip-path ids hashed from it."""
    nb, number = figure_cell(path)
    changed = 0
    for out in code_cells(nb)[number].get("outputs", []):
        if "image/svg+xml" in out.get("data", {}):
            svg = "".join(out["data"]["image/svg+xml"])
            bumped = re.sub(r"(\d+\.\d{5})(\d)", lambda m: m[1] + str((int(m[2]) + 1) % 10), svg, count=3)
            bumped = re.sub(r'clip-path="url\(#p[0-9a-f]+\)"', 'clip-path="url(#p0123456789)"', bumped)
            assert bumped != svg, "test setup: nothing to change in the SVG"
            out["data"]["image/svg+xml"] = bumped
            changed += 1
    assert changed == 1
    path.write_text(json.dumps(nb, indent=1), encoding="utf-8")
    return {number}


def bump_a_glued_number(path: Path) -> set[int]:
    """The count of schemes in the opening summary, one higher."""
    old = _glued("n_schemes")
    return edit_outputs(path, old, _bumped(old))


def bump_a_table_number(path: Path) -> set[int]:
    old = _table_cell()
    return edit_outputs(path, old, _bumped(old))


# Each change, and the copy of the chapter it is made in. One nbval session runs every copy: a session per change
# cost a pytest start, a kernel and the chapter's execution each. Changes that share a copy must touch different
# cells (checked when the copies are made).
CHANGES: dict[str, tuple[str, Callable[[Path], set[int]]]] = {
    "glued_number": ("changed", bump_a_glued_number),
    "table_number": ("changed", bump_a_table_number),
    "figure_data": ("changed", change_the_figure_data),
    "figure_bytes": ("figure_bytes", change_the_figure_bytes),
    "exception": ("exception", break_a_cell),
}
COPIES = sorted({copy for copy, _ in CHANGES.values()})


@dataclass
class Outcome:
    failed: bool
    text: str  # the failures' messages and details


@dataclass
class Session:
    result: subprocess.CompletedProcess
    cells: dict[tuple[str, int], Outcome]  # (copy, code cell number) -> its outcome
    touched: dict[str, set[int]]  # change -> the code cells it changed

    def outcome(self, change: str) -> Outcome:
        """The change's cells, together: failed if any failed."""
        copy = CHANGES[change][0]
        found = [self.cells[copy, n] for n in sorted(self.touched[change]) if (copy, n) in self.cells]
        assert found, f"nbval reported no outcome for the cells {change} changed: {self.result.stdout[-3000:]}"
        return Outcome(any(o.failed for o in found), "".join(o.text for o in found))


@pytest.fixture(scope="module")
def nbval_session(tmp_path_factory) -> Session:
    folder = tmp_path_factory.mktemp("nbval")
    touched: dict[str, set[int]] = {}
    for copy in COPIES:
        shutil.copy(CHAPTER, folder / f"{copy}.ipynb")
    for change, (copy, make) in CHANGES.items():
        touched[change] = make(folder / f"{copy}.ipynb")
        others = [touched[c] for c, (same, _) in CHANGES.items() if same == copy and c != change and c in touched]
        assert not any(touched[change] & cells for cells in others), f"test setup: {change} shares a cell"
    report = folder / "junit.xml"
    options = ["--narrow-kernels"] if narrowing_applies() else []
    result = run_nbval(folder, *options, "-o", "junit_family=xunit1", f"--junitxml={report}")
    cells: dict[tuple[str, int], Outcome] = {}
    for case in ElementTree.parse(report).getroot().iter("testcase"):
        name = Path(case.get("file") or "").stem
        number = re.fullmatch(r"Cell (\d+)", case.get("name") or "")
        assert number, f"test setup: a JUnit case that is not a cell: {case.attrib}"
        outcome = cells.setdefault((name, int(number[1])), Outcome(False, ""))
        for problem in list(case.findall("failure")) + list(case.findall("error")):
            outcome.failed = True
            outcome.text += (problem.get("message") or "") + "\n" + (problem.text or "")
    return Session(result, cells, touched)


def test_the_session_saw_every_cell_of_every_copy(nbval_session):
    """A copy or cell nbval did not collect would pass the 'does not fail' tests below without having run."""
    expected = {(copy, n) for copy in COPIES for n in range(len(code_cells(json.loads(CHAPTER.read_text()))))}
    assert set(nbval_session.cells) == expected, nbval_session.result.stdout[-3000:]


def test_untouched_chapter_passes(nbval_session):
    """The copy whose only change is bytes nbval never compares (the figure's SVG) is the chapter as nbval sees it:
    every cell passes. So does every cell no change touched in the copy of several changes, whose changes leave the
    kernel's state as it was."""
    failed = {
        key: outcome.text[-3000:]
        for key, outcome in nbval_session.cells.items()
        if key[0] == "figure_bytes"
        or (
            key[0] == "changed"
            and not any(key[1] in nbval_session.touched[c] for c, (copy, _) in CHANGES.items() if copy == "changed")
        )
        if outcome.failed
    }
    assert not failed, failed


@pytest.mark.skipif(not narrowing_applies(), reason="the narrowed kernels are x86-64's")
def test_the_session_ran_under_narrowed_kernels_checked_in_each_kernel(nbval_session):
    assert f"OpenBLAS {NARROW_BLAS}; checked inside {len(COPIES)} notebook kernels" in nbval_session.result.stdout


@pytest.mark.parametrize("which", ["glued_number", "table_number"])
def test_a_changed_number_fails(nbval_session, which):
    assert nbval_session.outcome(which).failed, f"nbval passed a copy with its {which.replace('_', ' ')} changed"


def test_an_exception_fails(nbval_session):
    outcome = nbval_session.outcome("exception")
    assert outcome.failed
    assert "deliberately broken" in outcome.text


def test_a_changed_figure_fails(nbval_session):
    outcome = nbval_session.outcome("figure_data")
    assert outcome.failed
    assert DIGEST_MIME in outcome.text


def test_figure_bytes_alone_do_not_fail(nbval_session):
    outcome = nbval_session.outcome("figure_bytes")
    assert not outcome.failed, outcome.text[-3000:]
