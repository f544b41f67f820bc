"""Every value a chapter glues is shown somewhere: by a {glue} role in a chapter's Markdown, on the front page or on
another page (a role of the form `path::key` names the chapter). A glued value nothing uses is dead weight: it
costs a computation and can drift unseen."""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
PAGES = sorted(ROOT.glob("*.md"))
ROLE = re.compile(r"\{glue(?::[a-z]+)?\}`([^`]+)`")


def glued(path: Path) -> set[str]:
    """The keys the executed chapter glued (its committed outputs)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    return {
        out["metadata"]["scrapbook"]["name"]
        for cell in nb["cells"]
        for out in cell.get("outputs", [])
        if "scrapbook" in out.get("metadata", {})
    }


def markdown(path: Path) -> str:
    if path.suffix == ".md":
        return path.read_text(encoding="utf-8")
    nb = json.loads(path.read_text(encoding="utf-8"))
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


def used() -> dict[str, set[str]]:
    """chapter stem -> the keys some page shows."""
    keys: dict[str, set[str]] = {}
    for page in CHAPTERS + PAGES:
        for target in ROLE.findall(markdown(page)):
            if "::" in target:
                path, key = target.split("::", 1)
                stem = Path(path).stem
            else:
                stem, key = page.stem, target
            keys.setdefault(stem, set()).add(re.sub(r":[a-z]+$", "", key))  # 'key:s' -> 'key'
    for page in CHAPTERS:  # a figure's alt text, glued as "<figure name>-alt", is shown as the figure's alt text
        keys.setdefault(page.stem, set()).update(f"{name}-alt" for name in figure_names(page))
    return keys


def figure_names(path: Path) -> list[str]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [
        c["metadata"]["mystnb"]["figure"]["name"]
        for c in nb["cells"]
        if c.get("metadata", {}).get("mystnb", {}).get("figure", {}).get("name")
    ]


def test_the_roles_are_read():
    shown = used()
    assert "co_answer" in shown["conclusions"]  # from intro.md, across documents
    assert "n_schemes" in shown["tier_definitions"]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_every_glued_value_is_shown(path):
    unused = sorted(glued(path) - used().get(path.stem, set()))
    assert not unused, f"{path.name} glues values no page shows: {unused}"


@pytest.mark.parametrize("path", CHAPTERS + PAGES, ids=lambda p: p.name)
def test_every_glue_role_has_a_value(path):
    missing = []
    for target in ROLE.findall(markdown(path)):
        chapter, key = target.split("::", 1) if "::" in target else (f"chapters/{path.stem}.ipynb", target)
        source = ROOT / (chapter if chapter.endswith(".ipynb") else f"{chapter}.ipynb")
        if source.is_file() and re.sub(r":[a-z]+$", "", key) not in glued(source):
            missing.append(target)
    assert not missing, f"{path.name} shows glue keys nothing glues: {missing}"
