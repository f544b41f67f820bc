"""Strict nbval, with the project's sanitize file and plugin, catches a changed number, a changed figure and an
exception, and does not fail on a figure's bytes alone.

Each case copies a committed chapter, breaks it one way, and runs nbval on the copy as `make nbval` does
(tests/nbval_plugin.py). The untouched copy must pass, under the narrowed kernels too, or the broken ones would
prove nothing.
"""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from nbval_plugin import NARROW_BLAS, REPORT, narrowing_applies, narrowing_problems

from influencer_roi.plots.digest import DIGEST_MIME

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = ROOT / "chapters" / "tier_definitions.ipynb"
SANITIZE = ROOT / "tests" / "nbval_sanitize.cfg"

pytestmark = pytest.mark.slow


def run_nbval(path: Path, *options: str) -> subprocess.CompletedProcess:
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
        cwd=path.parent,
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


@pytest.fixture
def chapter_copy(tmp_path):
    return Path(shutil.copy(CHAPTER, tmp_path / CHAPTER.name))


def test_untouched_chapter_passes(chapter_copy):
    result = run_nbval(chapter_copy)
    assert result.returncode == 0, result.stdout[-3000:]


@pytest.mark.skipif(not narrowing_applies(), reason="the narrowed kernels are x86-64's")
def test_untouched_chapter_passes_under_narrowed_kernels_checked_in_the_kernel(chapter_copy):
    result = run_nbval(chapter_copy, "--narrow-kernels")
    assert result.returncode == 0, result.stdout[-3000:]
    assert f"OpenBLAS {NARROW_BLAS}; checked inside 1 notebook kernels" in result.stdout


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


@pytest.mark.parametrize("which", ["glued-number", "table-number"])
def test_a_changed_number_fails(chapter_copy, which):
    # a glued number (the count of schemes in the opening summary), or a table cell
    old = _glued("n_schemes") if which == "glued-number" else _table_cell()
    edit_outputs(chapter_copy, old, _bumped(old))
    result = run_nbval(chapter_copy)
    assert result.returncode != 0
    assert "failed" in result.stdout


def test_an_exception_fails(chapter_copy):
    break_a_cell(chapter_copy)
    result = run_nbval(chapter_copy)
    assert result.returncode != 0
    assert "deliberately broken" in result.stdout


def figure_cell(path: Path) -> dict:
    """The chapter's code cell that draws the tier-scheme chart (its one figure)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = [c for c in nb["cells"] if any(DIGEST_MIME in o.get("data", {}) for o in c.get("outputs", []))]
    assert len(cells) == 1 and "plots.scheme_chart(definitions, labels)" in "".join(cells[0]["source"])
    return nb


def test_a_changed_figure_fails(chapter_copy):
    # the same chart drawn from data with every upper boundary 5% higher: no text output changes, only the figure
    nb = figure_cell(chapter_copy)
    for cell in nb["cells"]:
        source = "".join(cell["source"])
        if "plots.scheme_chart(definitions, labels)" in source:
            cell["source"] = source.replace(
                "plots.scheme_chart(definitions, labels)",
                'plots.scheme_chart(definitions.assign(max_followers=definitions["max_followers"] * 1.05), labels)',
            )
    chapter_copy.write_text(json.dumps(nb, indent=1), encoding="utf-8")
    result = run_nbval(chapter_copy)
    assert result.returncode != 0
    assert DIGEST_MIME in result.stdout


def test_figure_bytes_alone_do_not_fail(chapter_copy):
    # what another CPU does to a figure: a coordinate's last digit and the clip-path ids hashed from it
    nb = figure_cell(chapter_copy)
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
    chapter_copy.write_text(json.dumps(nb, indent=1), encoding="utf-8")
    result = run_nbval(chapter_copy)
    assert result.returncode == 0, result.stdout[-3000:]
