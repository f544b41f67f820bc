"""The schemas of a user's files: campaigns (`influencer-roi analyze`) and posts (`influencer-roi engagement`).

Campaigns: required influencer_id, followers (a positive whole number), cost (> 0, one currency), revenue (>= 0);
optional campaign_id, platform, brand, engagements, conversions, date.
Posts: required account_id, followers, and likes + comments or engagements (whole numbers >= 0); optional
post_id, platform, date, views, sponsored.
Other columns are ignored. `dictionary()` lists every column with its rule, for the book's data-dictionary page.
Accepted: CSV with any common delimiter (sniffed), compressed CSV (.gz, .bz2, .xz, .zip), Parquet.
A bad value is reported with the file, line, column, value and rule (validation.py); nothing is guessed, and the
input file is only ever read.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
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


def _plain_number() -> pa.Check:
    return pa.Check(lambda s: validation.to_number(s).notna(), error="must be a plain number (no units or commas)")


def _followers() -> pa.Column:
    return validation.numeric(minimum=1, whole=True, nullable=False)


def _count(nullable: bool = False) -> pa.Column:
    """A whole number >= 0 (likes, comments, engagements, views), optional as a column."""
    return validation.numeric(minimum=0, whole=True, nullable=nullable, required=False)


BOOLEAN = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}

CAMPAIGNS_SCHEMA = pa.DataFrameSchema(
    {
        "influencer_id": validation.text(nullable=False),
        "followers": _followers(),
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

POSTS_SCHEMA = pa.DataFrameSchema(
    {
        "account_id": validation.text(nullable=False),
        "followers": _followers(),
        "likes": _count(),
        "comments": _count(),
        "engagements": _count(),
        "views": _count(nullable=True),
        "post_id": validation.text(nullable=True, required=False),
        "platform": validation.text(nullable=True, required=False),
        "sponsored": pa.Column(str, nullable=True, required=False, checks=pa.Check(
            lambda s: s.isna() | s.str.strip().str.lower().isin(list(BOOLEAN)),
            error=f"must be one of {'/'.join(BOOLEAN)} (or blank)")),
    },
    strict=False,
    name="posts",
)


@dataclass(frozen=True)
class FileSpec:
    """What one kind of input file must hold: required columns, optional ones, and groups of which at least one
    must be complete (posts need likes + comments, or engagements)."""

    kind: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    schema: pa.DataFrameSchema
    one_of: tuple[tuple[str, ...], ...] = ()

    @property
    def known(self) -> tuple[str, ...]:
        return self.required + tuple(c for group in self.one_of for c in group) + self.optional


CAMPAIGNS = FileSpec("campaign", REQUIRED, OPTIONAL, CAMPAIGNS_SCHEMA)
POSTS = FileSpec("post", ("account_id", "followers"), ("post_id", "platform", "date", "views", "sponsored"), POSTS_SCHEMA,
                 one_of=(("likes", "comments"), ("engagements",)))

# What each column means, for the data dictionary; the rules themselves are read from the schemas.
MEANINGS = {
    "influencer_id": "who ran the campaign (campaigns by one influencer share it)",
    "account_id": "the account that published the post (its posts share it; errors are clustered by it)",
    "followers": "the account's follower count when the campaign ran or the post was published",
    "cost": "what the brand paid for the campaign, in one currency throughout the file",
    "revenue": "the revenue attributed to the campaign, in the same currency as cost",
    "campaign_id": "an identifier for the campaign (kept, not used)",
    "platform": "instagram, tiktok, youtube ... (engagement: platform levels are controlled for)",
    "brand": "the brand that paid (the mixed model's groups; 'all' when absent)",
    "engagements": "likes + comments + shares ... as counted by the platform",
    "conversions": "sales or sign-ups attributed to the campaign (kept, not used)",
    "date": "when the campaign ran or the post was published (kept as text, not used)",
    "post_id": "an identifier for the post: rows that repeat one post exactly are dropped (and counted)",
    "likes": "likes of the post",
    "comments": "comments on the post",
    "views": "views of the post (kept, not used)",
    "sponsored": "whether the post was paid for (true/false, yes/no or 1/0)",
}


def _rules(column: pa.Column | None) -> str:
    if column is None:
        return "any text (not checked)"
    rules = [str(check.error) for check in column.checks] or ["any text"]
    if not column.nullable:
        rules.append("no blanks")
    return "; ".join(rules)


def dictionary() -> pd.DataFrame:
    """Every column of both file kinds: file, column, required, meaning, rules (from the pandera schemas)."""
    rows = []
    for spec in (CAMPAIGNS, POSTS):
        alternatives = {c: " + ".join(group) for group in spec.one_of for c in group}
        for column in spec.known:
            if column in spec.required:
                need = "required"
            elif column in alternatives:
                groups = " or ".join(" + ".join(g) for g in spec.one_of)
                need = f"required as {groups}"
            else:
                need = "optional"
            rows.append({"file": f"{spec.kind}s", "column": column, "required": need,
                         "meaning": MEANINGS[column], "rules": _rules(spec.schema.columns.get(column))})
    return pd.DataFrame(rows)


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


def read_table(path: Path, column_map: dict[str, str] | None = None, spec: FileSpec | None = None) -> pd.DataFrame:
    """Read a campaign (or, with spec=POSTS, post) file as text (every value a string, blanks missing), with the
    user's headers renamed to ours, keeping only the columns the analysis uses. Raises InputError for anything
    that is not a table."""
    spec = spec or CAMPAIGNS
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
            wanted = [c for c in header if column_map.get(c, c) in spec.known]
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
    found = f"found {', '.join(map(str, frame.columns)) or 'none'} (map yours with --column ours=theirs)"
    missing = [c for c in spec.required if c not in frame.columns]
    if missing:
        raise InputError(f"{path}: missing required column(s) {', '.join(missing)}; {found}")
    if spec.one_of and not any(all(c in frame.columns for c in group) for group in spec.one_of):
        wanted = " or ".join(" + ".join(group) for group in spec.one_of)
        raise InputError(f"{path}: a {spec.kind} file needs the column(s) {wanted}; {found}")
    frame = frame[[c for c in frame.columns if c in spec.known]]
    if frame.empty:
        raise InputError(f"{path}: the file has a header but no rows")
    frame.index = pd.RangeIndex(len(frame))
    return frame


def _checked(frame: pd.DataFrame, schema: pa.DataFrameSchema, path: Path,
             drop_invalid: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Validate, stopping at the first bad file (InputError), or with drop_invalid keep the good rows and return
    the dropped ones too."""
    if not drop_invalid:
        return validation.validate(frame, schema, path, error=InputError), pd.DataFrame(
            columns=["line", "column", "value", "rule"])
    frame, dropped = validation.split_valid(frame, schema, path, error=InputError)
    if frame.empty:
        raise InputError(f"{path}: every row breaks a rule; nothing left to analyse")
    return frame, dropped


