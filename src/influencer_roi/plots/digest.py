"""What a figure draws, as a short digest that floating-point noise cannot change.

Strict nbval compares every text output of a chapter byte for byte, but not a figure's SVG: its bytes carry
coordinates to six decimals and clip-path ids hashed from them, so the last bit of one sum, which differs between
CPUs (numpy and OpenBLAS pick their SIMD kernels per CPU), changes the file. Instead, every figure a chapter shows
carries a digest of its content under DIGEST_MIME, a type the book never renders, and nbval compares that
(tests/nbval_plugin.py stops it comparing image/svg+xml).

The content is each visible artist of the figure: its kind, its text, its colour and its geometry in its axes'
own coordinates (0 to 1 across the axes, whatever the scale), on a grid of GRID steps across the axes: a step is far
below a pixel and far above the noise of a float. The grid is offset by an irrational fraction of a step, so that
a value sitting exactly on a "round" position (a half, a quarter, a 32nd of the axes) never lies on a rounding
boundary where noise could tip it.

    >>> figure_digest(fig)
    '1 axes; 3 Line2D, 1 PathCollection, 9 Text; content 3fa2…'
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

import numpy as np
from matplotlib.artist import Artist
from matplotlib.collections import Collection
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.transforms import Transform

DIGEST_MIME = "application/vnd.does-smaller-pay.figure-digest"
GRID = 10_000  # steps across an axes: 0.01% of its width, about 0.04 px on a phone
OFFSET = 0.381966011250105  # (3 - sqrt 5) / 2 of a step: no round fraction of the axes is a rounding boundary


def _grid(points: np.ndarray) -> list:
    """Points (in axes or figure fractions) on the digest's grid, as whole numbers; None for a non-finite value."""
    snapped = np.floor(np.asarray(points, dtype=float) * GRID + OFFSET)
    return [None if not np.isfinite(v) else int(v) for v in snapped.ravel()]


def _values(values) -> list:
    """Colour-mapped values (counts, a heat map's cells), to four significant figures of the largest."""
    array: np.ndarray = np.ma.filled(np.ma.asarray(values, dtype=float), np.nan).ravel()
    finite = array[np.isfinite(array)]
    scale = float(np.max(np.abs(finite))) if finite.size else 0.0
    if scale == 0:
        return _grid(array)
    return [None if not np.isfinite(v) else int(v) for v in np.floor(array / scale * GRID + OFFSET)]


def _colour(colour) -> list[str]:
    colours = np.atleast_2d(np.asarray(colour, dtype=float)) if not isinstance(colour, str) else [colour]
    return [to_hex(c, keep_alpha=True) for c in colours]


def _frame(artist: Artist, fig: Figure) -> Transform:
    """Display coordinates back to the fractions of the artist's axes (or of the figure, outside any axes)."""
    return (artist.axes.transAxes if artist.axes is not None else fig.transFigure).inverted()


def _record(artist: Artist, fig: Figure) -> dict | None:
    """One artist's content, or None for what draws nothing (hidden, empty)."""
    if not artist.get_visible():
        return None
    back = _frame(artist, fig)

    def where(points, transform: Transform) -> list:
        points = np.asarray(points, dtype=float).reshape(-1, 2)
        return _grid(back.transform(transform.transform(points))) if len(points) else []

    kind = type(artist).__name__
    if isinstance(artist, Text):
        if not artist.get_text():
            return None
        return {
            "kind": kind,
            "text": artist.get_text(),
            "at": where([artist.get_position()], artist.get_transform()),
            "colour": _colour(artist.get_color()),
        }
    if isinstance(artist, Line2D):
        return {
            "kind": kind,
            "at": where(artist.get_xydata(), artist.get_transform()),
            "colour": _colour(artist.get_color()),
            "style": [str(artist.get_linestyle()), str(artist.get_marker())],
        }
    if isinstance(artist, Patch):
        return {
            "kind": kind,
            "at": where(artist.get_path().vertices, artist.get_transform()),
            "colour": _colour(artist.get_facecolor()) + _colour(artist.get_edgecolor()),
        }
    if isinstance(artist, Collection):
        offsets = np.asarray(artist.get_offsets(), dtype=float)
        sizes = np.asarray(getattr(artist, "get_sizes", list)(), dtype=float)
        record = {
            "kind": kind,
            "offsets": where(offsets, artist.get_offset_transform()),
            "colour": _colour(artist.get_facecolor()) + _colour(artist.get_edgecolor()),
            "sizes": _values(sizes) if sizes.size else [],
            "values": _values(artist.get_array()) if artist.get_array() is not None else [],
        }
        # Paths drawn in data coordinates (filled bands, bars, hexagons, a heat map's cells); markers' paths are
        # shapes in points, the same for every point, and the offsets say where they are.
        if not offsets.size or kind != "PathCollection":
            record["paths"] = [where(p.vertices, artist.get_transform()) for p in artist.get_paths()]
        return record
    if isinstance(artist, AxesImage):
        return {"kind": kind, "values": _values(artist.get_array())}
    return None


def figure_content(fig: Figure) -> list[dict]:
    """Every visible artist of `fig` that draws something, as records of plain values (kind, text, colour,
    geometry on the digest's grid), in drawing order."""
    fig.draw_without_rendering()  # settle the limits, ticks and layout the figure will be drawn with
    records = (_record(a, fig) for a in fig.findobj(include_self=False))
    return [r for r in records if r is not None]


def content_digest(records: list[dict], axes: int) -> str:
    """A one-line digest of figure_content's records: what it holds, by kind, and a hash of all of it."""
    counts = Counter(r["kind"] for r in records)
    kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))
    blob = json.dumps(records, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return f"{axes} axes; {kinds}; content {hashlib.sha256(blob.encode()).hexdigest()[:20]}"


def figure_digest(fig: Figure) -> str:
    """The digest strict nbval compares in place of a figure's SVG bytes (see the module's docstring)."""
    return content_digest(figure_content(fig), len(fig.axes))


class SavedFigure:
    """A figure file the command wrote, shown in a chapter with the digest it recorded (results.json's
    "figures"), so nbval compares the figure's content, as for a figure drawn in the chapter."""

    def __init__(self, path: Path, digest: str):
        self.path, self.digest = Path(path), digest

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        return {
            "image/svg+xml": self.path.read_text(encoding="utf-8"),
            "text/plain": f"<figure {self.path.name}>",
            DIGEST_MIME: self.digest,
        }


def register(shell) -> None:
    """Add the digest to every matplotlib figure the IPython `shell` displays (book.setup() calls this)."""
    from IPython.core.formatters import BaseFormatter  # here: the command line draws figures without IPython

    class DigestFormatter(BaseFormatter):
        format_type = DIGEST_MIME
        print_method = "_repr_figure_digest_"  # no object has it: only the type registered below is formatted

    formatter = DigestFormatter(parent=shell.display_formatter)
    formatter.for_type(Figure, figure_digest)
    shell.display_formatter.formatters[DIGEST_MIME] = formatter
