"""Schema validation with pandera, and messages a person can act on.

Files are read as text and every value is checked before any is used, so a bad value is reported as itself,
with the file, its line in the file (the header is line 1), the column, the value and the rule it breaks.
Used for the evidence ledger (evidence.py) and for users' campaign files (schema.py).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors


class ValidationError(ValueError):
    """A file breaks its schema. The message lists each bad value with file, line, column, value and rule."""


def text(**kwargs) -> pa.Column:
    return pa.Column(str, **kwargs)


# Parsed columns, kept for the length of one validate() call: several checks parse the same column, and pandera
# hands each check a new Series over the same array, so the array is the key.
_PARSED: dict[int, tuple[object, pd.Series]] = {}


def to_number(series: pd.Series) -> pd.Series:
    """Text to float; blank and unparseable both give NaN (the schema reports unparseable values itself).
    Plain casts are tried first (Arrow's, then pandas'): they are several times faster than to_numeric on a clean
    column of a million."""
    array = series.array
    cached = _PARSED.get(id(array))
    if cached is not None and cached[0] is array and cached[1].index.equals(series.index):
        return cached[1]
    parsed = _arrow_cast(series)
    if parsed is None:
        try:
            parsed = series.astype("float64")
        except (ValueError, TypeError):
            parsed = pd.to_numeric(series, errors="coerce")
    _PARSED[id(array)] = (array, parsed)
    return parsed


def _arrow_cast(series: pd.Series) -> pd.Series | None:
    """pyarrow's string-to-double cast for a column read by pyarrow (about eight times faster than pandas' astype on
    a million values); None when the column is not Arrow-backed or holds a value Arrow will not parse, so that
    pandas decides those as before."""
    if not hasattr(series.array, "__arrow_array__"):
        return None
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        values = pc.cast(series.array.__arrow_array__(), pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, TypeError):
        return None
    return pd.Series(values.to_numpy(zero_copy_only=False), index=series.index, name=series.name)


def numeric(minimum: float | None = None, maximum: float | None = None, whole: bool = False,
            **kwargs) -> pa.Column:
    """A number column checked as text, so that "10k" is reported as itself with its row, converted afterwards.
    whole: the number must also be a whole number (counts, followers)."""
    kwargs.setdefault("nullable", True)
    checks = [pa.Check(lambda s: s.isna() | to_number(s).notna(), error="must be a plain number (no units or commas)")]
    if minimum is not None:
        checks.append(pa.Check(lambda s: ~(to_number(s) < minimum), error=f"must be at least {minimum:g}"))
    if maximum is not None:
        checks.append(pa.Check(lambda s: ~(to_number(s) > maximum), error=f"must be at most {maximum:g}"))
    if whole:
        checks.append(pa.Check(lambda s: to_number(s).isna() | (to_number(s) == to_number(s).round()),
                               error="must be a whole number"))
    return pa.Column(str, checks=checks, **kwargs)


# Rules that compare columns of one row, and the columns each one concerns: pandera reports a failed row-level
# check once per column of the row, and the message should name only the columns the rule is about.
_ROW_RULES: dict[str, tuple[str, ...]] = {}


def row_rule(columns: tuple[str, ...], test, error: str) -> pa.Check:
    _ROW_RULES[error] = columns
    return pa.Check(test, error=error)


def unique_together(*columns: str) -> pa.Check:
    return row_rule(columns, lambda df: ~df.duplicated(list(columns), keep=False),
                    f"({', '.join(columns)}) must be unique: this row repeats another")


def read_text_csv(path: Path, usecols=None, sep: str = ",") -> pd.DataFrame:
    """Every value as text, blanks as missing: the schema, not pandas' type guessing, decides what a value means.
    pyarrow's CSV reader is an order of magnitude faster than pandas' own on large files."""
    frame = pd.read_csv(path, dtype=str, engine="pyarrow", usecols=usecols, sep=sep)
    frame = frame.mask(frame.apply(lambda column: column.str.strip().eq("")))
    frame.index = pd.RangeIndex(len(frame))
    return frame


def _format_errors(path: Path, frame: pd.DataFrame, err: SchemaErrors, limit: int = 10) -> str:
    cases = err.failure_cases
    # in file order: pandera lists failures check by check
    cases = cases.assign(_order=cases["index"].astype("float64")).sort_values("_order", kind="stable",
                                                                           na_position="first")
    lines = []
    for (index, check), group in cases.groupby(["_order", "check"], sort=False, dropna=False):
        where = f"line {int(index) + 2}" if pd.notna(index) else "every row"
        columns = _ROW_RULES.get(check)
        if columns and pd.notna(index):
            # one line per column the rule compares, values read from the row itself (pandera leaves blanks out)
            pairs = [(c, frame.at[int(index), c]) for c in columns]
        else:
            pairs = list(zip(group["column"], group["failure_case"]))
        for column, value in pairs:
            shown = "blank" if pd.isna(value) else repr(value)
            lines.append(f"  {path.name}, {where}, column {column}: value {shown} breaks rule: {check}")
    shown = "\n".join(lines[:limit])
    more = f"\n  ... and {len(lines) - limit} more" if len(lines) > limit else ""
    return f"{path} does not match its schema ({len(lines)} problem(s)):\n{shown}{more}"


def validate(frame: pd.DataFrame, schema: pa.DataFrameSchema, path: Path,
             error: type[ValidationError] = ValidationError) -> pd.DataFrame:
    """Validate `frame` (read from `path`) against `schema`; raise `error` naming every bad value."""
    try:
        return schema.validate(frame, lazy=True)
    except SchemaErrors as err:
        raise error(_format_errors(path, frame, err)) from None
    finally:
        _PARSED.clear()


def split_valid(frame: pd.DataFrame, schema: pa.DataFrameSchema, path: Path,
                error: type[ValidationError] = ValidationError) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows that pass, a tidy table of what was dropped: line, column, value, rule). A problem that is not about
    one row (a missing column) still raises `error`."""
    try:
        return schema.validate(frame, lazy=True), pd.DataFrame(columns=["line", "column", "value", "rule"])
    except SchemaErrors as err:
        cases = err.failure_cases
        if cases["index"].isna().any():
            raise error(_format_errors(path, frame, err)) from None
        bad = sorted(set(cases["index"].astype(int)))
        report = pd.DataFrame({"line": cases["index"].astype(int) + 2, "column": cases["column"],
                               "value": cases["failure_case"], "rule": cases["check"]})
        kept = frame.drop(index=bad)
        return schema.validate(kept, lazy=True), report.sort_values("line").reset_index(drop=True)
    finally:
        _PARSED.clear()
