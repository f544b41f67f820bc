"""No verdict typed by hand: a verdict word ("supported", "contradicted", "not established", "refuted", "much less",
"promise", ...) in intro.md, in a chapter's markdown, or in a string a chapter glues, fails, unless it is a value
glued from verdicts.verdict (a glue reference in the prose; the word is then computed, never typed). METHODS,
"Verdicts from intervals"; issue 27.

KNOWN lists the sentences that still type one, each with why it is left; an entry that no longer occurs fails too,
so the list only shrinks."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORDS = re.compile(
    r"\b(un)?supported\b|\bsupports?\b|\brefuted\b|\bcontradicted\b|\bnot established\b|\bmuch less\b"
    r"|\bpromis(e|es|ed)\b",
    re.IGNORECASE,
)
GLUE_REFERENCE = re.compile(r"\{glue:[a-z]+\}`[^`]*`")

# (file, the text around the word): left for now, with the reason. Remove an entry when its sentence goes.
KNOWN: dict[tuple[str, str], str] = {}


def _glued_strings(source: str) -> list[str]:
    """The prose literals (strings with a space, f-string parts included) inside every glue(...) call of a code cell;
    a one-word literal there is a label looked up (`.eq("supported")`), not a sentence."""
    try:
        tree = ast.parse(source)
    except SyntaxError:  # IPython magics: such a cell glues nothing the book reads
        return []
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "glue":
            for arg in node.args[1:] + [k.value for k in node.keywords]:
                out += [n.value for n in ast.walk(arg) if isinstance(n, ast.Constant) and " " in str(n.value)]
    return out


def texts() -> list[tuple[str, str]]:
    """(file, text) of the prose a reader sees typed: intro.md, every chapter's markdown and glued literals."""
    out = [("intro.md", (ROOT / "intro.md").read_text(encoding="utf-8"))]
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        name = f"chapters/{path.name}"
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            source = "".join(cell["source"])
            if cell["cell_type"] == "markdown":
                out.append((name, source))
            elif cell["cell_type"] == "code":
                out += [(name, text) for text in _glued_strings(source)]
    return out


def hits(file: str, text: str) -> list[str]:
    """Each verdict word in `text` outside glue references, with 30 characters either side (one line)."""
    bare = GLUE_REFERENCE.sub("{glued}", text).replace("\n", " ")
    return [bare[max(0, m.start() - 30) : m.end() + 30] for m in WORDS.finditer(bare)]


def test_no_verdict_is_typed_by_hand():
    found = [(file, around) for file, text in texts() for around in hits(file, text)]
    unknown = [(f, a) for f, a in found if not any(f == kf and kt in a for kf, kt in KNOWN)]
    assert not unknown, "verdict words typed outside verdicts.verdict's glued values:\n" + "\n".join(
        f"{f}: ...{a}..." for f, a in unknown
    )


def test_every_known_exception_still_occurs():
    found = [(file, around) for file, text in texts() for around in hits(file, text)]
    stale = [(kf, kt) for kf, kt in KNOWN if not any(f == kf and kt in a for f, a in found)]
    assert not stale, f"these KNOWN entries no longer occur: remove them: {stale}"


def test_the_guard_catches_a_typed_verdict_and_passes_a_glued_one():
    assert hits("x.md", "The book finds much less than the articles' 2-3x.")
    assert hits("x.md", "not the multiples the articles promise")
    assert hits("x.md", "The claim is not established by the data.")
    assert not hits("x.md", "Smaller pays more; {glue:text}`chapters/conclusions.ipynb::co_claim_verdict:s`.")
    assert _glued_strings('glue("k", f"the claim is {x}, not the multiples they promise", display=False)')
    assert not _glued_strings('glue("k", verdicts.claim_sentence(a, b, c, d, e, f), display=False)')
