"""A figure's content digest (plots.digest), which strict nbval compares in place of its SVG bytes: it sees a change
in what a figure draws (a point, a line, a label, a colour) and does not see the last bits of a float."""

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from test_plots import CHARTS, figure_of  # noqa: E402

from influencer_roi import evidence, plots  # noqa: E402
from influencer_roi.plots.digest import DIGEST_MIME, SavedFigure, figure_content, figure_digest  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
RNG = np.random.default_rng(3)
X = 10 ** RNG.uniform(2.5, 6.5, 2_000)
Y = 0.05 * (X / 1e4) ** -0.2 * RNG.lognormal(0, 0.3, X.size)


def scatter(x=X, y=Y, label="Followers (log scale)", colour="#0072B2", title="Engagement"):
    plots.set_style()
    fig, ax = plt.subplots()
    ax.scatter(x, y, s=4, color=colour)
    line_x = np.geomspace(x.min(), x.max(), 50)
    ax.plot(line_x, 0.05 * (line_x / 1e4) ** -0.2, color="#000000")
    ax.fill_between(line_x, 0.04 * (line_x / 1e4) ** -0.2, 0.06 * (line_x / 1e4) ** -0.2, alpha=0.2)
    plots.follower_axis(ax, label=label)
    plots.tier_bands(ax)
    ax.set_yscale("log")
    ax.set_title(title)
    return fig


def digest_of(fig) -> str:
    try:
        return figure_digest(fig)
    finally:
        plt.close(fig)


def test_the_same_figure_gives_the_same_digest():
    assert digest_of(scatter()) == digest_of(scatter())


def test_last_bit_noise_leaves_the_digest_alone():
    # what another CPU's kernels do to a computed value: a few units in the last place, on every value
    base = digest_of(scatter())
    for seed in range(5):
        noise = np.random.default_rng(seed)
        x = X * (1 + 4e-16 * noise.standard_normal(X.size))
        y = Y * (1 + 4e-16 * noise.standard_normal(Y.size))
        assert digest_of(scatter(x, y)) == base


def test_round_positions_are_not_on_a_rounding_boundary():
    # a point exactly at 1/32 of the axes (a rounding boundary at 4 decimals without the offset), nudged either way
    plots.set_style()
    digests = set()
    for nudge in (-1e-15, 0.0, 1e-15):
        fig, ax = plt.subplots()
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.plot([1 / 32 + nudge, 0.5 + nudge], [0.25 - nudge, 0.125 + nudge], "o")
        digests.add(digest_of(fig))
    assert len(digests) == 1


@pytest.mark.parametrize(
    "change",
    [
        "one point moved by 1% of its value",
        "one point fewer",
        "a label reworded",
        "a colour changed",
        "the title changed",
    ],
)
def test_a_change_in_what_is_drawn_changes_the_digest(change):
    x, y = X.copy(), Y.copy()
    kwargs = {}
    if change == "one point moved by 1% of its value":
        y[17] *= 1.01
    elif change == "one point fewer":
        x, y = x[1:], y[1:]
    elif change == "a label reworded":
        kwargs["label"] = "Followers"
    elif change == "a colour changed":
        kwargs["colour"] = "#D55E00"
    else:
        kwargs["title"] = "Engagement rate"
    assert digest_of(scatter(x, y, **kwargs)) != digest_of(scatter())


def test_the_digest_says_what_the_figure_holds():
    digest = digest_of(scatter())
    assert digest.startswith("1 axes; ")
    assert "1 PathCollection" in digest and "FillBetweenPolyCollection" in digest and "content " in digest


@pytest.fixture(scope="module")
def ledger():
    """Read and validated once for the module (about a second a time), as test_plots does for the same charts."""
    return evidence.load_ledger()


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_every_chart_has_a_digest_that_taking_does_not_change(name, ledger):
    # every chart of the book, on test_plots' small data: the digest is computed, names text, and taking it (which
    # lays the figure out) leaves the figure as it was
    plots.set_style()
    fig = figure_of(CHARTS[name](ledger))
    first = figure_digest(fig)
    assert digest_of(fig) == first
    assert "Text" in first, f"{name}: no text in {first}"


def test_hidden_artists_and_empty_text_do_not_count():
    plots.set_style()
    fig, ax = plt.subplots()
    ax.plot([1, 2], [1, 2])
    before = len(figure_content(fig))
    ax.text(0.5, 0.5, "")
    ax.plot([1, 2], [2, 1], visible=False)
    assert len(figure_content(fig)) == before
    plt.close(fig)


def test_a_saved_figure_shows_its_svg_with_its_digest(tmp_path):
    path = tmp_path / "roi_fit.svg"
    path.write_text("<svg/>", encoding="utf-8")
    bundle = SavedFigure(path, "1 axes; content abc")._repr_mimebundle_()
    assert bundle == {
        "image/svg+xml": "<svg/>",
        "text/plain": "<figure roi_fit.svg>",
        DIGEST_MIME: "1 axes; content abc",
    }


def figure_outputs():
    """(chapter, code cell number, output) for every output of every chapter that shows a picture."""
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        cells = [c for c in json.loads(path.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
        for number, cell in enumerate(cells):
            for output in cell.get("outputs", []):
                if any(mime.startswith("image/") for mime in output.get("data", {})):
                    yield path.name, number, output


def test_every_figure_in_every_chapter_carries_a_compared_digest():
    from nbval_plugin import FIGURE_BYTES

    outputs = list(figure_outputs())
    assert len(outputs) >= 20, "test setup: the chapters show fewer figures than expected"
    missing = [f"{name} code cell {number}" for name, number, output in outputs if DIGEST_MIME not in output["data"]]
    assert not missing, f"figures without a content digest (nbval would compare nothing of them): {missing}"
    empty = [
        f"{name} code cell {number}"
        for name, number, output in outputs
        if "content " not in output["data"][DIGEST_MIME]
    ]
    assert not empty, f"figures whose digest is not one: {empty}"
    # nbval compares every mime type but those it is told to skip: the digest must not be one of them
    assert DIGEST_MIME not in FIGURE_BYTES
