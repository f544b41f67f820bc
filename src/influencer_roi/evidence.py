"""Load and validate the evidence ledger in data/evidence/.

Every file is read as text and checked with a pandera schema before any value is used, so a malformed row fails
with a message naming the file, the row (its line in the CSV), the column, the value and the rule it breaks.

    >>> sources = load_sources()
    >>> tiers = load_tier_definitions(sources=sources)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from . import validation
from .constants import FOLLOWER_CAP
from .formats import band_label
from .paths import evidence_dir
from .tiers import CANONICAL, TIERS
from .tiers import get_scheme as _scheme
from .validation import numeric as _numeric
from .validation import read_text_csv as _read
from .validation import row_rule as _row_rule
from .validation import text as _text
from .validation import to_number as _number
from .validation import unique_together as _unique_together

SOURCE_KINDS = (
    "peer-reviewed study",
    "industry report",
    "vendor or agency blog",
    "case study",
    "unattributed statistic",
)
# Grades, best first. The rule that assigns them is stated in the chapter on the evidence base.
GRADES = ("A", "B", "C", "D")
BOOLEAN_TEXT = ("True", "False")
PLATFORMS = ("instagram", "tiktok", "youtube", "any")
CONFIDENCE = ("H", "M", "L", "D")  # literature.md's marks: high, medium, low, derived
# Tiers a claim may be about: the canonical four, the rate card's mid-tier, accounts under 1,000 followers, any size,
# or a comparison "a_vs_b" (a ratio: metric of a over metric of b) against a tier or a named baseline.
CLAIM_TIERS = ("sub_nano", "nano", "micro", "mid", "macro", "mega")
BASELINES = ("ads", "industry", "baseline")
CLAIM_TIER_PATTERN = (
    rf"^(any|{'|'.join(CLAIM_TIERS)}|({'|'.join(CLAIM_TIERS)})_vs_({'|'.join(CLAIM_TIERS + BASELINES)}))$"
)
# Units as the sources state them, and what each normalises to (see normalise()).
UNITS = {
    "percent": "fraction",
    "times": "ratio",
    "percent_higher": "ratio",
    "percent_lower": "ratio",
    "times_lower": "ratio",
    "ratio": "ratio",
    "usd_per_usd": "ratio",
    "usd": "currency",
    "eur": "currency",
    "currency": "currency",
    "count": "count",
    "followers": "followers",
    "elasticity": "elasticity",
}
# Which stated units fit each metric's normalised unit (metrics.csv): a ratio cannot be stated in dollars.
UNITS_FOR = {
    "fraction": {"percent"},
    "ratio": {"times", "percent_higher", "percent_lower", "times_lower", "ratio"},
    "roas": {"usd_per_usd", "times", "ratio", "percent"},
    "currency": {"usd", "eur", "currency"},
    "count": {"count"},
    "followers": {"followers"},
    "elasticity": {"elasticity"},
}
MAX_QUOTE_WORDS = 30


class LedgerError(validation.ValidationError):
    """A ledger file breaks its schema. The message lists each bad value with file, line, column and rule."""


def validate(frame: pd.DataFrame, schema: pa.DataFrameSchema, path: Path) -> pd.DataFrame:
    """Validate a ledger file (see validation.validate); raises LedgerError."""
    return validation.validate(frame, schema, path, error=LedgerError)


def _quote_column() -> pa.Column:
    return _text(
        nullable=True,
        checks=pa.Check(
            lambda s: s.str.split().str.len() <= MAX_QUOTE_WORDS, error=f"a quote has at most {MAX_QUOTE_WORDS} words"
        ),
    )


SOURCES_SCHEMA = pa.DataFrameSchema(
    {
        "source_id": _text(checks=pa.Check.str_matches(r"^[A-Za-z0-9_]+$")),
        "label": _text(checks=pa.Check.str_length(max_value=40)),
        "title": _text(),
        "author_or_publisher": _text(),
        "year": _numeric(minimum=1800, maximum=2100),
        "kind": _text(checks=pa.Check.isin(SOURCE_KINDS)),
        "url": _text(nullable=True, checks=pa.Check.str_startswith("https://")),
        "grade": _text(checks=pa.Check.isin(GRADES)),
        "source_file": _text(nullable=True, checks=pa.Check.str_matches(r"^\d{3}_[0-9a-f]+\.txt$")),
        "notes": _text(nullable=True),
        # the source's entry in references.bib (tests/test_book.py checks every key is there)
        "bib_key": _text(checks=pa.Check.str_matches(r"^[A-Za-z0-9_:-]+$")),
    },
    checks=[_unique_together("source_id")],
    strict=True,
    ordered=True,
    name="sources",
)


def _tier_definitions_schema(source_ids: pd.Series) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "scheme_id": _text(checks=pa.Check.str_matches(r"^[A-Za-z0-9_]+$")),
            "source_id": _text(checks=pa.Check.isin(list(source_ids), error="source_id must be a row of sources.csv")),
            "cited_origin": _text(nullable=True),
            # the canonical tier the source names (blank where its band has another name, given in label)
            "tier": _text(nullable=True, checks=pa.Check.isin(TIERS)),
            "label": _text(nullable=True),
            "min_followers": _numeric(minimum=0),
            "max_followers": _numeric(minimum=0),
            "approx": _text(checks=pa.Check.isin(BOOLEAN_TEXT)),
            "quote": _quote_column(),
            "notes": _text(nullable=True),
        },
        checks=[
            _row_rule(
                ("min_followers", "max_followers"),
                lambda df: ~(_number(df["min_followers"]) >= _number(df["max_followers"])),
                "min_followers must be below max_followers",
            ),
            _row_rule(
                ("min_followers", "max_followers"),
                lambda df: df["min_followers"].notna() | df["max_followers"].notna(),
                "a tier needs at least one stated bound",
            ),
            _row_rule(
                ("tier", "label"),
                lambda df: df["tier"].notna() | df["label"].notna(),
                "a band needs a canonical tier or its source's own label",
            ),
            _unique_together("scheme_id", "tier", "label", "min_followers"),
        ],
        strict=True,
        ordered=True,
        name="tier_definitions",
    )


METRICS_SCHEMA = pa.DataFrameSchema(
    {
        "metric": _text(checks=pa.Check.str_matches(r"^[a-z_]+$")),
        "kind": _text(
            checks=pa.Check.isin(["definition", "level", "ratio", "elasticity", "survey", "study", "advice"])
        ),
        "normalised_unit": _text(checks=pa.Check.isin(list(UNITS_FOR))),
        "description": _text(),
    },
    checks=[_unique_together("metric")],
    strict=True,
    ordered=True,
    name="metrics",
)


def _claims_schema(sources: pd.DataFrame, metrics: pd.DataFrame) -> pa.DataFrameSchema:
    articles = set(sources.loc[sources["source_file"].notna(), "source_id"])
    unit_of_metric = dict(zip(metrics["metric"], metrics["normalised_unit"]))

    def unit_fits(df: pd.DataFrame) -> pd.Series:
        allowed = df["metric"].map(unit_of_metric).map(UNITS_FOR)
        return pd.Series([isinstance(a, set) and u in a for a, u in zip(allowed, df["unit"])], index=df.index)

    return pa.DataFrameSchema(
        {
            # claim ids are identifiers, so audit expressions can name them (A001_05 / A001_06)
            "claim_id": _text(checks=pa.Check.str_matches(r"^[A-Za-z][A-Za-z0-9_]*$")),
            "source_id": _text(
                checks=pa.Check.isin(list(sources["source_id"]), error="source_id must be a row of sources.csv")
            ),
            "cited_origin": _text(nullable=True),
            "platform": _text(checks=pa.Check.isin(PLATFORMS)),
            "tier": _text(
                checks=pa.Check.str_matches(CLAIM_TIER_PATTERN, error="tier must be a tier, 'any', or 'a_vs_b'")
            ),
            "tier_min_followers": _numeric(minimum=0),
            "tier_max_followers": _numeric(minimum=0),
            "metric": _text(checks=pa.Check.isin(list(metrics["metric"]), error="metric must be a row of metrics.csv")),
            "stated_as": _text(nullable=True),
            "low": _numeric(),
            "high": _numeric(),
            "unit": _text(checks=pa.Check.isin(list(UNITS))),
            "approx": _text(checks=pa.Check.isin(BOOLEAN_TEXT)),
            # a hypothetical example ("a micro-influencer might charge..."), not a measurement
            "illustrative": _text(checks=pa.Check.isin(BOOLEAN_TEXT)),
            "confidence": _text(nullable=True, checks=pa.Check.isin(CONFIDENCE)),
            "quote": _quote_column(),
            "notes": _text(nullable=True),
            # a reason, from the sources themselves, to leave the claim out of the synthesis (e.g. a cost in kind)
            "fit_exclusion": _text(nullable=True),
        },
        checks=[
            _unique_together("claim_id"),
            _row_rule(
                ("low", "high"), lambda df: ~(_number(df["low"]) > _number(df["high"])), "low must not be above high"
            ),
            _row_rule(
                ("low", "high"),
                lambda df: df["low"].notna() | df["high"].notna(),
                "a claim needs a number in low or high",
            ),
            _row_rule(
                ("tier_min_followers", "tier_max_followers"),
                lambda df: ~(_number(df["tier_min_followers"]) > _number(df["tier_max_followers"])),
                "tier_min_followers must not be above tier_max_followers",
            ),
            _row_rule(("metric", "unit"), unit_fits, "the unit must fit the metric (metrics.csv normalised_unit)"),
            _row_rule(
                ("source_id", "confidence"),
                lambda df: df["source_id"].isin(articles) == df["confidence"].isna(),
                "literature rows carry a confidence (H, M, L, D); article rows do not",
            ),
            _row_rule(
                ("source_id", "quote"),
                lambda df: ~df["source_id"].isin(articles) | df["quote"].notna(),
                "a claim from an article quotes it",
            ),
        ],
        strict=True,
        ordered=True,
        name="claims",
    )


def load_sources(path: Path | None = None) -> pd.DataFrame:
    """sources.csv: one row per source, with its kind and grade."""
    path = Path(path) if path else evidence_dir() / "sources.csv"
    frame = validate(_read(path), SOURCES_SCHEMA, path)
    frame["year"] = _number(frame["year"]).astype("Int64")
    return frame


def load_tier_definitions(path: Path | None = None, sources: pd.DataFrame | None = None) -> pd.DataFrame:
    """tier_definitions.csv: each source's tier boundaries as it states them.

    Bounds are lower-inclusive and upper-exclusive; a blank min_followers means "from zero" and a blank
    max_followers "and up" (the source states no bound on that side). `tier` is the canonical tier a band is
    called by (blank where the source names it otherwise: IAB UK's "mid-tier", HypeAuditor's "Maven"); `label`
    is the source's own name where it differs; `name` is what the source calls the band either way.
    """
    path = Path(path) if path else evidence_dir() / "tier_definitions.csv"
    sources = load_sources() if sources is None else sources
    frame = validate(_read(path), _tier_definitions_schema(sources["source_id"]), path)
    frame["min_followers"] = _number(frame["min_followers"])
    frame["max_followers"] = _number(frame["max_followers"])
    frame["approx"] = frame["approx"].eq("True")
    frame["tier"] = pd.Categorical(frame["tier"], categories=TIERS, ordered=True)
    frame["name"] = frame["label"].fillna(frame["tier"].astype(str))
    return frame


def get_scheme(scheme: str | pd.DataFrame = "canonical", definitions: pd.DataFrame | None = None) -> pd.DataFrame:
    """tiers.get_scheme(), reading the ledger's tier definitions when a scheme_id is given without them:
    assign_tier(counts, evidence.get_scheme("beichert2024"))."""
    if definitions is None and isinstance(scheme, str) and scheme != "canonical":
        definitions = load_tier_definitions()
    return _scheme(scheme, definitions)


def source_labels(sources: pd.DataFrame) -> pd.Series:
    """source_id -> the short label used in figures and tables ('Article 001', 'Beichert et al. (2024)')."""
    return sources.set_index("source_id")["label"]


def scheme_labels(definitions: pd.DataFrame, sources: pd.DataFrame) -> pd.Series:
    """One label per scheme_id: the source's label, plus whom it cites ('Article 003, citing NP Digital')."""
    first = definitions.drop_duplicates("scheme_id").set_index("scheme_id")
    label = first["source_id"].map(source_labels(sources))
    cited = first["cited_origin"]
    return label.where(cited.isna(), label + ", citing " + cited.fillna("")).rename("scheme")


