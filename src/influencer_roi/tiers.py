"""Follower tiers: the book's canonical scheme, every source's own scheme, and assign_tier().

A scheme is a tidy DataFrame with one row per tier: `tier`, `min_followers`, `max_followers`. Bounds are
lower-inclusive and upper-exclusive; a missing lower bound means zero and a missing upper bound means no limit.

    >>> assign_tier([5_000, 50_000, 500_000, 5_000_000]).tolist()
    ['nano', 'micro', 'macro', 'mega']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .constants import FOLLOWER_CAP
from .formats import band_label  # noqa: F401  (re-exported: tiers.band_label is older than formats)

TIERS = ("nano", "micro", "macro", "mega")
TIER_DTYPE = pd.CategoricalDtype(TIERS, ordered=True)

# The book's scheme: the 1k / 10k / 100k / 1M cut-offs, the boundaries the sources state most often (the chapter
# "Who counts as micro?" counts them). Accounts under 1,000 followers belong to no tier.
CANONICAL = pd.DataFrame(
    {
        "tier": pd.Categorical(TIERS, dtype=TIER_DTYPE),
        "min_followers": [1_000.0, 10_000.0, 100_000.0, 1_000_000.0],
        "max_followers": [10_000.0, 100_000.0, 1_000_000.0, np.inf],
    }
)


def tier_midpoints(open_ratio: float | None = None) -> pd.Series:
    """The canonical tiers' geometric midpoints in followers, indexed by tier. The open mega tier is closed at its
    lower bound times `open_ratio` (the synthesis passes the ledger's median ratio of upper to lower bound,
    synthesis.median_range_ratio), or at FOLLOWER_CAP when none is given. The one definition the engagement
    slopes, the synthesis and the chapters share."""
    lo = CANONICAL["min_followers"].to_numpy(float)
    hi = CANONICAL["max_followers"].to_numpy(float)
    hi = np.where(np.isinf(hi), lo * open_ratio if open_ratio is not None else FOLLOWER_CAP, hi)
    return pd.Series(np.sqrt(lo * hi), index=list(TIERS), name="midpoint_followers")


def _bounds(scheme: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    lower = scheme["min_followers"].astype(float).fillna(0.0).to_numpy()
    upper = scheme["max_followers"].astype(float).fillna(np.inf).to_numpy()
    return lower, upper


def get_scheme(scheme: str | pd.DataFrame = "canonical", definitions: pd.DataFrame | None = None) -> pd.DataFrame:
    """A scheme as a DataFrame: "canonical", a scheme_id of `definitions` (tier_definitions), or a DataFrame passed
    through. A scheme_id needs `definitions`: evidence.get_scheme() reads them from the ledger (this module reads no
    files, so that evidence may import it)."""
    if isinstance(scheme, pd.DataFrame):
        return scheme
    if scheme == "canonical":
        return CANONICAL.copy()
    if definitions is None:
        raise ValueError(
            f"tier scheme {scheme!r}: pass the ledger's tier definitions, or use "
            "evidence.get_scheme(), which reads them"
        )
    rows = definitions[definitions["scheme_id"] == scheme]
    if rows.empty:
        known = ", ".join(["canonical", *sorted(definitions["scheme_id"].unique())])
        raise KeyError(f"unknown tier scheme {scheme!r}; known schemes: {known}")
    return rows[["tier", "min_followers", "max_followers"]].reset_index(drop=True)


def assign_tier(
    followers,
    scheme: str | pd.DataFrame = "canonical",
    definitions: pd.DataFrame | None = None,
) -> pd.Series:
    """The tier of each follower count under `scheme`, as an ordered categorical Series named "tier".

    A count that falls in no band of the scheme (a gap, or under the lowest bound) gets NaN, as does a missing
    count. Where a scheme's bands overlap (article 002 puts nano, 1k-10k, inside micro, 1k-100k), the narrowest
    band wins, so the more specific label is kept; equal widths go to the smaller tier.
    Negative or infinite counts raise ValueError. A Series keeps its index.
    """
    index = followers.index if isinstance(followers, pd.Series) else None
    values = np.asarray(followers, dtype=float).reshape(-1)
    finite_or_missing = np.isfinite(values) | np.isnan(values)
    if not finite_or_missing.all() or (values < 0).any():
        bad = values[~finite_or_missing | (values < 0)][0]
        raise ValueError(f"follower counts must be finite and non-negative; got {bad}")

    table = get_scheme(scheme, definitions)
    lower, upper = _bounds(table)
    # Narrowest first (log width; a band open on either side is infinitely wide), ties to the smaller tier.
    with np.errstate(divide="ignore"):
        width = np.log(upper) - np.log(lower)
    order = np.lexsort((pd.Categorical(table["tier"], dtype=TIER_DTYPE).codes, width))

    codes = np.full(values.shape, -1, dtype=np.int8)
    for i in order:
        tier = table["tier"].iloc[i]
        if pd.isna(tier):  # a band with no canonical name (IAB UK's "mid-tier") assigns no tier
            continue
        inside = (values >= lower[i]) & (values < upper[i]) & (codes == -1)
        codes[inside] = TIERS.index(str(tier))
    tiers = pd.Categorical.from_codes(codes, dtype=TIER_DTYPE)
    return pd.Series(tiers, index=index, name="tier")


def overlaps(scheme: pd.DataFrame) -> pd.DataFrame:
    """Pairs of bands within one scheme that share some follower counts: tier_a, tier_b (the bands' names: the
    `name` column where the scheme has one, else the tier), from, to."""
    table = scheme.reset_index(drop=True)
    names = (table["name"] if "name" in table.columns else table["tier"]).astype(str)
    lower, upper = _bounds(table)
    rows = []
    for i in range(len(table)):
        for j in range(i + 1, len(table)):
            start, end = max(lower[i], lower[j]), min(upper[i], upper[j])
            if start < end:
                rows.append((names.iloc[i], names.iloc[j], start, end))
    return pd.DataFrame(rows, columns=["tier_a", "tier_b", "from_followers", "to_followers"])


def boundaries(definitions: pd.DataFrame) -> pd.DataFrame:
    """Every stated boundary in tidy form: scheme_id, tier, side ('lower' or 'upper'), followers."""
    long = definitions.melt(
        id_vars=["scheme_id", "source_id", "tier"],
        value_vars=["min_followers", "max_followers"],
        var_name="side",
        value_name="followers",
    ).dropna(subset=["followers"])
    long["side"] = long["side"].map({"min_followers": "lower", "max_followers": "upper"})
    return long.reset_index(drop=True)


def scheme_overlaps(definitions: pd.DataFrame) -> pd.DataFrame:
    """overlaps() for every scheme in tier_definitions: scheme_id, tier_a, tier_b, from_followers, to_followers."""
    found = [
        overlaps(bands).assign(scheme_id=scheme_id) for scheme_id, bands in definitions.groupby("scheme_id", sort=False)
    ]
    columns = ["scheme_id", "tier_a", "tier_b", "from_followers", "to_followers"]
    return pd.concat(found, ignore_index=True)[columns] if found else pd.DataFrame(columns=columns)


def tiers_without(followers) -> list[str]:
    """The canonical tiers in which none of `followers` falls, in size order: a market fitted to such a file
    extrapolates its curves into them (allocate --campaigns says so)."""
    present = set(assign_tier(pd.Series(followers, dtype=float)).dropna().astype(str))
    return [t for t in TIERS if t not in present]
