"""The `influencer-roi` command.

    influencer-roi simulate --n 3000 --seed 1 --out campaigns.csv --params-out params.json
    influencer-roi analyze campaigns.csv --out results/
    influencer-roi engagement posts.csv --out results/
    influencer-roi allocate --budget 100000 [--campaigns campaigns.csv] [--strategy "nano=0.5,micro=0.5"]
    influencer-roi audit                      # the claims audit as a table
    influencer-roi audit --out audit.csv      # ... written to a CSV file
    influencer-roi audit --evidence DIR       # ... over another copy of the evidence ledger

Exit status: 0 on success, 2 on bad input (a message names the file, line, column and rule; no traceback).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

import pandas as pd

from . import __version__


MIN_CAMPAIGNS = 20  # below this the eight models cannot all be fitted (tier dummies, brands, robust errors)
MIN_ACCOUNTS = 3  # clustered errors need several clusters; with fewer there is no slope across accounts
LEDGER_FILES = ("sources.csv", "metrics.csv", "tier_definitions.csv", "claims.csv", "audit_checks.csv")


class UsageError(Exception):
    """Bad input from the user: reported as one message, exit status 2."""


def write_atomically(frame: pd.DataFrame, path: Path) -> None:
    """Write a CSV so that a failure leaves no partial file (see _write_text_atomically)."""
    path = Path(path)
    if path.exists() and path.is_dir():
        raise UsageError(f"--out {path}: is a folder; give a file name")
    _write_text_atomically(frame.to_csv(index=False), path)


def _audit(args: argparse.Namespace) -> int:
    from . import audit, evidence

    folder = Path(args.evidence) if args.evidence else evidence.evidence_dir()
    missing = [name for name in LEDGER_FILES if not (folder / name).is_file()]
    if missing:
        raise UsageError(f"--evidence {folder}: missing {', '.join(missing)} (expected a copy of data/evidence)")
    table = audit.run_audit(folder=folder)
    if args.verdict:
        table = table[table["verdict"] == args.verdict]
    columns = ["check_id", "kind", "claim_ids", "stated", "recomputed", "verdict", "explanation"]
    if args.out:
        write_atomically(table[columns], Path(args.out))
        print(f"wrote {len(table)} checks to {args.out}")
    else:
        with pd.option_context("display.max_rows", None, "display.max_colwidth", 60, "display.width", 200):
            print(table[columns[:-1]].to_string(index=False))
    counts = table["verdict"].value_counts()
    print("; ".join(f"{counts.get(v, 0)} {v}" for v in audit.VERDICTS), file=sys.stderr)
    return 0


def _writable_folder(path: Path, option: str) -> None:
    folder = path if path.is_dir() else (path.parent if str(path.parent) else Path("."))
    if path.exists() and not path.is_dir():
        raise UsageError(f"{option} {path}: exists and is not a folder")
    if not folder.is_dir():
        raise UsageError(f"{option} {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise UsageError(f"{option} {path}: the folder {folder} is not writable")


def _simulate(args: argparse.Namespace) -> int:
    from . import simulate

    if args.n < 1:
        raise UsageError(f"--n {args.n}: must be at least 1")
    params = simulate.Params()
    if args.posts:
        posts = simulate.simulate_posts(args.n, seed=args.seed, params=params)
        write_atomically(posts, Path(args.out))
        print(f"wrote {len(posts):,} simulated posts by {args.n:,} accounts to {args.out}")
        return 0
    campaigns = simulate.simulate(args.n, seed=args.seed, params=params)
    write_atomically(campaigns, Path(args.out))
    if args.params_out:
        record = json.dumps(simulate.params_record(params, args.n, args.seed), indent=2, sort_keys=True)
        _write_text_atomically(record + "\n", Path(args.params_out))
    print(f"wrote {args.n:,} simulated campaigns to {args.out}" + (f" and parameters to {args.params_out}"
                                                                   if args.params_out else ""))
    return 0


def _draw_to_files() -> None:
    """A command-line run draws to files, never to a screen, in the book's house style (its figures match the
    chapters', byte for byte for the same data)."""
    import matplotlib

    matplotlib.use("Agg")
    from .plots import set_style

    set_style()


def _report_dropped(dropped: pd.DataFrame) -> None:
    if len(dropped):
        reasons = dropped.groupby(["column", "rule"]).size().rename("values").reset_index()
        print(f"--drop-invalid: dropped {dropped['line'].nunique():,} row(s):", file=sys.stderr)
        for r in reasons.itertuples():
            print(f"  {r.values:,} value(s) in column {r.column}: {r.rule}", file=sys.stderr)


def _run_analysis(args: argparse.Namespace, path: str, spec, load, fit, write) -> dict:
    """The shape of `analyze` and `engagement`: check the output folder, read and validate the user's file (or
    drop its bad rows), fit, write the report; a progress line on a terminal."""
    from . import progress, schema

    out = Path(args.out)
    _writable_folder(out, "--out")
    column_map = schema.parse_column_map(args.column, spec.known)
    with progress.steps(3) as step:
        step("reading and validating")
        frame = load(Path(path), column_map, drop_invalid=args.drop_invalid)
        _report_dropped(frame.attrs["dropped"])
        step("fitting")
        data, fits = fit(frame)
        step("writing the report")
        return write(out, fits, data, source=Path(path).name)


