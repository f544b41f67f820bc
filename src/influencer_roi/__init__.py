"""The package behind the book "Does smaller pay?": the evidence, its synthesis, the simulation built on it, the
regressions, the budget decisions, and the `influencer-roi` command that runs them on a reader's files.

Modules, in the order data flows through them:
    constants  numbers shared across the package (follower range, reference account, 95% z, loss threshold)
    tiers      the canonical follower tiers, every source's scheme, and assign_tier()
    evidence   load, validate (pandera) and normalise the ledger in data/evidence
    audit      the claims audit: consistency checks as data, against other claims and against real posts
    instagram  the real Instagram posts (data/real/instagram), read through the post schema
    engagement post-level fits: elasticity, peak, fixed effects, sponsored penalty, PPML, tier rates
    synthesis  the evidence fitted together, the specification curve, joint draws of the elasticities
    worlds     the simulation's parameters from the synthesis: the central world and one world per draw
    simulate   simulated campaigns and posts (Params)
    models     the registry of regressions of return per dollar on followers, tidy tables
    robustness one simulation per pitfall, with known answers
    allocate   spending a budget across tiers: Monte Carlo across worlds, P(best), flips, EVPI
    schema, validation, paths  reading users' files (the input contract) and writing outputs all or nothing
    report     results.json, figures and report.html of the command
    plots      the figures: the house style (plots.style: log follower axis, tier bands, colour-blind-safe) and a
               chart module per part of the book
    formats    how numbers read in prose, on axes and in band labels
    tables     displayed tables formatted for people
    tierpage   the tables and glued values of the four tier chapters
    book       the preamble every chapter runs first
    progress   the command's progress line
    cli        the `influencer-roi` command
"""

from importlib.metadata import version as _version

# The one version is pyproject.toml's; the book's footer shows the same (from the installed package).
__version__ = _version("influencer-roi")
