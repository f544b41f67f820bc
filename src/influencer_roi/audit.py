"""The claims audit: consistency checks expressed as data (data/evidence/audit_checks.csv), run over the ledger.

Each check compares a stated figure with a figure recomputed from other claims, or from real data:

- `stated` is a claim id, or a literal range "lo:hi" (either end may be blank, "1:" means above 1);
- `recomputed` is an arithmetic expression over claim ids ("A002_07 / A002_08", "log(L16) / log(L15)"),
  in the small language of influencer_roi.expressions (claim ids, numbers, + - * /, parentheses, log, exp, sqrt,
  abs; anything else is refused when the checks are loaded), on the normalised values; or, for a check of kind
  real_data, "real:MEASURE", the typical value of MEASURE in the book's real Instagram posts over the stated
  claim's own follower range (real_posts.band_interval; for a comparison between two tiers, the ratio of the two
  tiers' values); or blank where nothing can recompute the figure;
- `match` is "overlap" (the two ranges share a value), "equal" (both ends agree), "same_tier" (both ends agree
  and the two claims are about the same tier: a figure repeated under another tier's name fails it) or "distinct"
  (the check fails when the two overlap: a figure credited to one source that is, within rounding, another
  source's figure, such as an old benchmark presented as new data);
- `tolerance` widens the stated range (relative); blank means 15% for a hedged claim ("about", "nearly",
  "up to") and 5% for rounding otherwise;
- `finding` says what an inconsistent verdict counts as (FINDINGS: an error inside an article, a disagreement
  between sources, a figure credited to a source that does not contain it, a figure the real data does not
  support), and `gap` names the one discrepancy that several checks may find (they count once in tally()).

One rule for ranges inside arithmetic, for every check: every combination of the ends (RANGE_RULE). A check is
inconsistent only when no reading of the figures reproduces the stated one; it gives a source the benefit of the
doubt about which ends of its ranges go together.

    >>> audit = run_audit()
    >>> audit["verdict"].value_counts()
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from . import evidence, expressions, real_posts, validation, verdicts
from .evidence import _tier_range
from .real_posts import MEASURES

KINDS = ("arithmetic", "headline_vs_own_figures", "across_sources", "real_data")
VERDICTS = ("consistent", "inconsistent", "unverifiable")
MATCHES = ("overlap", "equal", "same_tier", "distinct")
REAL_DATA_FINDING = f"{verdicts.CONTRADICTED} by real data"  # a real-data check fails only when the rule says so
FINDINGS = ("article error", "source disagreement", "misattribution", REAL_DATA_FINDING)
HEDGED_TOLERANCE, ROUNDING_TOLERANCE = 0.15, 0.05
RANGE_RULE = "every combination of the ends"  # the one rule for ranges inside arithmetic (see the docstring)
REAL_PREFIX = "real:"
FUNCTIONS = {"log", "exp", "sqrt", "abs"}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_LITERAL = re.compile(r"^\s*(-?[\d.]*)\s*:\s*(-?[\d.]*)\s*$")


def claim_ids(expression: str) -> list[str]:
    """The claim ids an expression or stated field names, in order of appearance."""
    if not isinstance(expression, str) or _LITERAL.match(expression) or expression.startswith(REAL_PREFIX):
        return []
    return [name for name in dict.fromkeys(_NAME.findall(expression)) if name not in FUNCTIONS]


def _parses(expression) -> bool:
    try:
        expressions.parse(expression)
    except expressions.ExpressionError:
        return False
    return True


def _checks_schema(known_ids: set[str]) -> pa.DataFrameSchema:
    def names_known(column: str):
        return lambda s: s.isna() | s.map(lambda e: set(claim_ids(e)) <= known_ids)

    def in_grammar(s: pd.Series) -> pd.Series:
        return s.isna() | s.fillna("").str.startswith(REAL_PREFIX) | s.map(_parses)

    def real_measure_known(s: pd.Series) -> pd.Series:
        return ~s.fillna("").str.startswith(REAL_PREFIX) | s.str.removeprefix(REAL_PREFIX).isin(list(MEASURES))

    text = validation.text
    return pa.DataFrameSchema(
        {
            "check_id": text(checks=pa.Check.str_matches(r"^K\d+$")),
            "kind": text(checks=pa.Check.isin(KINDS)),
            "stated": text(checks=pa.Check(names_known("stated"), error="stated names a claim_id not in claims.csv")),
            "recomputed": text(
                nullable=True,
                checks=[
                    pa.Check(in_grammar, error=f"recomputed must be an expression of {expressions.GRAMMAR}"),
                    pa.Check(names_known("recomputed"), error="recomputed names a claim_id not in claims.csv"),
                    pa.Check(real_measure_known, error="real: must name a measure of real_posts.MEASURES"),
                ],
            ),
            "match": text(checks=pa.Check.isin(MATCHES)),
            "tolerance": validation.numeric(minimum=0, maximum=1),
            "finding": text(checks=pa.Check.isin(FINDINGS)),
            "gap": text(nullable=True, checks=pa.Check.str_matches(r"^[a-z0-9_]+$")),
            "explanation": text(),
        },
        checks=[
            validation.unique_together("check_id"),
            validation.row_rule(
                ("kind", "recomputed"),
                lambda df: df["kind"].eq("real_data") == df["recomputed"].fillna("").str.startswith(REAL_PREFIX),
                "a real_data check, and only one, recomputes from real: data",
            ),
        ],
        strict=True,
        ordered=True,
        name="audit_checks",
    )


def load_checks(path: Path | None = None, claims: pd.DataFrame | None = None) -> pd.DataFrame:
    """audit_checks.csv, validated: every claim id it names must exist."""
    path = Path(path) if path else evidence.evidence_dir() / "audit_checks.csv"
    claims = evidence.load_claims() if claims is None else claims
    frame = evidence.validate(validation.read_text_csv(path), _checks_schema(set(claims["claim_id"])), path)
    frame["tolerance"] = validation.to_number(frame["tolerance"])
    return frame


def _interval(claims: pd.DataFrame, claim_id: str, open_ends: bool) -> tuple[float, float]:
    """A claim's normalised range. A one-sided claim ("up to 7%", "$10,000+") is open on its blank side when it
    is compared as it stands, and taken at its one number inside arithmetic."""
    row = claims.loc[claims["claim_id"] == claim_id].iloc[0]
    lo, hi = row["value_low"], row["value_high"]
    if open_ends:
        return (-np.inf if lo < 0 or (pd.isna(lo) and hi < 0) else 0.0) if pd.isna(lo) else lo, np.inf if pd.isna(
            hi
        ) else hi
    return (hi if pd.isna(lo) else lo), (lo if pd.isna(hi) else hi)


def evaluate(expression: str, claims: pd.DataFrame) -> tuple[float, float]:
    """The range an expression over claim ids takes: a bare claim as it stands (a one-sided claim open on its blank
    side), an expression over every combination of its claims' ends (RANGE_RULE)."""
    names = claim_ids(expression)
    unknown = [name for name in names if name not in set(claims["claim_id"])]
    if unknown or not names:
        raise ValueError(f"unknown claim id(s) in {expression!r}: {', '.join(unknown) or 'none named'}")
    if expression.strip() in names and len(names) == 1:  # a bare claim, compared as it stands
        return _interval(claims, names[0], open_ends=True)
    ranges = [_interval(claims, name, open_ends=False) for name in names]
    values = np.array(list(itertools.product(*ranges)), dtype=float).T
    result = np.atleast_1d(np.asarray(expressions.evaluate(expression, dict(zip(names, values))), dtype=float))
    return float(np.nanmin(result)), float(np.nanmax(result))


