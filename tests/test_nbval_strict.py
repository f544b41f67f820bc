"""Strict nbval, with the project's sanitize file and plugin, catches a changed number, a changed figure and an
exception, and does not fail on a figure's bytes alone.

Each case copies a committed chapter and breaks it one way; one nbval session runs every copy as `make nbval` does
(tests/nbval_plugin.py, under the narrowed kernels where they apply), and each test reads its copy's outcome from
that session's JUnit report. The untouched copy must pass, or the broken ones would prove nothing.
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


def edit_outputs(path: Path, old: str, new: str) -> None:
    """Replace `old` by `new` in the committed outputs only (never in the code)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    hits = 0
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            for mime, value in out.get("data", {}).items():
                text = "".join(value) if isinstance(value, list) else value
                if isinstance(text, str) and old in text:
                    out["data"][mime] = text.replace(old, new)
                    hits += 1
    assert hits, f"test setup: {old!r} is not in the outputs"
    path.write_text(json.dumps(nb, indent=1), encoding="utf-8")


def break_a_cell(path: Path) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    code[2]["source"] = "raise RuntimeError('deliberately broken')\n" + "".join(code[2]["source"])
    path.write_text(json.dumps(nb, indent=1), encoding="utf-8")


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


def figure_cell(path: Path) -> dict:
    """The chapter's code cell that draws the tier-scheme chart (its one figure)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = [c for c in nb["cells"] if any(DIGEST_MIME in o.get("data", {}) for o in c.get("outputs", []))]
    assert len(cells) == 1 and "plots.scheme_chart(definitions, labels)" in "".join(cells[0]["source"])
    return nb


def change_the_figure_data(path: Path) -> None:
    """The same chart drawn from data with every upper boundary 5% higher: no text output changes, only the figure."""
    nb = figure_cell(path)
    for cell in nb["cells"]:
        source = "".join(cell["source"])
        if "plots.scheme_chart(definitions, labels)" in source:
            cell["source"] = source.replace(
                "plots.scheme_chart(definitions, labels)",
                'plots.scheme_chart(definitions.assign(max_followers=definitions["max_followers"] * 1.05), labels)',
            )
    path.write_text(json.dumps(nb, indent=1), encoding="utf-8")


def change_the_figure_bytes(path: Path) -> None:
    """What another CPU does to a figure: a coordinate's last digit and the clip-path ids hashed from it."""
    nb = figure_cell(path)
    changed = 0
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            if "image/svg+xml" in out.get("data", {}):
                svg = "".join(out["data"]["image/svg+xml"])
                bumped = re.sub(r"(\d+\.\d{5})(\d)", lambda m: m[1] + str((int(m[2]) + 1) % 10), svg, count=3)
                bumped = re.sub(r'clip-path="url\(#p[0-9a-f]+\)"', 'clip-path="url(#p0123456789)"', bumped)
                assert bumped != svg, "test setup: nothing to change in the SVG"
                out["data"]["image/svg+xml"] = bumped
                changed += 1
    assert changed == 1
    path.write_text(json.dumps(nb, indent=1), encoding="utf-8")


def bump_a_glued_number(path: Path) -> None:
    """The count of schemes in the opening summary, one higher."""
    old = _glued("n_schemes")
    edit_outputs(path, old, _bumped(old))


def bump_a_table_number(path: Path) -> None:
    old = _table_cell()
    edit_outputs(path, old, _bumped(old))


# Each copy of the chapter, and what is done to it. One nbval session runs them all: a session per copy cost a
# pytest start, a kernel and the chapter's execution each, and these seven were the slowest unit tests.
VARIANTS: dict[str, Callable[[Path], None] | None] = {
    "untouched": None,
    "glued_number": bump_a_glued_number,
    "table_number": bump_a_table_number,
    "exception": break_a_cell,
    "figure_data": change_the_figure_data,
    "figure_bytes": change_the_figure_bytes,
}


@dataclass
class Outcome:
    failed: bool
    text: str  # the failures' messages and details


@pytest.fixture(scope="module")
def nbval_session(tmp_path_factory) -> tuple[subprocess.CompletedProcess, dict[str, Outcome]]:
    folder = tmp_path_factory.mktemp("nbval")
    for name, change in VARIANTS.items():
        copy = Path(shutil.copy(CHAPTER, folder / f"{name}.ipynb"))
        if change:
            change(copy)
    report = folder / "junit.xml"
    options = ["--narrow-kernels"] if narrowing_applies() else []
    result = run_nbval(folder, *options, "-o", "junit_family=xunit1", f"--junitxml={report}")
    outcomes: dict[str, Outcome] = {}
    for case in ElementTree.parse(report).getroot().iter("testcase"):
        name = Path(case.get("file") or "").stem
        outcomes.setdefault(name, Outcome(False, ""))
        for problem in list(case.findall("failure")) + list(case.findall("error")):
            outcomes[name].failed = True
            outcomes[name].text += (problem.get("message") or "") + "\n" + (problem.text or "")
    return result, outcomes


def test_untouched_chapter_passes(nbval_session):
    result, outcomes = nbval_session
    assert not outcomes["untouched"].failed, outcomes["untouched"].text[-3000:]


@pytest.mark.skipif(not narrowing_applies(), reason="the narrowed kernels are x86-64's")
def test_the_session_ran_under_narrowed_kernels_checked_in_each_kernel(nbval_session):
    result, _ = nbval_session
    assert f"OpenBLAS {NARROW_BLAS}; checked inside {len(VARIANTS)} notebook kernels" in result.stdout


@pytest.mark.parametrize("which", ["glued_number", "table_number"])
def test_a_changed_number_fails(nbval_session, which):
    _, outcomes = nbval_session
    assert outcomes[which].failed, f"nbval passed a copy with its {which.replace('_', ' ')} changed"


def test_an_exception_fails(nbval_session):
    _, outcomes = nbval_session
    assert outcomes["exception"].failed
    assert "deliberately broken" in outcomes["exception"].text


def test_a_changed_figure_fails(nbval_session):
    _, outcomes = nbval_session
    assert outcomes["figure_data"].failed
    assert DIGEST_MIME in outcomes["figure_data"].text


def test_figure_bytes_alone_do_not_fail(nbval_session):
    _, outcomes = nbval_session
    assert not outcomes["figure_bytes"].failed, outcomes["figure_bytes"].text[-3000:]


def test_the_session_saw_every_copy(nbval_session):
    """A copy nbval did not collect would pass the 'does not fail' tests above without having run."""
    result, outcomes = nbval_session
    assert set(outcomes) == set(VARIANTS), result.stdout[-3000:]
