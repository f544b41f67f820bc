"""Strict nbval, with the project's sanitize file, catches a changed number and an exception.

Each case copies a committed chapter, breaks it one way, and runs nbval on the copy exactly as `make nbval`
does. The untouched copy must pass, or the broken ones would prove nothing.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = ROOT / "chapters" / "tier_definitions.ipynb"
SANITIZE = ROOT / "tests" / "nbval_sanitize.cfg"

pytestmark = pytest.mark.slow


def run_nbval(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--nbval", "--nbval-current-env",
         "--nbval-sanitize-with", str(SANITIZE), str(path)],
        cwd=path.parent, capture_output=True, text=True, timeout=600,
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


@pytest.mark.parametrize("old, new", [
    ("'11'", "'12'"),  # a glued number: the count of schemes in the opening summary
    # a table cell (the schemes stating 10,000 as a boundary, in the HTML that influencer_roi.tables writes)
    ('<td class="book-number">10,000</td><td class="book-number">9</td>',
     '<td class="book-number">10,000</td><td class="book-number">8</td>'),
], ids=["glued-number", "table-number"])
def test_a_changed_number_fails(chapter_copy, old, new):
    edit_outputs(chapter_copy, old, new)
    result = run_nbval(chapter_copy)
    assert result.returncode != 0
    assert "failed" in result.stdout


def test_an_exception_fails(chapter_copy):
    break_a_cell(chapter_copy)
    result = run_nbval(chapter_copy)
    assert result.returncode != 0
    assert "deliberately broken" in result.stdout
