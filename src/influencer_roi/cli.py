"""The `influencer-roi` command.

    influencer-roi audit                      # the claims audit as a table
    influencer-roi audit --out audit.csv      # ... written to a CSV file
    influencer-roi audit --evidence DIR       # ... over another copy of the evidence ledger

Exit status: 0 on success, 2 on bad input (a message names the file, line, column and rule; no traceback).
"""

from __future__ import annotations

import argparse
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
    """Write a CSV so that a failure leaves no partial file: a temporary file beside it, then a rename."""
    path = Path(path)
    if path.exists() and path.is_dir():
        raise UsageError(f"--out {path}: is a folder; give a file name")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"--out {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise UsageError(f"--out {path}: the folder {folder} is not writable")
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            frame.to_csv(stream, index=False)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="influencer-roi", description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

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
    from .evidence import LedgerError

    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (UsageError, LedgerError, FileNotFoundError) as err:
        print(f"influencer-roi {args.command}: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
