"""The schema of a user's campaign file, for `influencer-roi analyze` and models.fit_all.

Required: influencer_id, followers (a positive whole number), cost (> 0, one currency), revenue (>= 0).
Optional: campaign_id, platform, brand, engagements, conversions, date. Other columns are ignored.
Accepted: CSV with any common delimiter (sniffed), compressed CSV (.gz, .bz2, .xz, .zip), Parquet.
A bad value is reported with the file, line, column, value and rule (validation.py); nothing is guessed, and the
input file is only ever read.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from . import validation

REQUIRED = ("influencer_id", "followers", "cost", "revenue")
OPTIONAL = ("campaign_id", "platform", "brand", "engagements", "conversions", "date")
COMPRESSED = (".gz", ".bz2", ".xz", ".zip", ".zst")
DELIMITERS = ",;\t|"


class InputError(validation.ValidationError):
    """A user's file cannot be analysed as it is; the message says where and why."""


def _whole(series: pd.Series) -> pd.Series:
    number = validation.to_number(series)
    return number.isna() | (number == number.round())


def _plain_number() -> pa.Check:
    return pa.Check(lambda s: validation.to_number(s).notna(), error="must be a plain number (no units or commas)")


CAMPAIGNS_SCHEMA = pa.DataFrameSchema(
    {
        "influencer_id": validation.text(nullable=False),
        "followers": pa.Column(str, nullable=False, checks=[
            _plain_number(),
            pa.Check(lambda s: ~(validation.to_number(s) < 1), error="must be at least 1"),
            pa.Check(_whole, error="must be a whole number"),
        ]),
        "cost": pa.Column(str, nullable=False, checks=[
            _plain_number(),
            pa.Check(lambda s: ~(validation.to_number(s) <= 0), error="must be above 0"),
        ]),
        "revenue": validation.numeric(minimum=0, nullable=False),
        "brand": validation.text(nullable=True, required=False),
        "platform": validation.text(nullable=True, required=False),
    },
    strict=False,
    name="campaigns",
)


def parse_column_map(pairs: list[str] | None, known: tuple[str, ...]) -> dict[str, str]:
    """["followers=Follower Count", ...] -> {"Follower Count": "followers"} (theirs -> ours)."""
    mapping = {}
    for pair in pairs or []:
        ours, sep, theirs = pair.partition("=")
        if not sep or not ours or not theirs:
            raise InputError(f"--column {pair!r}: expected OURS=THEIRS, for example followers=Follower Count")
        if ours not in known:
            raise InputError(f"--column {pair!r}: {ours!r} is not a column this analysis uses; "
                             f"known: {', '.join(known)}")
        mapping[theirs] = ours
    return mapping


def _kind(path: Path) -> str:
    """'parquet', 'compressed' or 'csv'; refuses spreadsheets and binary files passed as CSV, naming what they
    look like."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    suffix = path.suffix.lower()
    if head.startswith(b"PAR1") or suffix == ".parquet":
        return "parquet"
    if suffix in COMPRESSED:
        return "compressed"
    if head.startswith(b"PK\x03\x04"):
        raise InputError(f"{path}: this is a zip archive, most likely an .xlsx spreadsheet; export the sheet as CSV "
                         "(or name a zipped CSV .zip)")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError(f"{path}: this is an .xls spreadsheet, not a CSV file; export the sheet as CSV")
    if b"\x00" in head:
        raise InputError(f"{path}: this is a binary file (it contains NUL bytes), not a CSV file")
    return "csv"


def _sniff_delimiter(path: Path) -> str:
    with path.open("r", encoding="utf-8", errors="replace") as handle:
        sample = handle.read(65_536)
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        return ","


def read_table(path: Path, column_map: dict[str, str] | None = None) -> pd.DataFrame:
    """Read a campaign file as text (every value a string, blanks missing), with the user's headers renamed to
    ours, keeping only the columns the analysis uses. Raises InputError for anything that is not a table."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise InputError(f"{path}: the file is empty")
    column_map = column_map or {}
    kind = _kind(path)
    try:
        if kind == "parquet":
            frame = pd.read_parquet(path)
            frame = frame.astype("string").astype(object).where(frame.notna())
        elif kind == "compressed":
            frame = pd.read_csv(path, dtype=str, sep=None, engine="python", keep_default_na=False, na_values=[""])
        else:
            delimiter = _sniff_delimiter(path)
            header = list(pd.read_csv(path, nrows=0, sep=delimiter).columns)
            wanted = [c for c in header if column_map.get(c, c) in REQUIRED + OPTIONAL]
            frame = validation.read_text_csv(path, usecols=wanted or None, sep=delimiter)
    except InputError:
        raise
    except Exception as err:  # noqa: BLE001 - any reader failure means the file is not a readable table
        raise InputError(f"{path}: not readable as a {kind} table ({type(err).__name__}: {str(err)[:200]})") from None
    missing_theirs = [theirs for theirs in column_map if theirs not in frame.columns]
    if missing_theirs:
        raise InputError(f"{path}: --column names {', '.join(repr(c) for c in missing_theirs)}, which the file does "
                         f"not have; its columns are {', '.join(map(str, frame.columns))}")
    frame = frame.rename(columns=column_map)
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise InputError(f"{path}: missing required column(s) {', '.join(missing)}; found "
                         f"{', '.join(map(str, frame.columns)) or 'none'} (map yours with --column ours=theirs)")
    frame = frame[[c for c in frame.columns if c in REQUIRED + OPTIONAL]]
    if frame.empty:
        raise InputError(f"{path}: the file has a header but no rows")
    frame.index = pd.RangeIndex(len(frame))
    return frame


def load_campaigns(path: Path, column_map: dict[str, str] | None = None,
                   drop_invalid: bool = False) -> pd.DataFrame:
    """Read and validate a campaign file; numbers converted, brand 'all' when absent.

    With drop_invalid, rows that break a rule are dropped instead of stopping the analysis; the dropped rows and
    their reasons are in .attrs["dropped"] (a tidy table: line, column, value, rule)."""
    path = Path(path)
    frame = read_table(path, column_map)
    dropped = pd.DataFrame(columns=["line", "column", "value", "rule"])
    if drop_invalid:
        frame, dropped = validation.split_valid(frame, CAMPAIGNS_SCHEMA, path, error=InputError)
        if frame.empty:
            raise InputError(f"{path}: every row breaks a rule; nothing left to analyse")
    else:
        frame = validation.validate(frame, CAMPAIGNS_SCHEMA, path, error=InputError)
    for column in ("followers", "cost", "revenue"):
        frame[column] = validation.to_number(frame[column])
    frame["followers"] = frame["followers"].astype("int64")
    if "brand" not in frame.columns:
        frame["brand"] = "all"
    frame["brand"] = frame["brand"].fillna("unknown")
    frame.attrs["dropped"] = dropped
    return frame
