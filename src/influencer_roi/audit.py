"""The claims audit: consistency checks expressed as data (data/evidence/audit_checks.csv), run over the ledger.

Each check compares a stated figure with a figure recomputed from other claims:

- `stated` is a claim id, or a literal range "lo:hi" (either end may be blank, "1:" means above 1);
- `recomputed` is an arithmetic expression over claim ids ("A002_07 / A002_08", "log(L16) / log(L15)"),
  evaluated with pandas.eval on the normalised values, or blank where nothing can recompute the figure;
- `match` is "overlap" (the two ranges share a value) or "equal" (both ends agree);
- `pairing` says how a range enters an expression: "corners" spans every combination of the ends (all the
  figures allow), "ends" pairs low with low and high with high (the like-for-like reading);
- `tolerance` widens the stated range (relative); blank means 15% for a hedged claim ("about", "nearly",
  "up to") and 5% for rounding otherwise.

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

from . import evidence, validation

KINDS = ("arithmetic", "headline_vs_own_figures", "across_sources")
VERDICTS = ("consistent", "inconsistent", "unverifiable")
HEDGED_TOLERANCE, ROUNDING_TOLERANCE = 0.15, 0.05
FUNCTIONS = {"log", "exp", "sqrt", "abs"}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_LITERAL = re.compile(r"^\s*(-?[\d.]*)\s*:\s*(-?[\d.]*)\s*$")


def claim_ids(expression: str) -> list[str]:
    """The claim ids an expression or stated field names, in order of appearance."""
    if not isinstance(expression, str) or _LITERAL.match(expression):
        return []
    return [name for name in dict.fromkeys(_NAME.findall(expression)) if name not in FUNCTIONS]


def _checks_schema(known_ids: set[str]) -> pa.DataFrameSchema:
    def names_known(column: str):
        return lambda s: s.isna() | s.map(lambda e: set(claim_ids(e)) <= known_ids)

    text = validation.text
    return pa.DataFrameSchema(
        {
            "check_id": text(checks=pa.Check.str_matches(r"^K\d+$")),
            "kind": text(checks=pa.Check.isin(KINDS)),
            "stated": text(checks=pa.Check(names_known("stated"), error="stated names a claim_id not in claims.csv")),
            "recomputed": text(nullable=True, checks=pa.Check(names_known("recomputed"),
                                                              error="recomputed names a claim_id not in claims.csv")),
            "match": text(checks=pa.Check.isin(["overlap", "equal"])),
            "pairing": text(checks=pa.Check.isin(["corners", "ends"])),
            "tolerance": validation.numeric(minimum=0, maximum=1),
            "explanation": text(),
        },
        checks=[validation.unique_together("check_id")],
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
        return (-np.inf if lo < 0 or (pd.isna(lo) and hi < 0) else 0.0) if pd.isna(lo) else lo, \
            np.inf if pd.isna(hi) else hi
    return (hi if pd.isna(lo) else lo), (lo if pd.isna(hi) else hi)


def evaluate(expression: str, claims: pd.DataFrame, pairing: str = "corners") -> tuple[float, float]:
    """The range an expression over claim ids takes (see the module docstring for `pairing`)."""
    names = claim_ids(expression)
    unknown = [name for name in names if name not in set(claims["claim_id"])]
    if unknown:
        raise ValueError(f"unknown claim id(s) in {expression!r}: {', '.join(unknown)}")
    if expression.strip() in names and len(names) == 1:  # a bare claim, compared as it stands
        return _interval(claims, names[0], open_ends=True)
    ranges = [_interval(claims, name, open_ends=False) for name in names]
    if pairing == "ends":
        combos = [tuple(r[0] for r in ranges), tuple(r[1] for r in ranges)]
    else:
        combos = list(itertools.product(*ranges))
    values = np.array(combos, dtype=float).T
    result = pd.eval(expression, local_dict=dict(zip(names, values)), engine="python")
    result = np.atleast_1d(np.asarray(result, dtype=float))
    return float(np.nanmin(result)), float(np.nanmax(result))


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


def verdict(stated: tuple[float, float], recomputed: tuple[float, float] | None, match: str,
            tolerance: float) -> str:
    """consistent / inconsistent / unverifiable, for a stated and a recomputed range."""
    if recomputed is None or any(np.isnan(recomputed)):
        return "unverifiable"
    (s_lo, s_hi), (r_lo, r_hi) = stated, recomputed
    if match == "equal":
        agree = _close(s_lo, r_lo, tolerance) and _close(s_hi, r_hi, tolerance)
    else:
        lo = s_lo - tolerance * abs(s_lo) if np.isfinite(s_lo) else s_lo
        hi = s_hi + tolerance * abs(s_hi) if np.isfinite(s_hi) else s_hi
        agree = max(lo, r_lo) <= min(hi, r_hi)
    return "consistent" if agree else "inconsistent"


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


def run_audit(claims: pd.DataFrame | None = None, checks: pd.DataFrame | None = None,
              folder: Path | None = None) -> pd.DataFrame:
    """Run every check of the ledger in `folder` (default data/evidence).

    Returns check_id, kind, claim_ids, stated, recomputed, verdict, explanation, plus the numbers behind them
    (stated_low, stated_high, recomputed_low, recomputed_high, tolerance, unit).
    """
    folder = Path(folder) if folder else evidence.evidence_dir()
    if claims is None:
        claims = evidence.load_ledger(folder)["claims"]
    checks = load_checks(folder / "audit_checks.csv", claims=claims) if checks is None else checks
    unit_of = dict(zip(claims["claim_id"], claims["value_unit"]))
    rows = []
    for check in checks.itertuples(index=False):
        s_lo, s_hi, hedged = _stated(check.stated, claims)
        tolerance = check.tolerance if pd.notna(check.tolerance) else (
            HEDGED_TOLERANCE if hedged else ROUNDING_TOLERANCE)
        recomputed = None if pd.isna(check.recomputed) else evaluate(check.recomputed, claims, check.pairing)
        ids = claim_ids(check.stated) + [i for i in claim_ids(check.recomputed) if i not in claim_ids(check.stated)]
        unit = unit_of.get(claim_ids(check.stated)[0], "ratio") if claim_ids(check.stated) else "ratio"
        rows.append({
            "check_id": check.check_id,
            "kind": check.kind,
            "claim_ids": ", ".join(ids),
            "stated": format_range(s_lo, s_hi, unit),
            "recomputed": "" if recomputed is None else format_range(*recomputed, unit),
            "verdict": verdict((s_lo, s_hi), recomputed, check.match, tolerance),
            "explanation": check.explanation,
            "stated_low": s_lo, "stated_high": s_hi,
            "recomputed_low": np.nan if recomputed is None else recomputed[0],
            "recomputed_high": np.nan if recomputed is None else recomputed[1],
            "tolerance": tolerance,
            "unit": unit,
        })
    return pd.DataFrame(rows)


def stated_source_labels(result: pd.DataFrame, claims: pd.DataFrame, sources: pd.DataFrame) -> pd.Series:
    """check_id -> the label of the source whose claim a check tests ('Article 001'); for a check whose stated
    side is a literal range, the source of the first claim it recomputes from."""
    source_of = claims.set_index("claim_id")["source_id"].map(evidence.source_labels(sources))
    first = result["claim_ids"].str.split(", ").str[0]
    return pd.Series([source_of.get(c, "") for c in first], index=result["check_id"], name="source")


def checks_for_tier(result: pd.DataFrame, claims: pd.DataFrame, tier: str) -> pd.DataFrame:
    """The audit checks that involve at least one claim about `tier` (alone or in a comparison)."""
    about = set(claims.loc[(claims["tier_a"] == tier) | (claims["tier_b"] == tier), "claim_id"])
    involved = result["claim_ids"].map(lambda ids: bool(about & set(ids.split(", "))))
    return result[involved]
