"""The committed chapters: executed top to bottom, error-free, in the table of contents, free of machine paths.

nbval (make nbval) re-runs each chapter and compares outputs, but it silently passes a cell that was never
executed; these checks close that gap and keep the committed files clean.
"""

import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
MACHINE_PATH = re.compile(r"(/(root|home|tmp|work|Users|private)/|[A-Za-z]:\\\\|site-packages|\.venv)")
PREAMBLE = "from influencer_roi.book import setup"


def code_cells(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]


def toc_files():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [chapter["file"] for chapter in part.get("chapters", [])]
    return files


def test_there_are_chapters():
    assert CHAPTERS, "no chapter notebooks found"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_executed_top_to_bottom(path):
    counts = [c["execution_count"] for c in code_cells(path)]
    assert None not in counts, f"{path.name}: {counts.count(None)} code cell(s) never executed"
    assert counts == list(range(1, len(counts) + 1)), f"{path.name}: not run top to bottom in a fresh kernel"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_no_errors_warnings_or_machine_paths(path):
    for i, cell in enumerate(code_cells(path)):
        for out in cell["outputs"]:
            assert out["output_type"] != "error", f"{path.name}: cell {i} has an error output"
            assert out.get("name") != "stderr", f"{path.name}: cell {i} wrote to stderr: {''.join(out['text'])[:200]}"
            text = json.dumps(out)
            assert not MACHINE_PATH.search(text), f"{path.name}: cell {i} output shows a machine path"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_starts_with_the_hidden_preamble(path):
    first = code_cells(path)[0]
    assert PREAMBLE in "".join(first["source"])
    assert "remove-cell" in first.get("metadata", {}).get("tags", [])


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_every_figure_has_caption_and_alt_text(path):
    for i, cell in enumerate(code_cells(path)):
        if any("image/svg+xml" in o.get("data", {}) or "image/png" in o.get("data", {}) for o in cell["outputs"]):
            meta = cell.get("metadata", {}).get("mystnb", {})
            assert meta.get("figure", {}).get("caption"), f"{path.name}: cell {i} draws a figure with no caption"
            assert meta.get("image", {}).get("alt"), f"{path.name}: cell {i} draws a figure with no alt text"


def test_every_chapter_is_in_the_table_of_contents():
    listed = set(toc_files())
    for path in CHAPTERS:
        assert f"chapters/{path.stem}" in listed, f"{path.name} is not in _toc.yml"
    for name in listed:
        assert any((ROOT / f"{name}{ext}").exists() for ext in (".md", ".ipynb")), f"_toc.yml names missing {name}"


def test_full_statsmodels_summary_is_never_shown():
    # summary() prints the date and time, which would make a chapter unreproducible.
    for path in CHAPTERS:
        for cell in code_cells(path):
            assert not re.search(r"\.summary\(\)(?!\.tables)", "".join(cell["source"])), path.name


def test_every_chapter_and_data_file_is_offered_for_download():
    page = (ROOT / "downloads.md").read_text(encoding="utf-8")
    for path in CHAPTERS:
        assert f"<chapters/{path.name}>" in page, f"{path.name} is not on the downloads page"
    for path in sorted((ROOT / "data").rglob("*")):
        if path.is_file():
            assert f"<{path.relative_to(ROOT).as_posix()}>" in page, f"{path} is not on the downloads page"