def load_metrics(path: Path | None = None) -> pd.DataFrame:
    """metrics.csv: the controlled vocabulary of claim metrics, with the unit each normalises to."""
    path = Path(path) if path else evidence_dir() / "metrics.csv"
    return validate(_read(path), METRICS_SCHEMA, path)


def load_claims(
    path: Path | None = None, sources: pd.DataFrame | None = None, metrics: pd.DataFrame | None = None
) -> pd.DataFrame:
    """claims.csv: one row per quantitative claim, as stated (see normalise() for one scale)."""
    path = Path(path) if path else evidence_dir() / "claims.csv"
    sources = load_sources() if sources is None else sources
    metrics = load_metrics() if metrics is None else metrics
    frame = validate(_read(path), _claims_schema(sources, metrics), path)
    for column in ("tier_min_followers", "tier_max_followers", "low", "high"):
        frame[column] = _number(frame[column])
    frame["approx"] = frame["approx"].eq("True")
    frame["illustrative"] = frame["illustrative"].eq("True")
    return frame


def _tier_range(tier: str) -> tuple[float, float]:
    """Canonical follower range of a single tier; NaN for 'any', comparisons and the rate card's mid-tier."""
    if tier == "sub_nano":
        return 0.0, 1_000.0
    row = CANONICAL[CANONICAL["tier"].astype(str) == tier]
    if row.empty:
        return np.nan, np.nan
    return float(row["min_followers"].iloc[0]), float(row["max_followers"].iloc[0])


