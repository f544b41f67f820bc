"""The package behind the book "Does smaller pay?": the evidence, its synthesis, the simulation built on it, the
regressions, the budget decisions, and the `influencer-roi` command that runs them on a reader's files.

Modules by layer, each importing only from the layers below it (the import-linter contract in pyproject.toml;
CONTRIBUTING.md, "Layers"):

presentation
    cli        the `influencer-roi` command (entry: its console script, which guards Ctrl-C while cli is imported)
    report     results.json, figures and report.html of the command (analyze, engagement)
    allocation_report  the same for `influencer-roi allocate`: the strategies in words, the answer sentence
    templates  the report pages (Jinja2, every value escaped; no script allowed by their Content-Security-Policy)
    tierpage   the tables and glued values of the four tier chapters
    book       the preamble every chapter runs first
    plots      the figures: the house style (plots.style: log follower axis, tier bands, colour-blind-safe) and a
               chart module per part of the book
    tables     displayed tables formatted for people
    progress   the command's progress line and its estimates of work
decisions
    allocate   spending a budget across tiers: Monte Carlo across worlds, P(best), flips, EVPI
world
    robustness one simulation per pitfall, with known answers
    coverage   the coverage study: the slope models fitted to simulated data with a known answer
    simulate   simulated campaigns and posts (Params)
    worlds     the simulation's parameters from the synthesis: the central world and one world per draw
estimation
    synthesis  the evidence fitted together, the specification curve, joint draws of the elasticities
    audit      the claims audit: consistency checks as data, against other claims and against real posts
    real_posts what the real posts estimate: the engagement elasticity, rates by tier scheme, real-data checks
    engagement post-level fits: elasticity, peak, fixed effects, sponsored penalty, PPML, tier rates
    models     the registry of regressions of return per dollar on followers, tidy tables
data
    instagram  the real Instagram posts (data/real/instagram), read through the post schema
    price_quotes  the real price quotes (data/real/xhs_price_quotes): asking prices with follower counts, nano only
    post_table a post table made ready for the log models (duplicates dropped, rates, logs, tier)
    schema, validation, paths  reading users' files (the input contract) and writing outputs all or nothing
    evidence   load, validate (pandera) and normalise the ledger in data/evidence
    expressions  the audit checks' small arithmetic language (parsed and evaluated safely)
    tiers      the canonical follower tiers, every source's scheme, and assign_tier()
    formats    how numbers read in prose, on axes and in band labels
    constants  numbers shared across the package (follower range, reference account, 95% z, loss threshold)
"""


def __getattr__(name: str) -> str:
    # The one version is pyproject.toml's; the book's footer shows the same (from the installed package).
    # It is read from the installed metadata when first asked for, not on import: importing the package stays
    # instant, so the command's entry point (entry.py) guards Ctrl-C from its first moment.
    if name == "__version__":
        from importlib.metadata import version

        return version("influencer-roi")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