def _analyze(args: argparse.Namespace) -> int:
    _draw_to_files()
    from . import models, report, schema

    def fit(campaigns: pd.DataFrame):
        data = models.prepare(campaigns)
        if len(data) < MIN_CAMPAIGNS:
            raise UsageError(f"{args.campaigns}: {len(data)} campaign(s) with revenue; the models need at least "
                             f"{MIN_CAMPAIGNS} (with fewer, no interval would mean anything)")
        return data, models.fit_prepared(data, seed=args.seed)

    record = _run_analysis(args, args.campaigns, schema.CAMPAIGNS, schema.load_campaigns, fit, report.write)
    roi = record["elasticity"]["roi"]
    print(f"elasticity of return per dollar: {roi['estimate']:.3f} (95% CI {roi['ci_low']:.3f} to "
          f"{roi['ci_high']:.3f}), {record['n_campaigns']:,} campaigns; wrote {args.out}/report.html and results.json")
    return 0


def _engagement(args: argparse.Namespace) -> int:
    _draw_to_files()
    from . import engagement, report, schema

    def fit(posts: pd.DataFrame):
        data = engagement.prepare(posts)
        accounts = data["account_id"].nunique()
        if accounts < MIN_ACCOUNTS:
            raise UsageError(f"{args.posts}: {accounts} account(s) with engagement; the elasticity needs posts from "
                             f"at least {MIN_ACCOUNTS} accounts")
        return data, engagement.fit_posts(data)

    record = _run_analysis(args, args.posts, schema.POSTS, schema.load_posts, fit, report.write_engagement)
    er = record["elasticity"]["engagement_rate"]
    print(f"elasticity of engagement rate: {er['estimate']:.3f} (95% CI {er['ci_low']:.3f} to {er['ci_high']:.3f}), "
          f"{record['n_posts']:,} posts by {record['n_accounts']:,} accounts; wrote {args.out}/report.html and "
          "results.json")
    return 0


def _allocate(args: argparse.Namespace) -> int:
    _draw_to_files()
    from . import allocate, report, schema

    if not args.budget > 0:
        raise UsageError(f"--budget {args.budget:g}: must be above 0")
    if args.draws < 100:
        raise UsageError(f"--draws {args.draws}: at least 100 (the 5th percentile needs them)")
    if args.out:
        _writable_folder(Path(args.out), "--out")
    if args.campaigns:
        column_map = schema.parse_column_map(args.column, schema.CAMPAIGNS.known)
        campaigns = schema.load_campaigns(Path(args.campaigns), column_map)
        if len(campaigns) < MIN_CAMPAIGNS:
            raise UsageError(f"{args.campaigns}: {len(campaigns)} campaign(s); fitting a market needs at least "
                             f"{MIN_CAMPAIGNS}")
        market = allocate.Market.fitted(campaigns, management_cost=args.management_cost)
        basis = f"a market fitted to {Path(args.campaigns).name}"
    else:
        market = allocate.Market.calibrated(management_cost=args.management_cost)
        basis = "the book's calibrated campaign model (SIMULATED)"
    named = allocate.strategies(market)
    for text in args.strategy or []:
        try:
            named[f"custom {text}"] = allocate.parse_mix(text)
        except ValueError as err:
            raise UsageError(f"--strategy: {err}") from None
    table = allocate.compare(market, [args.budget], named, draws=args.draws, seed=args.seed,
                             breakeven=args.breakeven)
    shown = table.drop(columns="budget").set_index("strategy")
    with pd.option_context("display.width", 200, "display.max_columns", 20, "display.precision", 3):
        print(f"budget ${args.budget:,.0f}, {args.draws:,} draws per strategy, from {basis}; "
              f"loss = revenue below {args.breakeven:g} x spend")
        print(shown[["return_per_dollar", "rpd_p05", "rpd_p95", "p_loss", "mean_revenue", "mean_reach",
                     "mean_creators", "unspent_share"]].to_string())
    if args.out:
        record = {"simulated": True, "basis": basis, "budget": args.budget, "draws": args.draws, "seed": args.seed,
                  "breakeven": args.breakeven, "market": market.to_dict(),
                  "strategies": {n: ({"fill_order": list(s)} if isinstance(s, tuple) else
                                     {k: float(v) for k, v in s.items()}) for n, s in named.items()},
                  "results": table.to_dict(orient="records")}
        report.write_allocation(Path(args.out), record, table)
        print(f"wrote {args.out}/report.html and results.json")
    return 0


