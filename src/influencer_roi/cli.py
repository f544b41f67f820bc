"""The `influencer-roi` command.

    influencer-roi simulate --n 3000 --seed 1 --out campaigns.csv --params-out params.json
    influencer-roi analyze campaigns.csv --out results/
    influencer-roi engagement posts.csv --out results/
    influencer-roi allocate --budget 100000 [--campaigns campaigns.csv] [--strategy "nano=0.5,micro=0.5"]
    influencer-roi audit                      # the claims audit as a table
    influencer-roi audit --out audit.csv      # ... written to a CSV file
    influencer-roi audit --evidence DIR       # ... over another copy of the evidence ledger

Exit status: 0 on success; 2 on bad input or a bad option (one message naming the file, line, column, value and
rule, or the option); 130 when interrupted (Ctrl-C); 1 for a fault of the tool itself, with a request to report
it. Never a traceback (INFLUENCER_ROI_DEBUG=1 shows one for a fault of the tool).

Only the standard library is imported before main() starts, so that Ctrl-C is handled from the first moment.
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import sys
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from . import __version__, paths
from .assumptions import ASSUMPTIONS, SUPPLY
from .constants import BREAKEVEN, MAX_INPUT_BYTES, MAX_INPUT_ROWS

# ---- Limits, in one place (the README's section on the command lists them)

MIN_CAMPAIGNS = 20  # below this the models cannot all be fitted (tier dummies, brands, robust errors)
MIN_ACCOUNTS = 3  # clustered errors need several clusters; with fewer there is no slope across accounts
# Exit statuses (the module docstring says when each is given)
EXIT_OK, EXIT_FAULT, EXIT_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130
MAX_CAMPAIGNS = 10_000_000  # simulate --n: a 10M-row file is about 0.8 GB; more is not a test file, it is a disk
MAX_POST_ACCOUNTS = 2_000_000  # simulate --posts --n: about five posts each, so about 10M posts
POSTS_PER_ACCOUNT = 5  # simulate --posts: posts per account, on average (simulate.simulate_posts)
MIN_DRAWS, MAX_DRAWS = 100, 200_000  # allocate --draws: the 5th percentile needs 100; 200k take minutes already
MAX_BUDGET = 1e12  # allocate --budget, in the campaigns' currency
MAX_WORLDS, WORLDS = 5_000, 200  # allocate --worlds: worlds of the evidence (0: the central world only)
INNER, MAX_INNER = 40, 200  # allocate --inner: campaigns per world (the grid: 20); worlds x inner <= MAX_DRAWS
REGION_DRAWS = 2_000  # allocate, with worlds: campaigns per strategy for where the best strategy changes
ESTIMATE_FROM = 1.0  # seconds: a run estimated to take longer says so first (allocate, simulate), with its work
MAX_BREAKEVEN = 1_000.0  # allocate --breakeven: revenue per dollar below which a draw is a loss (1 / margin)
MAX_MANAGEMENT_COST = 1e9  # allocate --management-cost per creator
MAX_SUPPLY = 10_000_000  # allocate --supply: creators in one tier of a niche
PRICE_ELASTICITY_BOUNDS = (0.0, 2.0)  # allocate --price-elasticity: what the command accepts (the book varies less)
# allocate's market assumptions as options: name (assumptions.ASSUMPTIONS), accepted bounds, what it is
MARKET_OPTIONS = (
    ("niche_audience", 0.0, 1e10, "people in the niche the campaign addresses (saturation)"),
    ("reach_share", 0.0, 10.0, "impressions of a post at 31,623 followers, as a share of its followers"),
    ("e_reach", 0.0, 2.0, "follower elasticity of impressions"),
    ("sd_revenue", 0.0, 5.0, "spread of revenue between one campaign's creators, log scale; the mean is held"),
)
MAX_SEED = 2**32 - 1  # numpy's and pandas' seeds
# --max-rows, --max-bytes: how much of a user's file is read (default MAX_INPUT_ROWS, MAX_INPUT_BYTES); raised at most
# to these, which no machine this runs on holds in memory anyway
ROWS_CEILING, BYTES_CEILING = 1_000_000_000, 10**13
DROP_WARN_SHARE = 0.05  # --drop-invalid: above this share dropped (overall, or a tier's differing by as much), warn
DROP_MAX_SHARE = 0.10  # --drop-invalid: refuse above this share unless --max-drop-share raises it
LEDGER_FILES = ("sources.csv", "metrics.csv", "tier_definitions.csv", "claims.csv", "audit_checks.csv")
ANALYZE_FILES = ("roi_fit.svg", "report.html", "results.json")
ENGAGEMENT_FILES = ("engagement_fit.svg", "report.html", "results.json")
ALLOCATE_FILES = ("strategies.svg", "report.html", "results.json")


class UsageError(Exception):
    """Bad input from the user: reported as one message, exit status 2."""


MAX_LINE = 500  # characters in one line the command says; values quoted into it are shortened before (validation)


def _capped(line: str) -> str:
    """The safety net under the shortened values: no line the command says is longer than MAX_LINE characters (a
    64k-character header, a huge cell, a long path are cut with "…")."""
    return "\n".join(part if len(part) <= MAX_LINE else part[: MAX_LINE - 1] + "…" for part in line.split("\n"))


def _say(line: str) -> None:
    print(_capped(line), file=sys.stderr)


def _show(text: str) -> None:
    """What the command prints on stdout (answers, tables, what was written), no line longer than MAX_LINE: a
    paragraph longer than that (the allocation's answer) is broken at a space, so no word of it is lost; a row of a
    table (aligned by runs of spaces), and a run of text with no space in MAX_LINE characters (a value echoed back:
    a --strategy, an output path, a name from the file), are cut with "…" as _say cuts them."""
    import textwrap

    lines = []
    for line in text.split("\n"):
        if len(line) <= MAX_LINE or "  " in line:
            lines.append(_capped(line))
            continue
        broken = textwrap.wrap(
            line, MAX_LINE, break_long_words=False, break_on_hyphens=False, drop_whitespace=True, expand_tabs=False
        )
        lines.extend(_capped(piece) for piece in broken or [line])
    print("\n".join(lines))


# ---- Options


class _OptionError(UsageError):
    """A bad command line, its message already naming the subcommand."""


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors as one line (no usage block) and exit status 2 through main()."""

    def error(self, message: str):
        raise _OptionError(f"{self.prog}: {message} (see {self.prog} --help)")


def _plain(value: float) -> str:
    """1e7 -> '10,000,000', 0.5 -> '0.5' (a bound as a reader writes it)."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,g}"


def _number(low: float, high: float, whole: bool = False, low_open: bool = False, unit: str = ""):
    """An argparse type: a finite number in [low, high] ((low, high] with low_open); whole numbers if `whole`."""

    def convert(text: str):
        try:
            value = int(text) if whole else float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {'a whole number' if whole else 'a number'}") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
        if value < low or (low_open and value == low) or value > high:
            bound = "above" if low_open else "at least"
            raise argparse.ArgumentTypeError(f"{text} must be {bound} {_plain(low)} and at most {_plain(high)}{unit}")
        return value

    return convert


def _share(text: str) -> float:
    return _number(0.0, 1.0)(text)


def _supply(text: str) -> dict:
    """--supply 'nano=5000,micro=800' -> {'nano': 5000, 'micro': 800}: known tiers, each once, whole numbers."""
    supply: dict = {}
    for part in text.split(","):
        tier, sep, count = (x.strip() for x in part.partition("="))
        if not sep or tier not in SUPPLY:
            raise argparse.ArgumentTypeError(
                f"{text!r}: expected TIER=N pairs with tiers from {', '.join(SUPPLY)}"[:300]
            )
        if tier in supply:
            raise argparse.ArgumentTypeError(f"{tier} named twice; give each tier once")
        supply[tier] = _number(0, MAX_SUPPLY, whole=True)(count)
    return supply


def _path(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty path; give a file or folder name")
    if "\x00" in text:
        raise argparse.ArgumentTypeError("a path cannot contain a NUL character")
    return text


# ---- Subcommands


def _audit(args: argparse.Namespace) -> int:
    from . import audit, evidence

    folder = Path(args.evidence) if args.evidence else evidence.evidence_dir()
    if not folder.is_dir():
        raise UsageError(f"--evidence {folder}: no such folder (expected a copy of data/evidence)")
    missing = [name for name in LEDGER_FILES if not (folder / name).is_file()]
    if missing:
        raise UsageError(f"--evidence {folder}: missing {', '.join(missing)} (expected a copy of data/evidence)")
    inputs = [folder / name for name in LEDGER_FILES]
    if args.out:
        paths.check([(Path(args.out), "--out")], inputs)
    table = audit.run_audit(folder=folder)
    if args.verdict:
        table = table[table["verdict"] == args.verdict]
    columns = ["check_id", "kind", "claim_ids", "stated", "recomputed", "verdict", "explanation"]
    if args.out:
        paths.publish({Path(args.out): _csv(table[columns])}, inputs=inputs)
        _show(f"wrote {len(table)} checks to {args.out}")
    else:
        import pandas as pd

        with pd.option_context("display.max_rows", None, "display.max_colwidth", 60, "display.width", 200):
            _show(table[columns[:-1]].to_string(index=False))
    counts = table["verdict"].value_counts()
    _say("; ".join(f"{counts.get(v, 0)} {v}" for v in audit.VERDICTS))
    return EXIT_OK


# A text cell a spreadsheet would run as a formula: it starts with one of these (a tab or carriage return first
# hides the rest from some spreadsheets' check). A cell that reads as a plain number ("-0.385", "+2") is a number to
# a spreadsheet, not a formula, and is left as it is.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"


def spreadsheet_safe(frame):
    """`frame` with every text cell that a spreadsheet would read as a formula (FORMULA_STARTS) prefixed with a
    single quote, which spreadsheets show as text: '=HYPERLINK(...)' becomes "'=HYPERLINK(...)". Only text cells
    change: a column of numbers is never touched (a negative number stays a number), nor a text that is a plain
    number. The frame itself is returned when no cell needs it (no copy)."""
    import pandas as pd

    changed = {}
    for column in frame.columns:
        values = frame[column]
        if not (pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)):
            continue
        try:
            starts = values.str.startswith(FORMULA_STARTS)  # NaN for a cell that is not text
        except AttributeError:  # an object column with no text in it at all
            continue
        risky = values[starts.where(starts.notna(), False).astype(bool)]
        risky = risky[~risky.str.fullmatch(PLAIN_NUMBER).astype(bool)]
        if len(risky):
            changed[column] = values.where(~values.index.isin(risky.index), "'" + risky)
    return frame.assign(**changed) if changed else frame


def _csv(frame):
    """A CSV writer for paths.publish: written in chunks straight to the staged file (no copy in memory unless a
    text cell must be kept from running as a formula in a spreadsheet: spreadsheet_safe)."""
    import io

    frame = spreadsheet_safe(frame)

    def write(stream) -> None:
        text = io.TextIOWrapper(stream, encoding="utf-8", newline="", write_through=True)
        frame.to_csv(text, index=False)
        text.flush()
        text.detach()  # the stream is publish()'s to close

    return write


def _simulate(args: argparse.Namespace) -> int:
    import json

    from . import progress, simulate

    if args.posts and args.n > MAX_POST_ACCOUNTS:  # --n's own check allows MAX_CAMPAIGNS
        raise UsageError(f"--n {args.n}: at most {MAX_POST_ACCOUNTS:,} accounts with --posts (about five posts each)")
    if args.posts and args.params_out:
        raise UsageError("--params-out: the parameters are written with campaigns only (leave out --posts)")
    if args.posts and args.zero_share:
        raise UsageError("--zero-share: campaigns only (posts have no revenue; leave out --posts)")
    targets = [(Path(args.out), "--out")] + ([(Path(args.params_out), "--params-out")] if args.params_out else [])
    paths.check(targets)  # before simulating: refused in a moment rather than after a minute's work
    params = simulate.Params()
    rows = args.n * (POSTS_PER_ACCOUNT if args.posts else 1)
    if rows * progress.SIMULATE_SECONDS >= ESTIMATE_FROM:  # the options' work decides; the estimate is the whole run
        seconds = progress.simulate_run_seconds(rows)
        what, how = (
            ("simulated posts", f"--n {args.n:,} accounts x about {POSTS_PER_ACCOUNT} posts")
            if args.posts
            else ("simulated campaigns", f"--n {args.n:,}")
        )
        _say("note: " + progress.estimate(rows, what, how, seconds))
    if args.posts:
        with progress.steps(2) as step:
            step(f"simulating {args.n:,} accounts' posts")
            posts = simulate.simulate_posts(args.n, seed=args.seed, params=params)
            step(f"writing {len(posts):,} posts")
            paths.publish({Path(args.out): _csv(posts)})
        _show(f"wrote {len(posts):,} simulated posts by {args.n:,} accounts to {args.out}")
        return EXIT_OK
    with progress.steps(2) as step:
        step(f"simulating {args.n:,} campaigns")
        campaigns = simulate.simulate(args.n, seed=args.seed, params=params, zero_share=args.zero_share)
        files = {Path(args.out): _csv(campaigns)}
        if args.params_out:
            record = simulate.params_record(params, args.n, args.seed)
            if args.zero_share:
                record["zero_share"] = args.zero_share
            files[Path(args.params_out)] = json.dumps(record, indent=2, sort_keys=True) + "\n"
        step(f"writing {args.n:,} campaigns")
        paths.publish(files, options=dict(targets))
    _show(
        f"wrote {args.n:,} simulated campaigns to {args.out}"
        + (f" and parameters to {args.params_out}" if args.params_out else "")
    )
    return EXIT_OK


def _draw_to_files() -> None:
    """A command-line run draws to files, never to a screen, in the book's house style (its figures match the
    chapters', byte for byte for the same data)."""
    import matplotlib

    matplotlib.use("Agg")
    from .plots import set_style

    set_style()


def _pct(share: float) -> str:
    return f"{100 * share:.1f}%"


def _uneven(tier: dict, overall: float) -> bool:
    """A tier's share dropped differs from the overall share by more than DROP_WARN_SHARE, and by more than chance
    (a binomial test at 5%: one bad row among nine is not a pattern, all of one tier is)."""
    from scipy.stats import binomtest

    if abs(tier["share"] - overall) <= DROP_WARN_SHARE:
        return False
    return binomtest(tier["dropped"], tier["rows"], min(max(overall, 1e-9), 1 - 1e-9)).pvalue < 0.05


def _drop_warnings(summary: dict) -> list[str]:
    """Why a reader should distrust a run with rows dropped: more than DROP_WARN_SHARE of them, or a tier losing a
    share that differs from the overall one (the estimate then leans on the tiers that kept their rows)."""
    out = []
    if summary["share"] > DROP_WARN_SHARE:
        out.append(
            f"{_pct(summary['share'])} of the rows were dropped, more than {_pct(DROP_WARN_SHARE)}: the "
            "result describes the rows that were kept, which may not be like the others."
        )
    known = {t: v for t, v in summary["by_tier"].items() if t not in ("unknown",) and v["rows"]}
    uneven = [t for t, v in known.items() if _uneven(v, summary["share"])]
    if uneven:
        listed = ", ".join(f"{t} {_pct(known[t]['share'])}" for t in uneven)
        out.append(
            f"the share dropped differs by tier ({listed}, against {_pct(summary['share'])} overall): the "
            "tier comparison and the slope are biased towards the tiers that kept their rows."
        )
    unknown = summary["by_tier"].get("unknown")
    if unknown and unknown["dropped"]:
        out.append(
            f"{unknown['dropped']:,} dropped row(s) had no readable follower count, so their tier is "
            "unknown; if they are mostly of one tier, the result is biased."
        )
    return out


def _dropped(frame, path: str, max_share: float, say) -> dict | None:
    """Report what --drop-invalid dropped (overall, by tier, by rule) through `say`; refuse above max_share.
    Returns the record for results.json (None when nothing was dropped)."""
    from .validation import quoted

    dropped, summary = frame.attrs.pop("dropped"), frame.attrs.pop("drop_summary")
    if not len(dropped):
        return (
            {"rows_read": summary["rows"], "dropped": 0, "share": 0.0, "by_tier": {}, "reasons": [], "warnings": []}
            if summary
            else None
        )
    reasons = dropped.groupby(["column", "rule"]).size().rename("values").reset_index()
    by_tier = ", ".join(
        f"{t} {_pct(v['share'])} ({v['dropped']:,} of {v['rows']:,})" for t, v in summary["by_tier"].items()
    )
    first = dropped.iloc[0]
    if summary["share"] > max_share:
        share = f"{summary['dropped']:,} of {summary['rows']:,} rows ({_pct(summary['share'])})"
        raise UsageError(
            f"{path}: --drop-invalid would drop {share}, more than --max-drop-share allows ({_pct(max_share)}); "
            f"so many dropped rows can bias the result (by tier: "
            f"{by_tier}). The first: {first['line']}, column {first['column']}: value {quoted(first['value'])} breaks "
            f"rule: {first['rule']}. Fix the file, or raise --max-drop-share if you accept the bias"
        )
    say(
        f"--drop-invalid: dropped {summary['dropped']:,} of {summary['rows']:,} row(s) ({_pct(summary['share'])}); "
        f"by tier: {by_tier}"
    )
    for r in reasons.itertuples():
        say(f"  {r.values:,} value(s) in column {r.column}: {r.rule}")
    warned = _drop_warnings(summary)
    for line in warned:
        say(f"warning: {line}")
    return {
        "rows_read": summary["rows"],
        "dropped": summary["dropped"],
        "share": summary["share"],
        "by_tier": summary["by_tier"],
        "reasons": [{"column": r.column, "rule": r.rule, "values": int(r.values)} for r in reasons.itertuples()],
        "warnings": warned,
    }


def _formats_said(formats: dict, currency: str | None, say) -> None:
    """Say what was expanded: abbreviated counts (and the rounding they carry), separators, the currency."""
    for column, entry in formats.items():
        if entry.get("abbreviated"):
            say(
                f"note: {entry['abbreviated']:,} abbreviated {column} value(s) (such as "
                f"{entry['rounding_max_value']}) read as whole numbers; each is rounded to its last digit, by up to "
                f"±{100 * entry['rounding_max']:.2g}% (median ±{100 * entry['rounding_median']:.2g}%)"
            )
        if entry.get("thousands_separators"):
            say(f"note: {entry['thousands_separators']:,} {column} value(s) with thousands separators read")
    if currency:
        say(f"note: amounts are in {currency} (the one currency symbol of the file)")


@contextmanager
def _libraries_frozen() -> Iterator[None]:
    """The libraries are imported by now: their hundreds of thousands of objects live as long as the run, so the
    garbage collector need not walk them again and again (statsmodels' Holm correction alone calls gc.collect())."""
    import gc

    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _run_analysis(args: argparse.Namespace, path: str, spec, load, prepare, fit, files, names) -> dict:
    """The shape of `analyze` and `engagement`: check the output folder, read and validate the user's file (or
    drop its bad rows), prepare (refusing data no model can be fitted to), fit, write the report; a progress line
    on a terminal. What was dropped or expanded is said once the run has succeeded (a refusal is one message).
    The file as read is let go before fitting, so that memory holds one copy of the data."""
    from concurrent.futures import ThreadPoolExecutor

    from . import progress, report, schema

    out = Path(args.out)
    source = Path(path)
    paths.check_folder(out, names, inputs=[source])
    column_map = schema.parse_column_map(args.column, spec.known)
    convention = _convention(args)
    notes: list[str] = []
    with _libraries_frozen(), progress.steps(3) as step, ThreadPoolExecutor(max_workers=1) as background:
        # hashing releases the GIL: the input's SHA-256 is computed beside the reading and fitting
        digest = background.submit(report.sha256, source) if os.path.isfile(source) else None
        step("reading and validating")
        frame = load(source, column_map, drop_invalid=args.drop_invalid, convention=convention, limits=_limits(args))
        drop = _dropped(frame, path, args.max_drop_share, notes.append) if args.drop_invalid else None
        formats, currency = frame.attrs.pop("formats", {}), frame.attrs.pop("currency", None)
        _formats_said(formats, currency, notes.append)
        if convention.stated:
            notes.append(f"note: numbers read with {convention.said()} (as --decimal and --thousands say)")
        about = {
            "input_formats": formats,
            "currency": currency,
            "drop_invalid": drop,
            "number_convention": {
                "decimal": convention.decimal,
                "thousands": convention.thousands or None,
                "stated": convention.stated,
            },
        }
        step("fitting")
        data = prepare(frame)
        del frame
        fits = fit(data)
        step("writing the report")
        run = report.run_info(source, digest.result() if digest else None)
        record, content = files(fits, data, source.name, run, about)
        paths.publish({out / name: text for name, text in content.items()}, inputs=[source], make_folder=True)
    for line in notes:
        _say(line)
    return record


def _varies(data, path: str, outcome: str, unit: str, outcome_words: str) -> None:
    """Refuse data with no slope to estimate: one follower count for all (the design is singular), or one value of
    the outcome for all (every model fits exactly, with no error to speak of)."""
    if data["followers"].nunique() < 2:
        raise UsageError(
            f"{path}: every {unit} has the same follower count ({data['followers'].iloc[0]:,}); a "
            "slope on follower count needs accounts of different sizes"
        )
    if data[outcome].max() - data[outcome].min() < 1e-12:
        raise UsageError(
            f"{path}: every {unit} has the same {outcome_words} "
            f"({math.exp(data[outcome].iloc[0]):.4g}); there is no variation to relate to "
            "follower count"
        )


def _not_estimable(fits, model: str) -> str | None:
    rows = fits[fits["model"] == model]
    note = rows["note"].dropna() if "note" in rows.columns else rows["model"].iloc[:0]
    return next((n for n in note if n.startswith("not estimable")), None)


def _repeated(rows: int) -> str:
    return f"{rows:,} row(s) that repeated a campaign exactly dropped"


def _zeros(record: dict) -> str:
    zero = record["zero_revenue"]
    if not zero["campaigns"]:
        return "none with zero revenue"
    return f"{zero['campaigns']:,} of them with zero revenue ({_pct(zero['share'])}), included"


def _analyze(args: argparse.Namespace) -> int:
    _draw_to_files()
    from . import models, report, schema

    def prepare(campaigns):
        data = models.prepare(campaigns, keep_zeros=True)  # the main model keeps campaigns with zero revenue
        repeats = int(campaigns.attrs.get("dropped_duplicates", 0))
        data.attrs["dropped_duplicates"] = repeats
        positive = models.with_revenue(data)
        if len(positive) < MIN_CAMPAIGNS:
            zero = len(data) - len(positive)
            raise UsageError(
                f"{args.campaigns}: {len(positive)} campaign(s) with revenue"
                + (f" and {zero:,} with zero revenue" if zero else "")
                + (f" ({_repeated(repeats)})" if repeats else "")
                + f"; the models need at least {MIN_CAMPAIGNS} campaigns with revenue (with fewer, no interval "
                "would mean anything)"
            )
        _varies(positive, args.campaigns, "log_roas", "campaign with revenue", "revenue per dollar")
        return data

    def fit(data):
        fits = models.fit_prepared(data, seed=args.seed)
        reason = _not_estimable(fits, models.MAIN_MODEL)
        if reason:
            raise UsageError(f"{args.campaigns}: the elasticity of return per dollar is {reason}")
        return fits

    def files(fits, data, source, run, about):
        return report.analysis_files(fits, data, source, run, about, currency=about["currency"] or "")

    record = _run_analysis(
        args, args.campaigns, schema.CAMPAIGNS, schema.load_campaigns, prepare, fit, files, ANALYZE_FILES
    )
    roi = record["elasticity"]["roi"]
    repeats = record.get("dropped_duplicates", 0)
    _show(report.answer(record))
    _show(
        f"elasticity of return per dollar: {roi['estimate']:.3f} (95% CI {roi['ci_low']:.3f} to "
        f"{roi['ci_high']:.3f}), {record['n_campaigns']:,} campaigns"
        + (f" ({_repeated(repeats)})" if repeats else "")
        + f", {_zeros(record)}; wrote {args.out}/report.html and results.json"
    )
    return EXIT_OK


def _engagement(args: argparse.Namespace) -> int:
    _draw_to_files()
    from . import engagement, post_table, report, schema

    def prepare(posts):
        # exact repeats of one post (same post_id, every value) are dropped and counted, as the book's chapter does
        posts = post_table.drop_duplicate_posts(posts)
        # only what the models use: at ten million posts each other column is 80 MB more to hold while fitting
        data = post_table.prepare(
            posts[
                [
                    c
                    for c in ("account_id", "followers", "engagements", "platform", "sponsored", "date")
                    if c in posts.columns
                ]
            ]
        )
        data.attrs["dropped_duplicates"] = posts.attrs["dropped_duplicates"]
        accounts = data["account_id"].nunique()
        if accounts < MIN_ACCOUNTS:
            raise UsageError(
                f"{args.posts}: {accounts} account(s) with engagement; the elasticity needs posts from "
                f"at least {MIN_ACCOUNTS} accounts"
            )
        _varies(data, args.posts, "log_er", "post with engagement", "engagement rate")
        return data

    def fit(data):
        fits = engagement.fit_posts(data)
        reason = _not_estimable(fits, "ols_clustered")
        if reason:
            raise UsageError(f"{args.posts}: the elasticity of engagement rate is {reason}")
        return fits

    record = _run_analysis(
        args, args.posts, schema.POSTS, schema.load_posts, prepare, fit, report.engagement_files, ENGAGEMENT_FILES
    )
    er = record["elasticity"]["engagement_rate"]
    _show(report.engagement_answer(record))
    _show(
        f"elasticity of engagement rate: {er['estimate']:.3f} (95% CI {er['ci_low']:.3f} to {er['ci_high']:.3f}), "
        f"{record['n_posts']:,} posts by {record['n_accounts']:,} accounts; wrote {args.out}/report.html and "
        "results.json"
    )
    return EXIT_OK


def _custom_mixes(texts: list[str] | None) -> dict:
    """--strategy values as named mixes; a tier named twice is refused (the second would silently win)."""
    from . import allocate

    named = {}
    for text in texts or []:
        tiers = [part.partition("=")[0].strip() for part in text.split(",")]
        twice = sorted({t for t in tiers if tiers.count(t) > 1})
        if twice:
            raise UsageError(f"--strategy {text!r}: {', '.join(twice)} named twice; give each tier once")
        try:
            mix = allocate.parse_mix(text)
        except ValueError as err:
            raise UsageError(f"--strategy: {err}") from None
        if not all(math.isfinite(v) for v in mix.values()):
            raise UsageError(f"--strategy {text!r}: shares must be finite numbers")
        named[f"custom {text}"] = mix
    return named


def _across_worlds(market, named: dict, table, args: argparse.Namespace, step=None):
    """The strategies in `args.worlds` worlds of the evidence (worlds.draws: the synthesis's joint draws, the level
    and the reach elasticity), `args.inner` campaigns each, ranked as the decision grid ranks them
    (allocate.margin_ranking: expected margin over the worlds): each strategy's expected margin over the worlds, its
    probability of being best and the 5th and 95th percentiles of its expected revenue across the worlds join
    `table`; and where, inside the synthesis's interval for the elasticity of return per dollar, the best strategy
    changes (the condition of the recommendation). With the grid's worlds, campaigns and seed
    (decision_grid.WORLDS, INNER, SEED) at one of its settings, the numbers are the grid's."""
    from . import allocate, worlds

    world_table = worlds.draws(args.worlds, seed=args.seed, price_elasticity=market.e_price)
    by_world = allocate.compare_worlds(
        market,
        [args.budget],
        named,
        world_table,
        inner=args.inner,
        seed=args.seed,
        breakeven=args.breakeven,
        step=step and (lambda name: step(f"{args.worlds:,} worlds: {name}")),
    )
    decision = allocate.decision_table(by_world).rename(
        columns={"revenue_p05": "revenue_worlds_p05", "revenue_p95": "revenue_worlds_p95"}
    )
    ranking = allocate.margin_ranking(by_world)
    table = table.merge(
        ranking[["strategy", "mean_margin", "p_best"]].rename(columns={"mean_margin": "margin_worlds"}),
        on="strategy",
    ).merge(decision[["strategy", "revenue_worlds_p05", "revenue_worlds_p95"]], on="strategy")
    rpd = worlds.return_interval(market.e_price)  # at this run's price elasticity, as its worlds are drawn
    interval = (float(rpd["ci_low"]), float(rpd["ci_high"]))
    regions = allocate.best_regions(
        market,
        args.budget,
        named,
        margin=1 / args.breakeven,
        draws=REGION_DRAWS,
        step=step and (lambda name: step(f"regions: {name}")),
    )
    return table, {
        "worlds": int(args.worlds),
        "inner": int(args.inner),
        "ranked_by": "expected margin over the worlds (revenue x gross margin - spend)",
        # when no strategy can book anyone every margin is 0: no strategy is best (a tie goes to none)
        "best": str(ranking.loc[ranking["best"], "strategy"].iloc[0]) if ranking["mean_margin"].ne(0).any() else None,
        "elasticity": float(rpd["estimate"]),
        "interval": list(interval),
        "best_by_elasticity": allocate.regions_inside(regions, interval),
        "evpi": float(ranking["evpi"].iloc[0]),
        "evpi_in": "margin",
    }


def _say_allocate_work(args: argparse.Namespace, strategies: int, across: bool) -> None:
    """Before a long allocation (ESTIMATE_FROM), how much it simulates and roughly how long that takes: --draws,
    --worlds and the number of strategies multiply the work."""
    from . import progress

    each = args.draws + (args.worlds * args.inner + REGION_DRAWS if across else 0)
    units = strategies * each
    if units * progress.allocate_seconds(args.budget) < ESTIMATE_FROM:  # the options' work decides whether to say it
        return
    seconds = progress.allocate_run_seconds(units, args.budget)  # ... and the estimate is the whole run's
    parts = f"{args.draws:,} draws" + (
        f" + {args.worlds:,} worlds x {args.inner} + {REGION_DRAWS:,} for where the best changes" if across else ""
    )
    _say("note: " + progress.estimate(units, "simulated campaigns", f"{strategies} strategies x ({parts})", seconds))


def _market_assumptions(args: argparse.Namespace) -> dict:
    """The market's assumptions as given on the command line (management cost, supply, the MARKET_OPTIONS), the
    defaults (assumptions.ASSUMPTIONS) for the rest; sd_revenue only when given (else the model's or the file's)."""
    given = {name: getattr(args, name) for name, *_ in MARKET_OPTIONS if getattr(args, name) is not None}
    return {
        "management_cost": args.management_cost,
        "supply": {**SUPPLY, **(args.supply or {})},
        **{name: ASSUMPTIONS[name].value for name in ("niche_audience", "reach_share", "e_reach")},
        **given,
    }


def _assumptions_record(args: argparse.Namespace, market, fitted: bool) -> dict:
    """Every input the run used, under results.json's `assumptions`: the value, and for each assumption of the
    table its stated range and source, and whether it was given on the command line."""
    used = {
        "management_cost": market.management_cost,
        "supply": dict(market.supply),
        "niche_audience": market.niche_audience,
        "reach_share": market.reach_share,
        "e_reach": market.e_reach,
        "sd_revenue": market.sd_revenue,
        "price_elasticity": market.e_price,
        "gross_margin": 1 / args.breakeven,
        "breakeven": args.breakeven,
    }
    out = {}
    for name, value in used.items():
        entry = {"value": value}
        if name in ASSUMPTIONS:
            a = ASSUMPTIONS[name]
            entry.update({"range": [a.low, a.high], "unit": a.unit, "source": a.source})
        elif name == "supply":
            a = ASSUMPTIONS["supply_scale"]
            entry.update({"range_scale": [a.low, a.high], "source": a.source})
        if fitted and name in ("price_elasticity", "sd_revenue"):
            entry["source"] = "fitted to --campaigns"
        out[name] = entry
    return out


def _allocate(args: argparse.Namespace) -> int:
    _draw_to_files()
    args.breakeven = 1 / args.margin if args.margin is not None else args.breakeven or BREAKEVEN
    import pandas as pd

    from . import allocate, allocation_report, progress, report, schema, tiers
    from .validation import QUOTED_MAX, shorten

    inputs = [Path(args.campaigns)] if args.campaigns else []
    if args.out is not None:
        paths.check_folder(Path(args.out), ALLOCATE_FILES, inputs=inputs)
    custom = _custom_mixes(args.strategy)
    if not args.campaigns and args.worlds * args.inner > MAX_DRAWS:
        raise UsageError(
            f"--worlds {args.worlds:,} x --inner {args.inner:,} is {args.worlds * args.inner:,} campaigns per "
            f"strategy; at most {MAX_DRAWS:,} (as for --draws): lower one of them"
        )
    currency = "$"
    uncovered: list[str] = []  # tiers with no campaign of the user's file: the fitted market extrapolates into them
    zero_revenue = None  # with --campaigns: how many of the file's campaigns sold nothing (the market draws as many)
    if args.campaigns:
        column_map = schema.parse_column_map(args.column, schema.CAMPAIGNS.known)
        campaigns = schema.load_campaigns(
            Path(args.campaigns), column_map, convention=_convention(args), limits=_limits(args)
        )
        currency = campaigns.attrs.get("currency") or ""
        if campaigns.attrs.get("dropped_duplicates"):
            _say(f"note: {_repeated(campaigns.attrs['dropped_duplicates'])}")
        usable = campaigns[(campaigns["revenue"] > 0)]
        zero = len(campaigns) - len(usable)
        if len(usable) < MIN_CAMPAIGNS:
            raise UsageError(
                f"{args.campaigns}: {len(usable)} campaign(s) with revenue"
                + (f" and {zero:,} with zero revenue" if zero else "")
                + f"; fitting a market needs at least {MIN_CAMPAIGNS} with revenue"
            )
        if usable["followers"].nunique() < 2:
            raise UsageError(
                f"{args.campaigns}: every campaign has the same follower count; a market's price and "
                "revenue curves need accounts of different sizes"
            )
        if zero:
            _say(
                f"note: {zero:,} of the {len(campaigns):,} campaigns ({_pct(zero / len(campaigns))}) had zero "
                "revenue; the market keeps them (as analyze's main estimate does): its mean revenue counts them, and "
                "a booked creator sells nothing with that chance"
            )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a perfect fit's zero spread is checked just below
            market = allocate.Market.fitted(campaigns, **_market_assumptions(args))
        if not all(
            math.isfinite(v)
            for v in (
                market.revenue_ref,
                market.e_revenue,
                market.sd_revenue,
                market.price_ref,
                market.e_price,
                market.sd_price,
            )
        ):
            raise UsageError(f"{args.campaigns}: the revenue and price curves cannot be fitted to these campaigns")
        zero_revenue = {"campaigns": zero, "share": zero / len(campaigns)}
        basis = f"a market fitted to {Path(args.campaigns).name}" + (
            f" ({zero:,} of its {len(campaigns):,} campaigns had zero revenue; the market draws zeros at that rate)"
            if zero
            else ""
        )
        uncovered = tiers.tiers_without(campaigns["followers"])
    else:
        assumed = _market_assumptions(args)
        market = allocate.Market.calibrated(
            price_elasticity=args.price_elasticity, sd_revenue=assumed.pop("sd_revenue", None), **assumed
        )
        basis = "the book's calibrated campaign model (SIMULATED)"
    named = {**allocate.strategies(market), **custom}
    evidence = None
    across = not args.campaigns and args.worlds > 0
    _say_allocate_work(args, len(named), across)
    with warnings.catch_warnings(), progress.steps(len(named) * (3 if across else 1)) as step:
        # a strategy that cannot book one creator on this budget spends nothing: its return per dollar is 0 / 0,
        # shown as "–" and explained below the table, not as numpy's warning
        warnings.simplefilter("ignore", RuntimeWarning)
        table = allocate.compare(
            market,
            [args.budget],
            named,
            draws=args.draws,
            seed=args.seed,
            breakeven=args.breakeven,
            step=lambda name: step(f"{args.draws:,} draws: {name}"),
        )
        if across:
            table, evidence = _across_worlds(market, named, table, args, step)
    record = {
        "run": report.run_info(Path(args.campaigns) if args.campaigns else None),
        "simulated": True,
        "basis": basis,
        "budget": args.budget,
        "currency": currency or None,
        "draws": args.draws,
        "seed": args.seed,
        "breakeven": args.breakeven,
        "assumptions": _assumptions_record(args, market, bool(args.campaigns)),
        "market": market.to_dict(),
        "tiers_without_campaigns": uncovered,
        "zero_revenue": zero_revenue,
        "evidence": evidence,
        "strategies": {
            n: ({"fill_order": list(s)} if isinstance(s, tuple) else {k: float(v) for k, v in s.items()})
            for n, s in named.items()
        },
        "results": table.to_dict(orient="records"),
    }
    _show(allocation_report.allocation_answer(record, table, currency))
    one_world = args.campaigns or not args.worlds
    worlds_text = (
        f" and {evidence['worlds']:,} worlds of the evidence x {evidence['inner']:,} campaigns"
        if evidence
        else " (one world: no evidence uncertainty)"
        if one_world
        else ""
    )
    _show(
        f"budget {allocation_report.fmt_money(args.budget, currency)}, {args.draws:,} draws per strategy"
        f"{worlds_text}, from {basis}; loss = revenue below {args.breakeven:.3g} x spend"
    )
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        shown = allocation_report.format_allocation(table, currency)
        shown.index = [shorten(str(name), QUOTED_MAX) for name in shown.index]  # a custom mix's name as typed
        _show(shown.to_string())
    idle = table.loc[table["mean_creators"] == 0, "strategy"].tolist()
    if idle:
        _show(f"({', '.join(idle)}: no creator can be booked with this budget, so nothing is spent)")
    if args.out is not None:
        content = allocation_report.allocation_files(record, table, currency)
        paths.publish({Path(args.out) / name: text for name, text in content.items()}, inputs=inputs, make_folder=True)
        _show(f"wrote {args.out}/report.html and results.json")
    return EXIT_OK


# ---- The parser


def _convention_options(parser: argparse.ArgumentParser) -> None:
    """--decimal and --thousands: how the user's file writes numbers."""
    parser.add_argument(
        "--decimal",
        choices=[".", ","],
        help="the file's decimal mark (--decimal , reads 1.234,56 and 0,034; implies --thousands . unless given); "
        "by default the dot, and a value such as 1.200 that could be read either way is refused unless the file's "
        "other values show which",
    )
    parser.add_argument(
        "--thousands",
        choices=[",", ".", "none"],
        help="the file's thousands separator (--thousands . reads 1.200 as one thousand two hundred; implies "
        "--decimal , unless given); by default the comma",
    )


def _limit_options(parser: argparse.ArgumentParser) -> None:
    """--max-rows and --max-bytes: how much of the user's file is read before it is refused as too large."""
    parser.add_argument(
        "--max-rows",
        type=_number(1, ROWS_CEILING, whole=True),
        default=MAX_INPUT_ROWS,
        metavar="N",
        help=f"read at most N rows of the file (default {MAX_INPUT_ROWS:,}); a file with more is refused, "
        "and reading stops there",
    )
    parser.add_argument(
        "--max-bytes",
        type=_number(1, BYTES_CEILING, whole=True),
        default=MAX_INPUT_BYTES,
        metavar="N",
        help=f"read at most N bytes of CSV text, counted after decompression (default {MAX_INPUT_BYTES:,}; for "
        "Parquet, the uncompressed size of the columns read); a file with more is refused, and reading stops there",
    )


def _limits(args: argparse.Namespace):
    """The caps --max-rows and --max-bytes state (schema.Limits)."""
    from . import schema

    return schema.Limits(rows=args.max_rows, bytes=args.max_bytes)


def _convention(args: argparse.Namespace):
    """The convention --decimal and --thousands state (the default when neither is given)."""
    from . import validation

    try:
        return validation.Convention.from_options(args.decimal, args.thousands)
    except ValueError as err:
        raise UsageError(str(err)) from None


def _user_file_options(parser: argparse.ArgumentParser, example: str) -> None:
    """--out, --column, --drop-invalid, --max-drop-share, --decimal and --thousands: the options of every
    subcommand that analyses a user's file; and --max-rows, --max-bytes."""
    _convention_options(parser)
    _limit_options(parser)
    parser.add_argument(
        "--out",
        required=True,
        metavar="DIR",
        type=_path,
        help="output folder (created if needed; only the tool's own file names are written)",
    )
    parser.add_argument(
        "--column",
        action="append",
        metavar="OURS=THEIRS",
        help=f"map a header of yours to one of ours, e.g. --column {example} (repeat for each)",
    )
    parser.add_argument(
        "--drop-invalid",
        action="store_true",
        help="drop rows that break a rule (and say how many, by tier and why) instead of stopping",
    )
    parser.add_argument(
        "--max-drop-share",
        type=_share,
        default=DROP_MAX_SHARE,
        metavar="SHARE",
        help=f"with --drop-invalid, refuse to drop more than this share of the rows (default "
        f"{DROP_MAX_SHARE:g}; above {DROP_WARN_SHARE:g}, or when the share differs by tier, a "
        "warning says the result may be biased)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="influencer-roi", description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    seed = _number(0, MAX_SEED, whole=True)

    simulate = sub.add_parser(
        "simulate",
        help="write a simulated campaign file (SIMULATED data)",
        description="Simulate sponsored campaigns from the book's calibrated model and write "
        "them as CSV. The output is simulated, not real data.",
    )
    simulate.add_argument(
        "--n",
        type=_number(1, MAX_CAMPAIGNS, whole=True),
        required=True,
        help=f"number of campaigns, at most {MAX_CAMPAIGNS:,} (of accounts with --posts, at most "
        f"{MAX_POST_ACCOUNTS:,})",
    )
    simulate.add_argument(
        "--posts",
        action="store_true",
        help="write posts (account_id, platform, followers, likes, comments, sponsored) for "
        "`engagement` instead of campaigns; --n accounts of about five posts each",
    )
    simulate.add_argument(
        "--zero-share",
        type=_number(0.0, 0.95),
        default=0.0,
        metavar="SHARE",
        help="expected share of campaigns with zero revenue, at most 0.95 (default 0: none); revenue then arrives "
        "in whole lumps, so that campaigns expected to bring little more often bring nothing, and the mean "
        "elasticities stay the ones given",
    )
    simulate.add_argument("--seed", type=seed, default=0, help="random seed (the same seed gives the same file)")
    simulate.add_argument("--out", required=True, metavar="FILE.csv", type=_path, help="where to write the campaigns")
    simulate.add_argument("--params-out", metavar="PARAMS.json", type=_path, help="also write the true parameters here")
    simulate.set_defaults(run=_simulate)

    analyze = sub.add_parser(
        "analyze",
        help="regress return per dollar on follower count for a campaign file",
        description="Fit the book's models of return per dollar (revenue / cost) on follower "
        "count to a campaign file (columns influencer_id, followers, cost, revenue; "
        "optional brand; CSV with any common delimiter, compressed CSV or "
        "Parquet) and write results.json, report.html and the figure. The main estimate is "
        "Poisson pseudo-maximum likelihood on every campaign, zero revenue included; the log "
        "model on the campaigns with revenue is reported beside it.",
    )
    analyze.add_argument("campaigns", metavar="CAMPAIGNS.csv", type=_path, help="the campaign file")
    _user_file_options(analyze, "followers='Follower Count'")
    analyze.add_argument("--seed", type=seed, default=0, help="seed for the subsample of the slow models")
    analyze.set_defaults(run=_analyze)

    engage = sub.add_parser(
        "engagement",
        help="regress engagement rate on follower count for a post file",
        description="Estimate the elasticity of engagement rate (engagements / followers) with "
        "respect to follower count from a post file (columns account_id, followers, "
        "and likes + comments or engagements; optional platform, date, views, "
        "sponsored), with errors clustered by account, a curvature check, the "
        "median account of each tier, the slope in each tier (a piecewise-linear "
        "spline with knots at 10k, 100k and 1M followers) with the test of equal "
        "slopes, and, when the file has a sponsored flag, sponsored against the same "
        "accounts' other posts by tier (with a trend in post date when it has dates); "
        "write results.json, report.html and the figure.",
    )
    engage.add_argument("posts", metavar="POSTS.csv", type=_path, help="the post file (CSV, compressed CSV or Parquet)")
    _user_file_options(engage, "account_id=handle")
    engage.set_defaults(run=_engagement)

    allocate = sub.add_parser(
        "allocate",
        help="compare ways of spending a budget across tiers (SIMULATED)",
        description="Monte Carlo of a budget spent under each strategy of the sources (all "
        "mega, all macro, all micro, all nano, 70/30 micro/mega, the pyramid, "
        "nano first; and micro first) and any custom mix, with finite creator "
        "supply, audience saturation and a management cost per creator; from the "
        "book's "
        "calibrated model, or from a market fitted to --campaigns. Prints the "
        "comparison; with --out also writes results.json and report.html.",
    )
    allocate.add_argument(
        "--budget",
        type=_number(0, MAX_BUDGET, low_open=True),
        required=True,
        help=f"the budget, in the campaigns' currency (above 0, at most {MAX_BUDGET:,.0f})",
    )
    allocate.add_argument(
        "--campaigns",
        metavar="CAMPAIGNS.csv",
        type=_path,
        help="fit revenue and price to this campaign file instead of using the book's model",
    )
    allocate.add_argument("--column", action="append", metavar="OURS=THEIRS", help="as for analyze")
    _convention_options(allocate)
    _limit_options(allocate)
    allocate.add_argument(
        "--strategy",
        action="append",
        metavar="TIER=SHARE,...",
        help='add a custom mix, e.g. --strategy "nano=0.2,micro=0.6,macro=0.2" (repeat)',
    )
    allocate.add_argument(
        "--management-cost",
        type=_number(0, MAX_MANAGEMENT_COST),
        default=ASSUMPTIONS["management_cost"].value,
        help="cost of finding, contracting and checking one creator (default "
        f"{ASSUMPTIONS['management_cost'].value:g}; an assumption, the book varies it "
        f"{ASSUMPTIONS['management_cost'].low:g} to {ASSUMPTIONS['management_cost'].high:g})",
    )
    margin = allocate.add_mutually_exclusive_group()
    margin.add_argument(
        "--margin",
        type=_number(0, 1, low_open=True),
        help="gross margin, the share of revenue left after the goods (above 0, at most 1; default "
        f"{1 / BREAKEVEN:g}); a campaign loses money when revenue x margin is below its spend",
    )
    margin.add_argument(
        "--breakeven",
        type=_number(1, MAX_BREAKEVEN),
        help="the same as 1 / --margin: revenue per dollar below which a campaign loses money (at least 1, a 100%% "
        "margin; at most "
        f"{MAX_BREAKEVEN:,.0f}; default {BREAKEVEN:g}, a 50%% margin, as in the book)",
    )
    allocate.add_argument(
        "--supply",
        type=_supply,
        metavar="TIER=N,...",
        help="suitable creators per tier in your niche, e.g. --supply nano=5000,micro=800 (tiers not named keep "
        f"the default {', '.join(f'{t} {n:,}' for t, n in SUPPLY.items())}; each 0 to {MAX_SUPPLY:,})",
    )
    allocate.add_argument(
        "--price-elasticity",
        type=_number(*PRICE_ELASTICITY_BOUNDS),
        default=ASSUMPTIONS["price_elasticity"].value,
        help="how fast the price per post rises with followers (default "
        f"{ASSUMPTIONS['price_elasticity'].value:g}; an assumption, the book varies it "
        f"{ASSUMPTIONS['price_elasticity'].low:g} to {ASSUMPTIONS['price_elasticity'].high:g}; "
        f"{PRICE_ELASTICITY_BOUNDS[0]:g} to {PRICE_ELASTICITY_BOUNDS[1]:g} accepted; ignored with --campaigns, "
        "whose prices are fitted)",
    )
    for name, low, high, words in MARKET_OPTIONS:
        a = ASSUMPTIONS[name]
        allocate.add_argument(
            "--" + name.replace("_", "-"),
            type=_number(low, high, low_open=low == 0),
            default=None,
            help=f"{words} (default {'the model' + chr(39) + 's' if name == 'sd_revenue' else ''}"
            f"{'' if name == 'sd_revenue' else f'{a.value:g}'}; an assumption, the book varies it {a.low:g} to "
            f"{a.high:g}; {'above' if low == 0 else 'at least'} {low:g}, at most {high:g})",
        )
    allocate.add_argument(
        "--worlds",
        type=_number(0, MAX_WORLDS, whole=True),
        default=WORLDS,
        help="worlds of the evidence's uncertainty to spend the budget in, --inner campaigns each "
        f"(default {WORLDS}; 0: the central world only; ignored with --campaigns, whose market "
        "is your own)",
    )
    allocate.add_argument(
        "--inner",
        type=_number(2, MAX_INNER, whole=True),
        default=INNER,
        help=f"campaigns simulated in each world (2 to {MAX_INNER:,}; default {INNER}; --worlds x --inner at most "
        f"{MAX_DRAWS:,}; the book's decision grid uses --worlds 100 --inner 20 --seed 2026)",
    )
    allocate.add_argument(
        "--draws",
        type=_number(MIN_DRAWS, MAX_DRAWS, whole=True),
        default=10_000,
        help=f"Monte Carlo draws per strategy ({MIN_DRAWS:,} to {MAX_DRAWS:,}; default 10,000)",
    )
    allocate.add_argument("--seed", type=seed, default=0, help="random seed")
    allocate.add_argument("--out", metavar="DIR", type=_path, help="also write results.json and report.html here")
    allocate.set_defaults(run=_allocate)

    audit = sub.add_parser(
        "audit",
        help="run the claims audit over the evidence ledger",
        description="Run every consistency check in audit_checks.csv over the evidence ledger "
        "and print (or write) the verdicts.",
    )
    audit.add_argument(
        "--evidence", metavar="DIR", type=_path, help="the evidence folder (default: the book's data/evidence)"
    )
    audit.add_argument(
        "--out", metavar="FILE.csv", type=_path, help="write the audit table to this CSV instead of printing it"
    )
    audit.add_argument(
        "--verdict", choices=["consistent", "inconsistent", "unverifiable"], help="only the checks with this verdict"
    )
    audit.set_defaults(run=_audit)
    return parser


# ---- Running


def _user_error(err: BaseException) -> bool:
    """Bad input, a bad option or an output that cannot be written: the user's to fix (exit status 2)."""
    kinds = [UsageError, paths.OutputError]
    validation = sys.modules.get("influencer_roi.validation")
    if validation is not None:
        kinds.append(validation.ValidationError)
    return isinstance(err, tuple(kinds))


def _quiet_stdout() -> None:
    """After a closed pipe (`influencer-roi audit | head`), send what is left to /dev/null instead of failing."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


class _Stopped(KeyboardInterrupt):
    """SIGTERM (a CI time-out, `kill`) or SIGHUP (a closed terminal), raised where the run is, so that it stops
    exactly as for Ctrl-C: nothing half-written, nothing staged left behind, one line said."""

    def __init__(self, signum: int) -> None:
        super().__init__()
        self.signum = signum


def _raise_stopped(signum: int, frame) -> None:
    raise _Stopped(signum)


def main(argv: list[str] | None = None) -> int:
    """Run the command; return its exit status (argv None: the command line, and the process ends at once)."""
    _tolerant_output()
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for signum in paths.STOPPING:
            if signum != signal.SIGINT and signal.getsignal(signum) is not signal.SIG_IGN:
                previous[signum] = signal.signal(signum, _raise_stopped)
    try:
        status = _run(argv)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if argv is None:
        _finish(status)
    return status


def _tolerant_output() -> None:
    """What the command says uses a few characters beyond ASCII (en dash, ±, ≥); a terminal or pipe whose encoding
    lacks them (PYTHONIOENCODING=ascii, a legacy Windows code page) gets them escaped, as Python's stderr does
    already, rather than a failed run after the outputs are written."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="backslashreplace")
            except (ValueError, OSError):  # a closed or detached stream: nothing to say there anyway
                pass


def _finish(status: int) -> None:
    """End the process as soon as a run from the command line is over. Python's own shut-down, tearing down pandas,
    Arrow, statsmodels and a million rows, takes about half a second the user would wait for, with nothing left to
    do: the outputs are closed and in place, the worker thread joined, what was said flushed here. (A Ctrl-C during
    that shut-down would also kill the process with nothing said.)"""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    os._exit(status)


def _run(argv: list[str] | None) -> int:
    """The run itself. Every outcome is one message and a status, never a traceback. Warnings from the libraries
    are never printed raw: the models turn theirs into notes in the results, and any other is summarised in one
    line."""
    name = "influencer-roi"
    paths.PUBLISHED.clear()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            args = build_parser().parse_args(argv)
            name = f"influencer-roi {args.command}"
            status = args.run(args)
        for message in sorted({f"{w.category.__name__}: {str(w.message).splitlines()[0]}" for w in caught})[:3]:
            _say(f"{name}: note: a library warned ({message})")
        return status
    except KeyboardInterrupt as err:
        # written: the interrupt came while the outputs were being renamed into place, or after they all were
        written = getattr(err, "written", False) or bool(paths.PUBLISHED)
        signum = getattr(err, "signum", signal.SIGINT)
        how = "interrupted" if signum == signal.SIGINT else f"stopped by {signal.Signals(signum).name}"
        _say(
            f"{name}: {how}"
            + ("; the outputs had already been written in full" if written else "; nothing was written")
        )
        return EXIT_INTERRUPTED if signum == signal.SIGINT else 128 + signum
    except SystemExit as err:  # --help and --version
        return err.code if isinstance(err.code, int) else EXIT_OK
    except BrokenPipeError:
        _quiet_stdout()
        return EXIT_OK
    except MemoryError:
        _say(f"{name}: ran out of memory; try a smaller file or close other programs")
        return EXIT_INPUT
    except Exception as err:  # noqa: BLE001 - the contract: one message, never a traceback
        if _user_error(err):
            _say(str(err) if isinstance(err, _OptionError) else f"{name}: {err}")
            return EXIT_INPUT
        if os.environ.get("INFLUENCER_ROI_DEBUG"):
            raise
        _say(
            f"{name}: internal error ({type(err).__name__}: {str(err)[:300]}); this is a fault of influencer-roi, "
            "not of your input: please report it with the command you ran (INFLUENCER_ROI_DEBUG=1 shows where)"
        )
        return EXIT_FAULT


if __name__ == "__main__":
    sys.exit(main())
