"""Execute notebooks in place, each top to bottom in a fresh kernel, as they are committed.

Usage: python tools/execute.py chapters/NAME.ipynb [...]

No timing metadata is recorded, so re-executing an unchanged chapter leaves its file unchanged.

A figure's alt text lives in its cell's metadata (mystnb.image.alt), which myst-nb reads and no code can set. A
chapter that glues a value named "<figure name>-alt" (an alt text written from the values the figure draws,
plots.ALT_TEXTS), in the figure's cell or in a removed cell beside it (a glue call is plumbing, never shown), has
that value copied into the figure's metadata here, after the run: the alt text is the computed one, never typed
(tests/test_alt_text.py checks the two are equal).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def execute(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nb.metadata["kernelspec"] = KERNELSPEC
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=1800,
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    alts = glued_alts(nb.cells)
    for cell in nb.cells:
        sync_alt_text(cell, alts)
    nbformat.write(nb, path)


def glued_alts(cells) -> dict[str, str]:
    """{figure name: alt text} for every value the cells glue as "<figure name>-alt"."""
    out = {}
    for cell in cells:
        for output in cell.get("outputs", []):
            scrapbook = output.get("metadata", {}).get("scrapbook", {})
            if scrapbook.get("name", "").endswith("-alt"):
                prefix = scrapbook.get("mime_prefix", "")
                # glue keeps a string as its repr
                out[scrapbook["name"][: -len("-alt")]] = ast.literal_eval(output["data"][f"{prefix}text/plain"])
    return out


def figure_name(cell) -> str | None:
    return cell.get("metadata", {}).get("mystnb", {}).get("figure", {}).get("name")


def sync_alt_text(cell, alts: dict[str, str]) -> None:
    """Copy the figure's glued alt text (glued_alts), if any, into the metadata myst-nb reads (mystnb.image.alt)."""
    alt = alts.get(figure_name(cell) or "")
    if alt is not None:
        cell["metadata"].setdefault("mystnb", {}).setdefault("image", {})["alt"] = alt


def main(paths: list[str]) -> int:
    if not paths:
        print(__doc__)
        return 2
    for name in paths:
        print(f"executing {name}", flush=True)
        execute(Path(name))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
