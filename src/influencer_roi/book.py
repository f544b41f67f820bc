"""What every chapter runs first, and the command runner chapters use to show `influencer-roi` at work.

Every chapter starts with a hidden cell:

    from influencer_roi.book import setup
    setup()

Numbers reach the prose through myst-nb's glue as pre-formatted strings (influencer_roi.formats), so the page shows
exactly the text the chapter computed: `glue("n_sources", fmt_int(n), display=False)`, then {glue:text}`n_sources`
in Markdown.
"""

from __future__ import annotations

import os
import random
import shlex
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from .plots.digest import register as register_digest
from .plots.style import set_style

SEED = 20_241_101


def setup(seed: int = SEED) -> np.random.Generator:
    """Plot style, figure format, pandas display, warnings policy and seeds; returns a seeded Generator.

    Warnings are shown once each: a chapter that prints one fails the book build (stderr is an error there),
    so the policy is to fix or explicitly silence the cause, never to hide warnings wholesale.
    """
    set_style()
    try:
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        # No date in the SVG, so a re-run on the same machine gives the same bytes.
        set_matplotlib_formats("svg", metadata={"Date": None}, bbox_inches="tight")
        shell = get_ipython()
    except ImportError:  # outside IPython: nothing to configure
        shell = None
    if shell is not None:
        # Each figure also carries a digest of what it draws, which nbval compares in place of the SVG's bytes.
        register_digest(shell)
    pd.set_option("display.max_columns", 20)
    pd.set_option("display.width", 120)
    pd.set_option("display.precision", 3)
    pd.set_option("display.max_colwidth", 80)
    warnings.simplefilter("default")
    random.seed(seed)
    np.random.seed(seed)
    return np.random.default_rng(seed)


def run_command(args: list[str], cwd: Path) -> str:
    """Run `influencer-roi ARGS` in `cwd` as a reader would, in a separate process (with CI set, so no progress
    display); return the command line, what it printed and its exit status, for a chapter to show. Paths in
    `args` should be relative to `cwd`, so that no path of the machine reaches the page."""
    command = Path(sys.executable).with_name("influencer-roi")
    done = subprocess.run(
        [str(command), *args], cwd=cwd, capture_output=True, text=True, env={**os.environ, "CI": "1"}, check=False
    )
    printed = (done.stderr + done.stdout).rstrip()  # in the order a terminal shows them: warnings come first
    return f"$ influencer-roi {shlex.join(args)}\n{printed}\n[exit status {done.returncode}]"
