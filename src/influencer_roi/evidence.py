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
from pandera.errors import SchemaErrors

from .paths import evidence_dir
from .tiers import TIERS

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
MAX_QUOTE_WORDS = 30


class LedgerError(ValueError):
    """A ledger file breaks its schema. The message lists each bad value with file, line, column and rule."""


def _text(**kwargs) -> pa.Column:
    return pa.Column(str, **kwargs)


def _number(series: pd.Series) -> pd.Series:
    """Text to float; blank and unparseable both give NaN (the schema has already reported unparseable)."""
    return pd.to_numeric(series, errors="coerce")


def _numeric(minimum: float | None = None, maximum: float | None = None, **kwargs) -> pa.Column:
    # Numbers are checked as text, so that "10k" is reported as itself with its row, and converted afterwards.
    checks = [pa.Check(lambda s: s.isna() | _number(s).notna(), error="must be a plain number (no units or commas)")]
    if minimum is not None:
        checks.append(pa.Check(lambda s: ~(_number(s) < minimum), error=f"must be at least {minimum:g}"))
    if maximum is not None:
        checks.append(pa.Check(lambda s: ~(_number(s) > maximum), error=f"must be at most {maximum:g}"))
    return pa.Column(str, nullable=True, checks=checks, **kwargs)


# Rules that compare columns of one row, and the columns each one concerns: pandera reports a failed row-level
# check once per column of the row, and the message should name only the columns the rule is about.
_ROW_RULES: dict[str, tuple[str, ...]] = {}


def _row_rule(columns: tuple[str, ...], test, error: str) -> pa.Check:
    _ROW_RULES[error] = columns
    return pa.Check(test, error=error)


def _unique_together(*columns: str) -> pa.Check:
    return _row_rule(columns, lambda df: ~df.duplicated(list(columns), keep=False),
                     f"({', '.join(columns)}) must be unique: this row repeats another")


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
            "tier": _text(checks=pa.Check.isin(TIERS)),
            "min_followers": _numeric(minimum=0),
            "max_followers": _numeric(minimum=0),
            "approx": _text(checks=pa.Check.isin(BOOLEAN_TEXT)),
            "quote": _text(
                nullable=True,
                checks=pa.Check(
                    lambda s: s.str.split().str.len() <= MAX_QUOTE_WORDS,
                    element_wise=False,
                    error=f"a quote has at most {MAX_QUOTE_WORDS} words",
                ),
            ),
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
            _unique_together("scheme_id", "tier"),
        ],
        strict=True,
        ordered=True,
        name="tier_definitions",
    )


def _read(path: Path) -> pd.DataFrame:
    # Everything as text first: the schema, not pandas' type guessing, decides what a value means.
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    frame.index = pd.RangeIndex(len(frame))
    return frame


def _format_errors(path: Path, err: SchemaErrors, limit: int = 10) -> str:
    cases = err.failure_cases
    lines = []
    for (index, check), group in cases.groupby(["index", "check"], sort=False, dropna=False):
        where = f"line {int(index) + 2}" if pd.notna(index) else "every row"
        columns = _ROW_RULES.get(check)
        if columns:  # one line for the row, naming only the columns the rule compares
            group = group[group["column"].isin(columns)]
        for column, value in zip(group["column"], group["failure_case"]):
            lines.append(f"  {path.name}, {where}, column {column}: value {value!r} breaks rule: {check}")
    shown = "\n".join(lines[:limit])
    more = f"\n  ... and {len(lines) - limit} more" if len(lines) > limit else ""
    return f"{path} does not match its schema ({len(lines)} problem(s)):\n{shown}{more}"


def validate(frame: pd.DataFrame, schema: pa.DataFrameSchema, path: Path) -> pd.DataFrame:
    """Validate `frame` (read from `path`) against `schema`; raise LedgerError naming every bad value."""
    try:
        return schema.validate(frame, lazy=True)
    except SchemaErrors as err:
        raise LedgerError(_format_errors(path, err)) from None


def load_sources(path: Path | None = None) -> pd.DataFrame:
    """sources.csv: one row per source, with its kind and grade."""
    path = Path(path) if path else evidence_dir() / "sources.csv"
    frame = validate(_read(path), SOURCES_SCHEMA, path)
    frame["year"] = _number(frame["year"]).astype("Int64")
    return frame


def load_tier_definitions(path: Path | None = None, sources: pd.DataFrame | None = None) -> pd.DataFrame:
    """tier_definitions.csv: each source's tier boundaries as it states them.

    Bounds are lower-inclusive and upper-exclusive; a blank min_followers means "from zero" and a blank
    max_followers "and up" (the source states no bound on that side).
    """
    path = Path(path) if path else evidence_dir() / "tier_definitions.csv"
    sources = load_sources() if sources is None else sources
    frame = validate(_read(path), _tier_definitions_schema(sources["source_id"]), path)
    frame["min_followers"] = _number(frame["min_followers"])
    frame["max_followers"] = _number(frame["max_followers"])
    frame["approx"] = frame["approx"].eq("True")
    frame["tier"] = pd.Categorical(frame["tier"], categories=TIERS, ordered=True)
    return frame


def source_labels(sources: pd.DataFrame) -> pd.Series:
    """source_id -> the short label used in figures and tables ('Article 001', 'Beichert et al. (2024)')."""
    return sources.set_index("source_id")["label"]


def scheme_labels(definitions: pd.DataFrame, sources: pd.DataFrame) -> pd.Series:
    """One label per scheme_id: the source's label, plus whom it cites ('Article 003, citing NP Digital')."""
    first = definitions.drop_duplicates("scheme_id").set_index("scheme_id")
    label = first["source_id"].map(source_labels(sources))
    cited = first["cited_origin"]
    return label.where(cited.isna(), label + ", citing " + cited.fillna("")).rename("scheme")
