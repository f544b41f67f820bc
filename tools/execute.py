"""Execute notebooks in place, each top to bottom in a fresh kernel, as they are committed.

Usage: python tools/execute.py chapters/NAME.ipynb [...]

No timing metadata is recorded, so re-executing an unchanged chapter leaves its file unchanged.

A figure's alt text lives in its cell's metadata (mystnb.image.alt), which myst-nb reads and no code can set. A
figure cell that glues a value named "<figure name>-alt" (an alt text written from the values the figure draws,
plots.ALT_TEXTS) has that value copied into its metadata here, after the run: the alt text is the computed one,
never typed (tests/test_alt_text.py checks the two are equal).
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
    for cell in nb.cells:
        sync_alt_text(cell)
    nbformat.write(nb, path)


def glued_alt(cell) -> str | None:
    """The alt text a figure cell glues for its figure ("<figure name>-alt"), or None."""
    name = cell.get("metadata", {}).get("mystnb", {}).get("figure", {}).get("name")
    for output in cell.get("outputs", []) if name else []:
        if output.get("metadata", {}).get("scrapbook", {}).get("name") == f"{name}-alt":
            prefix = output["metadata"]["scrapbook"].get("mime_prefix", "")
            return ast.literal_eval(output["data"][f"{prefix}text/plain"])  # glue keeps a string as its repr
    return None


def sync_alt_text(cell) -> None:
    """Copy the cell's glued alt text, if any, into the metadata myst-nb reads (mystnb.image.alt)."""
    alt = glued_alt(cell)
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
