"""The book's basics: one version everywhere, the citation file, the licence, and a bibliography entry for every
source of the evidence ledger."""

import re
from importlib.metadata import version
from pathlib import Path

import yaml
from pybtex.database import parse_file

import influencer_roi
from influencer_roi import evidence

ROOT = Path(__file__).resolve().parents[1]


def citation() -> dict:
    return yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))


def test_one_version_everywhere():
    package = version("influencer-roi")
    pyproject = re.search(r'^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text(encoding="utf-8"), re.M)[1]
    assert influencer_roi.__version__ == package == pyproject
    assert str(citation()["version"]) == package, "CITATION.cff's version is not the package's"
    # How to cite names the version through the substitution _ext/book_site.py sets (the built page: test_site)
    assert "version {{ version }}." in (ROOT / "intro.md").read_text(encoding="utf-8"), "intro.md's How to cite"


def test_the_citation_file_names_the_configured_repository_and_licence():
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    cff = citation()
    assert cff["repository-code"] == config["repository"]["url"]
    assert cff["license"] == "MIT" and "MIT License" in (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert cff["cff-version"] and cff["title"] and cff["authors"]


def sources_without_entry(sources, bib: Path):
    keys = set(parse_file(str(bib)).entries)
    return sources.loc[~sources["bib_key"].isin(keys), ["source_id", "bib_key"]]


def test_every_ledger_source_has_a_bibliography_entry():
    missing = sources_without_entry(evidence.load_sources(), ROOT / "references.bib")
    assert missing.empty, f"ledger sources with no entry in references.bib:\n{missing.to_string(index=False)}"


def test_a_source_without_an_entry_is_caught(tmp_path):
    bib = tmp_path / "one.bib"
    bib.write_text("@article{beichert2024, title = {Revenue}, year = {2024}}\n", encoding="utf-8")
    missing = sources_without_entry(evidence.load_sources(), bib)
    assert "beichert2024" not in set(missing["bib_key"]) and "hbr2024" in set(missing["bib_key"])


def test_the_references_page_lists_every_entry_without_notes_to_authors():
    page = (ROOT / "references.md").read_text(encoding="utf-8")
    assert ":all:" in page, "the bibliography should list every source, cited or not"
    bib = (ROOT / "references.bib").read_text(encoding="utf-8")
    for note in ("untitled in the copy", "source article", "{cite:"):
        assert note not in bib and note not in page, f"a note to authors on the References page: {note!r}"