def evaluate_real(expression: str, claims: pd.DataFrame, stated_id: str) -> tuple[float, float]:
    """A real: check's range: the typical value of the measure in the real posts over the follower range the stated
    claim is about (its source's own bounds, else the canonical tier's); for a comparison (tier_a_vs_tier_b), the
    ratio of the two canonical tiers' values over every combination of their ends."""
    measure = expression.removeprefix(REAL_PREFIX)
    row = claims.loc[claims["claim_id"] == stated_id].iloc[0]

    def band(lo: float, hi: float) -> tuple[float, float]:
        got = real_posts.band_interval(measure, 0.0 if pd.isna(lo) else lo, np.inf if pd.isna(hi) else hi)
        return got["low"], got["high"]

    if pd.isna(row["tier_b"]):
        return band(row["range_min"], row["range_max"])
    (a_lo, a_hi), (b_lo, b_hi) = band(*_tier_range(row["tier_a"])), band(*_tier_range(row["tier_b"]))
    return a_lo / b_hi, a_hi / b_lo


def _stated(field: str, claims: pd.DataFrame) -> tuple[float, float, bool]:
    """(low, high, hedged) of the stated side: a literal 'lo:hi' or a claim id."""
    literal = _LITERAL.match(field)
    if literal:
        lo, hi = (float(v) if v else np.nan for v in literal.groups())
        return (-np.inf if np.isnan(lo) else lo), (np.inf if np.isnan(hi) else hi), False
    lo, hi = _interval(claims, field.strip(), open_ends=True)
    hedged = bool(claims.loc[claims["claim_id"] == field.strip(), "approx"].iloc[0])
    return lo, hi, hedged


