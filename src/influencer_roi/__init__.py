"""Helpers for the book "Does smaller pay?": tier schemes, the evidence ledger, figures and the chapter preamble.

Modules:
    tiers     the canonical follower tiers, every source's scheme, and assign_tier()
    evidence  load and validate the ledger files in data/evidence (pandera)
    plots     the house style for figures: log follower axis, tier bands, colour-blind-safe palette
    book      the preamble every chapter runs first, and formatting helpers for glued numbers
"""

from importlib.metadata import version as _version

# The one version is pyproject.toml's; the book's footer shows the same (from the installed package).
__version__ = _version("influencer-roi")
