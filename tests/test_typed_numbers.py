"""No hand-typed results: every number in the prose of the chapters and the front page is glued from a computed
value, or sits in a quotation, a citation, a claim id, code, or the short allowlist below.

The check reads the markdown cells of every chapter, the front page, the glossary and the downloads page, removes
what may carry numbers (glue, roles such as {cite} and {doc}, inline code and code blocks, quoted text, ledger and
audit ids, URLs), and flags every digit and every number word that is left, outside ALLOWED.
"""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
PAGES = [ROOT / "intro.md", ROOT / "glossary.md", ROOT / "downloads.md"]

# What may stay typed: years, the canonical tier boundaries and tier names as the sources write them, the interval
# and power conventions of the whole book, and the article ids that name the five sources.
ALLOWED = [
    r"\b(18|19|20)\d\d\b",  # years (a source's date, a study's period)
    r"\b(1k|10k|100k|1M|10M)\b\+?",  # canonical tier boundaries, as the book writes them ("1M and up", "1M+")
    r"\b95%",  # every interval in the book is a 95% interval
    r"\b80% power\b",  # the power convention of the power section
    r"\b(Article|article|articles) 00[0-4]\b",  # the five source articles
    r"\b00[0-4]'s\b",  # ... in the possessive ("002's own figures")
    r"\b10\{sup\}`[^`]*`",  # the worked example of what an elasticity means (10 to a power)
    r"\b(1|one) per cent\b",  # the definition of an elasticity
    r"\bten times the followers\b",  # ... and its reading
    r"\btenfold\b",
    r"\bPython 3\.11\b",  # the Python the lock is resolved for
    r"\b(HC3|A4)\b",  # names with a digit in them: an estimator (a glossary term), a paper size
]
NUMBER_WORDS = (
    r"\b(two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundreds?|"
    r"thousands?|millions?|billions?|twice|dozens?|half)\b"
)
REMOVE = [
    r"\{glue(:text|:md|:any|:figure)?\}`[^`\n]*`",  # glued values
    r"\{[a-z:]+\}`[^`\n]*`",  # every other role: {cite:p}, {doc}, {numref}, {term}, {download}, {sub}, {sup}
    r"``?[^`\n]+``?",  # inline code
    r'"[^"]*"|“[^”]*”|‘[^’]*’',  # quotations
    r"\b[AL]\d{2,3}(_\d{2})?\b|\bK\d{2}\b",  # ledger claim ids and audit checks (A001_05, L33, K09)
    r"https?://\S+",  # links
    r"^\s*\d+\.\s",  # the numbers of a numbered list
    r"^#+ .*$",  # headings (section titles are prose, numbered by Sphinx)
]


def markdown(path: Path) -> list[str]:
    if path.suffix == ".md":
        return [path.read_text(encoding="utf-8")]
    nb = json.loads(path.read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"]


def prose(text: str) -> str:
    """`text` without its code blocks (a fence whose info string is a language or nothing) and its block quotations
    (the front page's "How to cite"); the text inside a directive's fence (```{admonition}) is prose and stays, its
    fence lines go."""
    kept, fence = [], None
    for line in text.splitlines():
        stripped = line.strip()
        if fence is None and stripped.startswith("```"):
            fence = "directive" if stripped[3:].startswith("{") else "code"
            continue
        if fence is not None and stripped == "```":
            fence = None
            continue
        if fence != "code" and not stripped.startswith((":class:", ">")):  # a block quotation is quoted text
            kept.append(line)
    return "\n".join(kept)


CITED = re.compile(r"\b[AL]\d{2,3}(_\d{2})?\b|\bK\d{2}\b")


def uncited(text: str) -> str:
    """`text` without its sentences that cite a ledger row or an audit check: a number there is a claim cited to its
    row (the ledger holds its source and words)."""
    sentences = re.split(r"(?<=[.!?;:])\s+(?=[A-Z(*-])|\n\s*\n|\n\s*[-*] ", text)
    return "\n".join(sentence for sentence in sentences if not CITED.search(sentence))


def typed_numbers(text: str) -> list[str]:
    """The digits and number words left in `text` after removing what may carry numbers."""
    text = uncited(prose(text))
    # the allowlist first: one of its entries spans a role (10{sup}`-0.2`), which REMOVE would cut in two
    for pattern in ALLOWED:
        text = re.sub(pattern, " ", text)
    for pattern in REMOVE:
        text = re.sub(pattern, " ", text, flags=re.M)
    found = [m.group(0) for m in re.finditer(r"[$€]?\d[\d,.]*[%x×kKM]?", text)]
    found += [m.group(0) for m in re.finditer(NUMBER_WORDS, text, flags=re.I)]
    return found


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Of {glue:text}`n` claims, 63% are from blogs.", ["63%"]),
        ('The article says "2-3 times better" (A002_06) {cite:p}`article002`.', []),
        ("Its own averages, $0.10-0.50 for micro (A002_13), disagree. But 63% do not.", ["63%"]),
        ("1. **A list.** Two items.", ["Two"]),
        ("Three sources agree; in 2024 the study found it.", ["Three"]),
        ("```text\ninfluencer-roi allocate --budget 100000\n```", []),
        ("a 95% interval, {doc}`chapter_1`, 1M and up", []),
        ("```{admonition} In short\nEight models agree.\n```", ["Eight"]),
        ("ten times the followers comes with 10{sup}`−0.2` ≈ {glue:text}`f` times", []),
        ("10 to the power 2", ["10", "2"]),
        ("> The contributors (2026), version 0.1.0.\n\nSee 3 pages.", ["3"]),
    ],
)
def test_the_check_finds_what_it_should(text, expected):
    assert typed_numbers(text) == expected


@pytest.mark.parametrize("path", CHAPTERS + PAGES, ids=lambda p: p.name)
def test_no_typed_numbers_in_prose(path):
    found = [(i, hit) for i, text in enumerate(markdown(path)) for hit in typed_numbers(text)]
    assert not found, f"{path.name}: typed numbers in prose (glue them, or quote and cite them): {found}"
