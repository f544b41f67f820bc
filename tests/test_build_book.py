"""tools/build_book.py: a change in the inputs (src/, data/, the lock) re-executes the chapters.

The jupyter-cache keys only on code cells, so without the input hash a changed data file or package function
would leave the old output on the site. The end-to-end test shows both: plain `jupyter-book build` keeps the
stale output, build_book.py does not.
"""

import importlib.util
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("build_book", ROOT / "tools" / "build_book.py")
build_book = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build_book)


def test_hash_follows_content_and_ignores_caches(tmp_path):
    (tmp_path / "src" / "__pycache__").mkdir(parents=True)
    (tmp_path / "src" / "mod.py").write_text("x = 1\n")
    first = build_book.inputs_hash(tmp_path, ["src"])
    (tmp_path / "src" / "__pycache__" / "mod.pyc").write_bytes(b"\0")
    assert build_book.inputs_hash(tmp_path, ["src"]) == first
    (tmp_path / "src" / "mod.py").write_text("x = 2\n")
    assert build_book.inputs_hash(tmp_path, ["src"]) != first


def test_render_only_config_switches_execution_off(tmp_path):
    (tmp_path / "_config.yml").write_text("title: t\nexecute:\n  execute_notebooks: cache\n")
    path = build_book.render_only_config(tmp_path, tmp_path / "_build")
    assert yaml.safe_load(path.read_text())["execute"]["execute_notebooks"] == "off"


def make_book(root: Path) -> None:
    (root / "data").mkdir()
    (root / "data" / "value.txt").write_text("alpha")
    (root / "_config.yml").write_text("title: mini\nonly_build_toc_files: true\nexecute:\n  execute_notebooks: cache\n")
    (root / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n  - file: page\n")
    (root / "intro.md").write_text("# Mini\n")
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Page"),
        nbformat.v4.new_code_cell("print('value is', open('data/value.txt').read())"),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, root / "page.ipynb")


def shown(root: Path) -> str:
    html = (root / "_build" / "html" / "page.html").read_text()
    return next(word for word in ("alpha", "beta", "gamma") if f"value is {word}" in html)


@pytest.mark.slow
def test_changed_input_reexecutes_but_plain_cache_would_not(tmp_path):
    make_book(tmp_path)
    run = [sys.executable, str(ROOT / "tools" / "build_book.py"), "--execute",
           "--book", str(tmp_path), "--out", str(tmp_path), "--inputs", "data"]
    assert subprocess.run(run, capture_output=True).returncode == 0
    assert shown(tmp_path) == "alpha"

    # the control: plain jupyter-book with its cache keeps the old output after the data changes
    (tmp_path / "data" / "value.txt").write_text("beta")
    plain = [str(Path(sys.executable).with_name("jupyter-book")), "build", str(tmp_path)]
    assert subprocess.run(plain, capture_output=True).returncode == 0
    assert shown(tmp_path) == "alpha"

    # build_book.py sees the changed input and re-executes
    result = subprocess.run(run, capture_output=True, text=True)
    assert result.returncode == 0
    assert "re-executing every chapter" in result.stdout
    assert shown(tmp_path) == "beta"

    # nothing changed: the stamp matches, no re-execution is announced
    result = subprocess.run(run, capture_output=True, text=True)
    assert result.returncode == 0 and "re-executing" not in result.stdout
