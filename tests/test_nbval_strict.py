"""Strict nbval, with the project's sanitize file, catches a changed number and an exception.

Each case copies a committed chapter, breaks it one way, and runs nbval on the copy exactly as `make nbval`
does. The untouched copy must pass, or the broken ones would prove nothing.
"""

import json
import re
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
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "--nbval",
            "--nbval-current-env",
            "--nbval-sanitize-with",
            str(SANITIZE),
            str(path),
        ],
        cwd=path.parent,
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