def normalise(claims: pd.DataFrame, metrics: pd.DataFrame | None = None) -> pd.DataFrame:
    """Claims on one scale. Adds, keeping every stated column:

    - value_low, value_high, value_unit: percentages as fractions; "N% higher" as the ratio 1 + N/100,
      "N% lower" as 1 - N/100, "N times better value" (of a cost) as 1/N; ratios first group over second.
    - roas_low, roas_high, roi_low, roi_high for return claims: ROAS = revenue / cost, ROI = ROAS - 1. "$5-8 per
      $1 spent", ROIS and "5x ROI per dollar" are ROAS; "527% ROI" is net, so ROAS 6.27.
    - tier_a, tier_b: the two sides of a comparison ("micro_vs_mega" -> micro, mega), or the tier and NaN.
    - range_min, range_max, range_from: the claim's follower range, the source's own bounds where stated
      ("source"), else the canonical tier's ("canonical"); midpoint_followers, its geometric midpoint (open
      ranges capped at FOLLOWER_CAP); canonical_tiers, the canonical tiers that range overlaps.
    """
    metrics = load_metrics() if metrics is None else metrics
    out = claims.copy()
    low, high, unit = out["low"], out["high"], out["unit"]
    value_low, value_high = low.copy(), high.copy()
    pct = unit.isin(["percent"])
    value_low[pct], value_high[pct] = low[pct] / 100, high[pct] / 100
    up = unit.eq("percent_higher")
    value_low[up], value_high[up] = 1 + low[up] / 100, 1 + high[up] / 100
    down = unit.eq("percent_lower")  # a bigger saving is a smaller ratio: the ends swap
    value_low[down], value_high[down] = 1 - high[down] / 100, 1 - low[down] / 100
    inverse = unit.eq("times_lower")
    value_low[inverse], value_high[inverse] = 1 / high[inverse], 1 / low[inverse]
    is_roi = out["metric"].eq("roi")  # stated net: carry it to the ROAS scale like every other return claim
    value_low[is_roi], value_high[is_roi] = value_low[is_roi] + 1, value_high[is_roi] + 1
    out["value_low"], out["value_high"] = value_low, value_high
    normalised = out["metric"].map(dict(zip(metrics["metric"], metrics["normalised_unit"])))
    out["value_unit"] = np.where(normalised.eq("currency"), unit, normalised)

    returns = out["metric"].isin(["roas", "roi"])
    out["roas_low"] = value_low.where(returns)
    out["roas_high"] = value_high.where(returns)
    out["roi_low"], out["roi_high"] = out["roas_low"] - 1, out["roas_high"] - 1

    sides = out["tier"].str.split("_vs_", n=1, expand=True).reindex(columns=[0, 1])
    out["tier_a"], out["tier_b"] = sides[0], sides[1]

    canonical = pd.DataFrame([_tier_range(t) for t in out["tier_a"]], index=out.index, columns=["lo", "hi"])
    single = out["tier_b"].isna()
    stated_min, stated_max = out["tier_min_followers"], out["tier_max_followers"]
    # A source that states either bound defines the range (a blank side is open); otherwise the canonical tier.
    from_source = stated_min.notna() | stated_max.notna()
    out["range_min"] = stated_min.where(from_source, canonical["lo"].where(single))
    out["range_max"] = stated_max.where(from_source, canonical["hi"].where(single))
    has_range = from_source | out["range_min"].notna()
    out["range_from"] = pd.Series("canonical", index=out.index).where(has_range).mask(from_source, "source")
    lo, hi = out["range_min"].fillna(0), out["range_max"].fillna(np.inf)
    out["canonical_tiers"] = [_overlapping_tiers(a, b) if h else "" for a, b, h in zip(lo, hi, has_range)]
    # Midpoints need finite ends: the book's tiers start at 1,000 followers (100 for a band under 1,000, such as
    # Markerly's) and its follower range ends at FOLLOWER_CAP.
    floor = np.where(hi <= 1_000, 100, 1_000)
    out["midpoint_followers"] = np.sqrt(np.maximum(lo, floor) * hi.clip(upper=FOLLOWER_CAP)).where(has_range)
    return out