def _close(a: float, b: float, tolerance: float) -> bool:
    if np.isinf(a) or np.isinf(b):
        return a == b
    return abs(a - b) <= tolerance * max(abs(a), abs(b))


def verdict(
    stated: tuple[float, float],
    recomputed: tuple[float, float] | None,
    match: str,
    tolerance: float,
    same_tier: bool = True,
) -> str:
    """consistent / inconsistent / unverifiable, for a stated and a recomputed range (match: MATCHES; same_tier:
    whether the two claims name the same tier, for match 'same_tier')."""
    if recomputed is None or any(np.isnan(recomputed)):
        return "unverifiable"
    (s_lo, s_hi), (r_lo, r_hi) = stated, recomputed
    if match == "same_tier" and not same_tier:
        return "inconsistent"
    if match in ("equal", "same_tier"):
        agree = _close(s_lo, r_lo, tolerance) and _close(s_hi, r_hi, tolerance)
    else:
        agree = verdicts.verdict((r_lo, r_hi), verdicts.widened((s_lo, s_hi), tolerance)) != verdicts.CONTRADICTED
        if match == "distinct":  # passes only when the stated range does not contain the other source's figure
            agree = not agree
    return "consistent" if agree else "inconsistent"


def rule_verdict(
    stated: tuple[float, float], recomputed: tuple[float, float] | None, match: str, tolerance: float
) -> str:
    """The one rule's verdict (verdicts.verdict) on a check that compares by overlap: the recomputed interval against
    the stated range widened by `tolerance`; "" for another kind of match or nothing recomputed. Such a check is
    consistent exactly when this is not contradicted; the rule says, besides, whether the stated range holds the
    whole interval (supported) or only part of it (not established)."""
    if match != "overlap" or recomputed is None or any(np.isnan(recomputed)):
        return ""
    return verdicts.verdict(recomputed, verdicts.widened(stated, tolerance))


def format_range(lo: float, hi: float, unit: str) -> str:
    """'3.8%-7.0%', '3.2', 'above 1', '$100-500' for the audit table."""

    def one(v: float) -> str:
        if unit == "fraction":
            return f"{100 * v:.3g}%"
        if unit in ("usd", "currency", "eur"):
            prefix = {"usd": "$", "eur": "EUR "}.get(unit, "")
            return f"{prefix}{v:,.2f}" if abs(v) < 10 else f"{prefix}{v:,.0f}"
        if unit in ("count", "followers"):
            return f"{v:,.0f}"
        return f"{v:.3g}"

    if np.isinf(hi) and np.isfinite(lo):
        return f"{one(lo)} or more" if lo > 0 else "any"
    if np.isinf(lo) and np.isfinite(hi):
        return f"up to {one(hi)}"
    if lo == 0 and np.isfinite(hi) and unit in ("followers", "count"):
        return f"under {one(hi)}"
    if _close(lo, hi, 1e-9):
        return one(lo)
    return f"{one(lo)} to {one(hi)}" if lo < 0 else f"{one(lo)}–{one(hi)}"