def load_campaigns(path: Path, column_map: dict[str, str] | None = None,
                   drop_invalid: bool = False) -> pd.DataFrame:
    """Read and validate a campaign file; numbers converted, brand 'all' when absent.

    With drop_invalid, rows that break a rule are dropped instead of stopping the analysis; the dropped rows and
    their reasons are in .attrs["dropped"] (a tidy table: line, column, value, rule)."""
    path = Path(path)
    frame = read_table(path, column_map)
    frame, dropped = _checked(frame, CAMPAIGNS_SCHEMA, path, drop_invalid)
    for column in ("followers", "cost", "revenue"):
        frame[column] = validation.to_number(frame[column])
    frame["followers"] = frame["followers"].astype("int64")
    if "brand" not in frame.columns:
        frame["brand"] = "all"
    frame["brand"] = frame["brand"].fillna("unknown")
    frame.attrs["dropped"] = dropped
    return frame


def load_posts(path: Path, column_map: dict[str, str] | None = None, drop_invalid: bool = False) -> pd.DataFrame:
    """Read and validate a post file; numbers converted; `engagements` is the file's own column when it has one,
    likes + comments otherwise; `sponsored` as booleans. Dropped rows (drop_invalid) are in .attrs["dropped"]."""
    path = Path(path)
    frame = read_table(path, column_map, POSTS)
    frame, dropped = _checked(frame, POSTS_SCHEMA, path, drop_invalid)
    for column in ("followers", "likes", "comments", "engagements", "views"):
        if column in frame.columns:
            frame[column] = validation.to_number(frame[column])
    frame["followers"] = frame["followers"].astype("int64")
    if "engagements" not in frame.columns:
        frame["engagements"] = frame["likes"] + frame["comments"]
    if "sponsored" in frame.columns:
        frame["sponsored"] = frame["sponsored"].str.strip().str.lower().map(BOOLEAN)
    frame.attrs["dropped"] = dropped
    return frame