def _overlapping_tiers(lo: float, hi: float) -> str:
    hits = CANONICAL[(CANONICAL["min_followers"] < max(hi, lo + 1)) & (CANONICAL["max_followers"] > lo)]
    return ", ".join(hits["tier"].astype(str))


def load_ledger(folder: Path | None = None) -> dict[str, pd.DataFrame]:
    """Every ledger file in `folder` (default data/evidence), validated; claims normalised.

    Keys: sources, metrics, tier_definitions, claims.
    """
    folder = Path(folder) if folder else evidence_dir()
    sources = load_sources(folder / "sources.csv")
    metrics = load_metrics(folder / "metrics.csv")
    return {
        "sources": sources,
        "metrics": metrics,
        "tier_definitions": load_tier_definitions(folder / "tier_definitions.csv", sources=sources),
        "claims": normalise(load_claims(folder / "claims.csv", sources=sources, metrics=metrics), metrics),
    }


def _stated_text(row) -> str:
    """A claim's numbers as its source states them: '3.8–7.0 percent', 'up to 7 percent', '10,000+ usd'."""

    def num(v):
        return f"{v:,.10g}"

    unit = {
        "percent": "%",
        "usd": " USD",
        "eur": " EUR",
        "usd_per_usd": " per $1",
        "times": "×",
        "percent_higher": "% higher",
        "percent_lower": "% lower",
        "times_lower": "× lower",
        "ratio": "",
        "currency": " (currency unstated)",
    }.get(row.unit, f" {row.unit}")
    if pd.isna(row.low):
        return f"up to {num(row.high)}{unit}"
    if pd.isna(row.high):
        return f"{num(row.low)}+{unit}"
    return f"{num(row.low)}{unit}" if row.low == row.high else f"{num(row.low)}–{num(row.high)}{unit}"