def run_audit(
    claims: pd.DataFrame | None = None, checks: pd.DataFrame | None = None, folder: Path | None = None
) -> pd.DataFrame:
    """Run every check of the ledger in `folder` (default data/evidence).

    Returns check_id, kind, claim_ids, stated, recomputed, verdict, rule_verdict (audit.rule_verdict: the one rule's
    word on a check by overlap, "" on the others), finding, gap, explanation, plus the numbers
    behind them (stated_low, stated_high, recomputed_low, recomputed_high, tolerance, match, unit).
    """
    folder = Path(folder) if folder else evidence.evidence_dir()
    if claims is None:
        claims = evidence.load_ledger(folder)["claims"]
    checks = load_checks(folder / "audit_checks.csv", claims=claims) if checks is None else checks
    unit_of = dict(zip(claims["claim_id"], claims["value_unit"]))
    rows = []
    tier_of = dict(zip(claims["claim_id"], claims["tier"]))
    for check in checks.itertuples(index=False):
        s_lo, s_hi, hedged = _stated(check.stated, claims)
        tolerance = (
            check.tolerance if pd.notna(check.tolerance) else (HEDGED_TOLERANCE if hedged else ROUNDING_TOLERANCE)
        )
        stated_ids, recomputed_ids = claim_ids(check.stated), claim_ids(check.recomputed)
        if pd.isna(check.recomputed):
            recomputed = None
        elif check.kind == "real_data":
            recomputed = evaluate_real(check.recomputed, claims, stated_ids[0])
        else:
            recomputed = evaluate(check.recomputed, claims)
        ids = stated_ids + [i for i in recomputed_ids if i not in stated_ids]
        unit = unit_of.get(stated_ids[0], "ratio") if stated_ids else "ratio"
        same_tier = len({tier_of[i] for i in ids}) == 1
        rows.append(
            {
                "check_id": check.check_id,
                "kind": check.kind,
                "claim_ids": ", ".join(ids),
                "stated": format_range(s_lo, s_hi, unit),
                "recomputed": "" if recomputed is None else format_range(*recomputed, unit),
                "verdict": verdict((s_lo, s_hi), recomputed, check.match, tolerance, same_tier),
                "rule_verdict": rule_verdict((s_lo, s_hi), recomputed, check.match, tolerance),
                "finding": check.finding,
                "gap": check.gap if pd.notna(check.gap) else check.check_id,
                "explanation": check.explanation,
                "stated_low": s_lo,
                "stated_high": s_hi,
                "recomputed_low": np.nan if recomputed is None else recomputed[0],
                "recomputed_high": np.nan if recomputed is None else recomputed[1],
                "tolerance": tolerance,
                "match": check.match,
                "unit": unit,
            }
        )
    return pd.DataFrame(rows)


def stated_source_labels(result: pd.DataFrame, claims: pd.DataFrame, sources: pd.DataFrame) -> pd.Series:
    """check_id -> the label of the source whose claim a check tests ('Article 001'); for a check whose stated
    side is a literal range, the source of the first claim it recomputes from."""
    source_of = claims.set_index("claim_id")["source_id"].map(evidence.source_labels(sources))
    first = result["claim_ids"].str.split(", ").str[0]
    return pd.Series([source_of.get(c, "") for c in first], index=result["check_id"], name="source")


def midpoint(result: pd.DataFrame, check_id: str, side: str) -> float:
    """The geometric midpoint of a check's stated or recomputed range (side 'stated' or 'recomputed'): the one
    number prose quotes for a range."""
    row = result.set_index("check_id").loc[check_id]
    return float(np.sqrt(row[f"{side}_low"] * row[f"{side}_high"]))


def checks_for_tier(result: pd.DataFrame, claims: pd.DataFrame, tier: str) -> pd.DataFrame:
    """The audit checks that involve at least one claim about `tier` (alone or in a comparison)."""
    about = set(claims.loc[(claims["tier_a"] == tier) | (claims["tier_b"] == tier), "claim_id"])
    involved = result["claim_ids"].map(lambda ids: bool(about & set(ids.split(", "))))
    return result[involved]


def tally(result: pd.DataFrame) -> pd.DataFrame:
    """What the failed checks found, by kind of finding (FINDINGS): inconsistent checks, and distinct gaps (checks
    that find one discrepancy, sharing a `gap`, count once). Unverifiable checks are counted apart: nothing could
    test them, so they find nothing."""
    failed = result[result["verdict"] == "inconsistent"]
    rows = [
        {
            "finding": f,
            "checks": int((failed["finding"] == f).sum()),
            "gaps": int(failed.loc[failed["finding"] == f, "gap"].nunique()),
        }
        for f in FINDINGS
    ]
    return pd.DataFrame(rows)
