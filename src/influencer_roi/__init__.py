"""Helpers for the book "Does smaller pay?": tier schemes, the evidence ledger, figures and the chapter preamble.

Modules:
    tiers     the canonical follower tiers, every source's scheme, and assign_tier()
    evidence  load and validate the ledger files in data/evidence (pandera)
    plots     the figures: the house style (plots.style) and a chart module per part of the book
    formats   how numbers read in prose, on axes and in band labels
    tables    one way to display a table in the book
    tierpage  the tables and glued values of the four tier chapters
    book      the preamble every chapter runs first
"""

from importlib.metadata import version as _version

# The one version is pyproject.toml's; the book's footer shows the same (from the installed package).
__version__ = _version("influencer-roi")
