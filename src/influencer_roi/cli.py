"""The `influencer-roi` command.

    influencer-roi simulate --n 3000 --seed 1 --out campaigns.csv --params-out params.json
    influencer-roi analyze campaigns.csv --out results/
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
    campaigns = simulate.simulate(args.n, seed=args.seed, params=params)
    write_atomically(campaigns, Path(args.out))
    if args.params_out:
        record = json.dumps(simulate.params_record(params, args.n, args.seed), indent=2, sort_keys=True)
        _write_text_atomically(record + "\n", Path(args.params_out))
    print(f"wrote {args.n:,} simulated campaigns to {args.out}" + (f" and parameters to {args.params_out}"
                                                                   if args.params_out else ""))
    return 0


def _analyze(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")  # a command-line run draws to files, never to a screen
    from . import models, report, schema

    out = Path(args.out)
    _writable_folder(out, "--out")
    column_map = schema.parse_column_map(args.column, schema.REQUIRED + schema.OPTIONAL)
    campaigns = schema.load_campaigns(Path(args.campaigns), column_map, drop_invalid=args.drop_invalid)
    dropped = campaigns.attrs["dropped"]
    if len(dropped):
        reasons = dropped.groupby(["column", "rule"]).size().rename("values").reset_index()
        print(f"--drop-invalid: dropped {dropped['line'].nunique():,} row(s):", file=sys.stderr)
        for r in reasons.itertuples():
            print(f"  {r.values:,} value(s) in column {r.column}: {r.rule}", file=sys.stderr)
    data = models.prepare(campaigns)
    fits = models.fit_prepared(data, seed=args.seed)
    record = report.write(out, fits, data, source=Path(args.campaigns).name)
    roi = record["elasticity"]["roi"]
    print(f"elasticity of return per dollar: {roi['estimate']:.3f} (95% CI {roi['ci_low']:.3f} to "
          f"{roi['ci_high']:.3f}), {record['n_campaigns']:,} campaigns; wrote {out}/report.html and results.json")
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="influencer-roi", description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    simulate = sub.add_parser("simulate", help="write a simulated campaign file (SIMULATED data)",
                              description="Simulate sponsored campaigns from the book's calibrated model and write "
                                          "them as CSV. The output is simulated, not real data.")
    simulate.add_argument("--n", type=int, required=True, help="number of campaigns")
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
    analyze.add_argument("--out", required=True, metavar="DIR", help="output folder (created if needed)")
    analyze.add_argument("--seed", type=int, default=0, help="seed for the subsample of the slow models")
    analyze.add_argument("--column", action="append", metavar="OURS=THEIRS",
                         help="map a header of yours to one of ours, e.g. --column followers='Follower Count' "
                              "(repeat for each)")
    analyze.add_argument("--drop-invalid", action="store_true",
                         help="drop rows that break a rule (and say how many and why) instead of stopping")
    analyze.set_defaults(run=_analyze)

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
