"""The one verdict rule: what an estimate's interval says about a claimed range (../METHODS, "Verdicts from
intervals"), and the sentence that says it. Every verdict the book, the reports and the audit give comes from here.

    >>> verdict((2.2, 2.8), (2, 3))
    'supported'
    >>> verdict((1.45, 7.6), (2, 3))
    'not established'
"""

from __future__ import annotations

import math

SUPPORTED = "supported"  # the interval lies inside the claimed range
CONTRADICTED = "contradicted"  # the interval lies wholly outside it
NOT_ESTABLISHED = "not established"  # the interval overlaps the range and reaches beyond it
VERDICTS = (SUPPORTED, CONTRADICTED, NOT_ESTABLISHED)
# how pages list them: from the claim held to the claim refuted
READING_ORDER = (SUPPORTED, NOT_ESTABLISHED, CONTRADICTED)
# The rule in words, for a page that says how its verdicts are given: written from the words verdict() returns.
RULE = (
    f"{SUPPORTED} when the interval lies inside the claimed range, {CONTRADICTED} when the two do not meet, and "
    f"{NOT_ESTABLISHED} when they overlap but the interval reaches beyond the range"
)


def verdict(interval: tuple[float, float], claim: tuple[float, float]) -> str:
    """SUPPORTED when `interval` lies inside `claim` (both closed; a bound may be infinite: (-inf, 0) is "below
    zero"), CONTRADICTED when the two do not meet, NOT_ESTABLISHED when they overlap. A single point's claim (3, 3)
    can be contradicted or not established, never supported unless the interval is that point. Either pair in
    either order; a NaN bound raises ValueError (no verdict on a number that is not there)."""
    values = (*interval, *claim)
    if any(math.isnan(v) for v in values):
        raise ValueError(f"no verdict on a missing bound: interval {interval}, claim {claim}")
    lo, hi = sorted(interval)
    c_lo, c_hi = sorted(claim)
    if c_lo <= lo and hi <= c_hi:
        return SUPPORTED
    if hi < c_lo or lo > c_hi:
        return CONTRADICTED
    return NOT_ESTABLISHED


def widened(claim: tuple[float, float], tolerance: float) -> tuple[float, float]:
    """A claimed range widened by a relative `tolerance` at each finite end (the audit's allowance for rounding or a
    hedged "about"): (2, 3) with 0.05 is (1.9, 3.15)."""
    lo, hi = sorted(claim)
    return (
        lo - tolerance * abs(lo) if math.isfinite(lo) else lo,
        hi + tolerance * abs(hi) if math.isfinite(hi) else hi,
    )


def counts(said) -> str:
    """How many of the verdicts `said` are of each kind, in READING_ORDER, a kind with none left out:
    "1 supported, 7 not established, 12 contradicted" ("none" for no verdict at all)."""
    said = list(said)
    unknown = set(said) - set(VERDICTS)
    if unknown:
        raise ValueError(f"not verdicts of the rule: {sorted(unknown)}")
    parts = [f"{said.count(v):,} {v}" for v in READING_ORDER if said.count(v)]
    return ", ".join(parts) if parts else "none"


def claim_sentence(what: str, claimed: str, estimate: str, interval: tuple[float, float], claim, shown: str) -> str:
    """A claim's verdict in words, for the book: `what` the claim is about ("micro against mega per dollar"),
    `claimed` its range as the sources state it ("2–3×"), `estimate` and `shown` (the interval as printed) the
    book's, `interval` and `claim` the numbers the verdict is taken on."""
    said = verdict(interval, claim)
    book = f"the book's estimate is {estimate} (95% CI {shown})"
    if said == SUPPORTED:
        return f"the articles' {claimed} for {what} is {said}: {book}, inside their range"
    if said == CONTRADICTED:
        return f"the articles' {claimed} for {what} is {said}: {book}, outside their range"
    lo, hi = sorted(interval)
    how = "holds their range and reaches beyond it" if lo <= min(claim) and max(claim) <= hi else "overlaps their range"
    return f"the articles' {claimed} for {what} is {said}: {book}, an interval that {how}"
