"""No stale output: a change in the inputs (src/, data/, the lock) re-executes the chapters, whatever command builds.

The jupyter-cache keys only on code cells, so without the book's extension _ext/fresh_outputs.py a changed data
file or package function would leave the old output on the site. The end-to-end test shows both: a one-page book
without the extension keeps the stale output after its data changes (the control), the same book with it, built by
a plain `jupyter-book build`, re-executes.
"""

import importlib.util
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build_book = load("build_book", ROOT / "tools" / "build_book.py")
fresh_outputs = load("fresh_outputs", ROOT / "_ext" / "fresh_outputs.py")


def test_hash_follows_content_and_ignores_caches(tmp_path):
    (tmp_path / "src" / "__pycache__").mkdir(parents=True)
    (tmp_path / "src" / "mod.py").write_text("x = 1\n")
    first = fresh_outputs.inputs_hash(tmp_path, ["src"])
    (tmp_path / "src" / "__pycache__" / "mod.pyc").write_bytes(b"\0")
    assert fresh_outputs.inputs_hash(tmp_path, ["src"]) == first
    (tmp_path / "src" / "mod.py").write_text("x = 2\n")
    assert fresh_outputs.inputs_hash(tmp_path, ["src"]) != first


def test_render_only_config_switches_execution_off(tmp_path):
    (tmp_path / "_config.yml").write_text("title: t\nexecute:\n  execute_notebooks: cache\n")
    path = build_book.render_only_config(tmp_path, tmp_path / "_build")
    assert yaml.safe_load(path.read_text())["execute"]["execute_notebooks"] == "off"


def make_book(root: Path, guarded: bool) -> None:
    (root / "data").mkdir()
    (root / "data" / "value.txt").write_text("alpha")
    config = {"title": "mini", "only_build_toc_files": True, "execute": {"execute_notebooks": "cache"}}
    if guarded:
        config["sphinx"] = {
            "local_extensions": {"fresh_outputs": str(ROOT / "_ext")},
            "config": {"book_inputs": ["data"]},
        }
    (root / "_config.yml").write_text(yaml.safe_dump(config))
    (root / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n  - file: page\n")
    (root / "intro.md").write_text("# Mini\n")
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# Page"),
            nbformat.v4.new_code_cell("print('value is', open('data/value.txt').read())"),
        ]
    )
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, root / "page.ipynb")


def shown(root: Path) -> str:
    html = (root / "_build" / "html" / "page.html").read_text()
    return next(word for word in ("alpha", "beta", "gamma") if f"value is {word}" in html)


def plain_build(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(Path(sys.executable).with_name("jupyter-book")), "build", str(root)], capture_output=True, text=True
    )


@pytest.mark.slow
@pytest.mark.parametrize("guarded", [False, True], ids=["control, no guard", "guarded"])
def test_a_changed_input_reexecutes_only_with_the_guard(tmp_path, guarded):
    make_book(tmp_path, guarded)
    assert plain_build(tmp_path).returncode == 0
    assert shown(tmp_path) == "alpha"

    (tmp_path / "data" / "value.txt").write_text("beta")
    result = plain_build(tmp_path)
    assert result.returncode == 0
    if not guarded:
        assert shown(tmp_path) == "alpha"  # the cache keyed on code cells keeps the stale output
        return
    assert "re-executing every chapter" in result.stdout
    assert shown(tmp_path) == "beta"

    # nothing changed: the stamp matches, no re-execution is announced, the output stays
    result = plain_build(tmp_path)
    assert result.returncode == 0 and "re-executing" not in result.stdout
    assert shown(tmp_path) == "beta"