def tier_claims(ledger: dict, tier: str) -> pd.DataFrame:
    """Every claim about `tier`, alone or on either side of a comparison, with the source's label and grade, the
    figure as stated, and the quote (or, for literature rows, the confidence and notes). Indexed by claim_id."""
    claims, sources = ledger["claims"], ledger["sources"].set_index("source_id")
    rows = claims[(claims["tier_a"] == tier) | (claims["tier_b"] == tier)].reset_index(drop=True)
    table = pd.DataFrame(
        {
            "claim": rows["claim_id"],
            "source": rows["source_id"].map(sources["label"]),
            "grade": rows["source_id"].map(sources["grade"])
            + rows["confidence"].map(lambda c: f" ({c})" if isinstance(c, str) else ""),
            "tier": rows["tier"],
            "metric": rows["metric"],
            "platform": rows["platform"],
            "stated": [_stated_text(r) for r in rows.itertuples()],
            "words or note": rows["quote"].fillna(rows["notes"]).fillna(""),
        }
    )
    return table.sort_values(["metric", "source"], kind="stable").set_index("claim")


def tier_definition_table(ledger: dict, tier: str) -> pd.DataFrame:
    """How each source bounds `tier`: scheme label, band, hedged, quote."""
    definitions = ledger["tier_definitions"]
    labels = scheme_labels(definitions, ledger["sources"])
    rows = definitions[definitions["tier"].astype(str) == tier].reset_index(drop=True)
    return pd.DataFrame(
        {
            "source": rows["scheme_id"].map(labels),
            "band": [band_label(lo, hi) for lo, hi in zip(rows["min_followers"], rows["max_followers"])],
            "hedged": rows["approx"].map({True: "yes", False: ""}),
            "words": rows["quote"].fillna(""),
        }
    ).set_index("source")
