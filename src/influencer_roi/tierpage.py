"""What a tier chapter (nano, micro, macro, mega) shows: its tables, formatted, and the values its prose glues.

The four chapters differ only in their tier and their prose, so the work is done once, here:

    page = tier_page("nano")
    for key, text in page.glue.items():
        glue(key, text, display=False)
    page.definitions            # each source's band for the tier
    page.claims                 # every ledger claim about the tier, folded by the source's grade
    page.checks                 # the audit's checks involving the tier, folded by verdict
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from IPython.display import HTML

from . import audit, evidence
from .formats import fmt_followers, fmt_int
from .tables import Column, fold, show

GRADES = {"A": "grade A, peer-reviewed", "B": "grade B, industry benchmark", "C": "grade C, vendor or agency blog"}


@dataclass(frozen=True)
class TierPage:
    tier: str
    definitions: HTML
    claims: HTML
    checks: HTML
    glue: dict[str, str]


def _rows(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def tier_page(tier: str, ledger: dict | None = None, audit_result: pd.DataFrame | None = None) -> TierPage:
    """The tables and glue values of the chapter about `tier` (glue keys: n_claims, n_sources, n_claims_a,
    n_definitions, lower_bounds, n_checks, n_bad)."""
    ledger = ledger if ledger is not None else evidence.load_ledger()
    result = audit_result if audit_result is not None else audit.run_audit(ledger["claims"])
    claims = evidence.tier_claims(ledger, tier).reset_index()
    definitions = evidence.tier_definition_table(ledger, tier).reset_index()
    checks = audit.checks_for_tier(result, ledger["claims"], tier)

    bounds = (
        ledger["tier_definitions"]
        .loc[ledger["tier_definitions"]["tier"].astype(str) == tier, "min_followers"]
        .fillna(0)
    )
    glue = {
        "n_claims": fmt_int(len(claims)),
        "n_sources": fmt_int(claims["source"].nunique()),
        "n_claims_a": fmt_int(claims["grade"].str.startswith("A").sum()),
        "n_definitions": fmt_int(len(definitions)),
        "lower_bounds": (
            f"all at {fmt_followers(bounds.min())}"
            if bounds.min() == bounds.max()
            else f"from {fmt_followers(bounds.min())} to {fmt_followers(bounds.max())}"
        ),
        "n_checks": fmt_int(len(checks)),
        "n_bad": fmt_int(checks["verdict"].eq("inconsistent").sum()),
    }

    claims["grade_group"] = claims["grade"].str[0].map(GRADES)
    return TierPage(
        tier=tier,
        definitions=show(
            definitions,
            {
                "source": Column("Source"),
                "band": Column("Band", unit="followers"),
                "hedged": Column("Hedged"),
                "words": Column("In the source's words"),
            },
        ),
        claims=fold(
            claims,
            by="grade_group",
            order=list(GRADES.values()),
            label=lambda group, n: f"{group}: {_rows(n, 'claim')}",
            columns={
                "claim": Column("Claim"),
                "source": Column("Source"),
                "grade": Column("Grade"),
                "tier": Column("Tier"),
                "metric": Column("Metric"),
                "platform": Column("Platform"),
                "stated": Column("Stated"),
                "words or note": Column("Words or note"),
            },
        ),
        checks=fold(
            checks,
            by="verdict",
            order=list(audit.VERDICTS),
            label=lambda verdict, n: f"{verdict}: {_rows(n, 'check')}",
            columns={
                "check_id": Column("Check"),
                "claim_ids": Column("Claims"),
                "stated": Column("Stated"),
                "recomputed": Column("Recomputed"),
                "explanation": Column("Explanation"),
            },
        ),
        glue=glue,
    )