def _write_text_atomically(content: str, path: Path) -> None:
    """Write to a temporary file beside `path`, then rename it into place: all of the file or none of it."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"--out {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise UsageError(f"--out {path}: the folder {folder} is not writable")
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _user_file_options(parser: argparse.ArgumentParser, example: str) -> None:
    """--out, --column and --drop-invalid: the options of every subcommand that analyses a user's file."""
    parser.add_argument("--out", required=True, metavar="DIR", help="output folder (created if needed)")
    parser.add_argument("--column", action="append", metavar="OURS=THEIRS",
                        help=f"map a header of yours to one of ours, e.g. --column {example} (repeat for each)")
    parser.add_argument("--drop-invalid", action="store_true",
                        help="drop rows that break a rule (and say how many and why) instead of stopping")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="influencer-roi", description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    simulate = sub.add_parser("simulate", help="write a simulated campaign file (SIMULATED data)",
                              description="Simulate sponsored campaigns from the book's calibrated model and write "
                                          "them as CSV. The output is simulated, not real data.")
    simulate.add_argument("--n", type=int, required=True, help="number of campaigns (of accounts, with --posts)")
    simulate.add_argument("--posts", action="store_true",
                          help="write posts (account_id, platform, followers, likes, comments, sponsored) for "
                               "`engagement` instead of campaigns; --n accounts of about five posts each")
    simulate.add_argument("--seed", type=int, default=0, help="random seed (the same seed gives the same file)")
    simulate.add_argument("--out", required=True, metavar="FILE.csv", help="where to write the campaigns")
    simulate.add_argument("--params-out", metavar="PARAMS.json", help="also write the true parameters here")
    simulate.set_defaults(run=_simulate)

    analyze = sub.add_parser("analyze", help="regress return per dollar on follower count for a campaign file",
                             description="Fit the book's models of return per dollar (revenue / cost) on follower "
                                         "count to a campaign file (columns influencer_id, followers, cost, revenue; "
                                         "optional brand; CSV with any common delimiter, compressed CSV or "
                                         "Parquet) and write results.json, report.html and the figure.")
    analyze.add_argument("campaigns", metavar="CAMPAIGNS.csv", help="the campaign file")
    _user_file_options(analyze, "followers='Follower Count'")
    analyze.add_argument("--seed", type=int, default=0, help="seed for the subsample of the slow models")
    analyze.set_defaults(run=_analyze)

    engage = sub.add_parser("engagement", help="regress engagement rate on follower count for a post file",
                            description="Estimate the elasticity of engagement rate (engagements / followers) with "
                                        "respect to follower count from a post file (columns account_id, followers, "
                                        "and likes + comments or engagements; optional platform, date, views, "
                                        "sponsored), with errors clustered by account, a curvature check and the "
                                        "median account of each tier; write results.json, report.html and the "
                                        "figure.")
    engage.add_argument("posts", metavar="POSTS.csv", help="the post file (CSV, compressed CSV or Parquet)")
    _user_file_options(engage, "account_id=handle")
    engage.set_defaults(run=_engagement)

    allocate = sub.add_parser("allocate", help="compare ways of spending a budget across tiers (SIMULATED)",
                              description="Monte Carlo of a budget spent under each strategy of the sources (all "
                                          "mega, all macro, all micro, all nano, 70/30 micro/mega, the pyramid, "
                                          "nano first; and micro first) and any custom mix, with finite creator "
                                          "supply, audience saturation and a management cost per creator; from the "
                                          "book's "
                                          "calibrated model, or from a market fitted to --campaigns. Prints the "
                                          "comparison; with --out also writes results.json and report.html.")
    allocate.add_argument("--budget", type=float, required=True, help="the budget, in the campaigns' currency")
    allocate.add_argument("--campaigns", metavar="CAMPAIGNS.csv",
                          help="fit revenue and price to this campaign file instead of using the book's model")
    allocate.add_argument("--column", action="append", metavar="OURS=THEIRS", help="as for analyze")
    allocate.add_argument("--strategy", action="append", metavar="TIER=SHARE,...",
                          help='add a custom mix, e.g. --strategy "nano=0.2,micro=0.6,macro=0.2" (repeat)')
    allocate.add_argument("--management-cost", type=float, default=250.0,
                          help="cost of finding, contracting and checking one creator (default 250)")
    allocate.add_argument("--breakeven", type=float, default=1.0,
                          help="revenue per dollar below which a campaign loses money (1 / gross margin; default 1)")
    allocate.add_argument("--draws", type=int, default=10_000, help="Monte Carlo draws per strategy")
    allocate.add_argument("--seed", type=int, default=0, help="random seed")
    allocate.add_argument("--out", metavar="DIR", help="also write results.json and report.html here")
    allocate.set_defaults(run=_allocate)

    audit = sub.add_parser("audit", help="run the claims audit over the evidence ledger",
                           description="Run every consistency check in audit_checks.csv over the evidence ledger "
                                       "and print (or write) the verdicts.")
    audit.add_argument("--evidence", metavar="DIR", help="the evidence folder (default: the book's data/evidence)")
    audit.add_argument("--out", metavar="FILE.csv", help="write the audit table to this CSV instead of printing it")
    audit.add_argument("--verdict", choices=["consistent", "inconsistent", "unverifiable"],
                       help="only the checks with this verdict")
    audit.set_defaults(run=_audit)
    return parser


def main(argv: list[str] | None = None) -> int:
    from .validation import ValidationError

    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (UsageError, ValidationError, FileNotFoundError) as err:
        print(f"influencer-roi {args.command}: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
