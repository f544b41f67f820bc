"""The schemas of a user's files: campaigns (`influencer-roi analyze`) and posts (`influencer-roi engagement`).

Campaigns: required influencer_id, followers (a positive whole number), cost (at least 0.01, one currency),
revenue (>= 0); optional brand, and campaign_id (a row repeating another's campaign_id and influencer_id exactly is
dropped and counted; the same pair with other values is refused). Posts: required account_id, followers, and
likes + comments or engagements (whole numbers >= 0); optional post_id (an exact repeat of a post's row is dropped),
platform, views, sponsored, date. Other columns are not read. `dictionary()` lists every column with its rule and
`number_formats()` the ways a number may be written, for the book's data-dictionary page.

Accepted: CSV with any common delimiter (found in its first 64 KiB), compressed CSV (.gz, .bz2, .xz, .zip, .zst),
Parquet; UTF-8 text, up to Limits (rows, and bytes after decompression). Headers match ours whatever their case
and surrounding spaces, with spaces or hyphens for underscores.
Counts may be written as exported by social platforms (12,345 or 353.1K; the expansion and the rounding it carries
are reported); amounts may carry thousands separators and one currency symbol throughout the file. Numbers are read
with the dot as decimal mark and the comma as thousands separator unless the reader states another convention
(--decimal, --thousands; validation.Convention); a value that could be read either way (1.200, EUR 1.200, an amount
1,200) is read only when the file's other values of its kind show the convention, and refused otherwise. A bad value is
reported with the file, its line (or row), the column, the value as written and the rule (validation.py); nothing
else is guessed, and the input file is only ever read.
"""

from __future__ import annotations

import bz2
import csv
import errno
import gzip
import io
import lzma
import os
import re
import stat
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import numpy as np
import pandas as pd
import pandera.pandas as pa

from . import validation
from .constants import MAX_INPUT_BYTES, MAX_INPUT_ROWS
from .tiers import assign_tier
from .validation import COUNT, DEFAULT, MISSING_MARKERS, MONEY, Convention, NumberFormat, listed, quoted

REQUIRED = ("influencer_id", "followers", "cost", "revenue")
OPTIONAL = ("campaign_id", "platform", "brand", "engagements", "conversions", "date")
COMPRESSED = (".gz", ".bz2", ".xz", ".zip", ".zst")
# What a damaged file raises while it is read or decompressed: refused as unreadable, never an internal error
# (zlib.error: a corrupt deflate stream inside a .gz or .zip)
UNREADABLE = (OSError, EOFError, zipfile.BadZipFile, lzma.LZMAError, zlib.error)
DELIMITERS = ",;\t|"
HEAD_BYTES = 1 << 16  # the head of a CSV file read to find its delimiter and header (64 KiB), and no more
BLOCK_BYTES = 1 << 18  # the CSV reader's block: the rows are counted block by block

# What a value may be. Beyond these it is an error in the file, not a campaign: no account has ten billion
# followers (there are fewer people), and no campaign costs or earns a trillion.
MAX_FOLLOWERS = 10_000_000_000
MAX_COUNT = 1_000_000_000_000
MAX_AMOUNT = 1_000_000_000_000
MIN_COST = 0.01  # below a cent a return per dollar is a division by almost nothing
MISSING = "must not be missing (blank, N/A, null and the like)"
TEXT_COLUMNS = ("influencer_id", "account_id", "brand", "platform", "sponsored", "campaign_id", "date")


class InputError(validation.ValidationError):
    """A user's file cannot be analysed as it is; the message says where and why."""


MAX_ROWS, MAX_BYTES = MAX_INPUT_ROWS, MAX_INPUT_BYTES  # how much of a user's file is read, at most (Limits)


@dataclass(frozen=True)
class Limits:
    """At most `rows` rows (records after the header) and `bytes` bytes of CSV text, counted after decompression
    (for Parquet: the rows and the uncompressed size of the columns read, from its metadata, before reading).
    Reading stops at the first byte or row over a cap, and the file is refused naming the cap and the option that
    raises it (--max-rows, --max-bytes)."""

    rows: int = MAX_ROWS
    bytes: int = MAX_BYTES


LIMITS = Limits()


def _too_many_bytes(path: Path, limits: Limits, what: str) -> str:
    return (
        f"{path}: more than {limits.bytes:,} {what}; breaks rule: at most {limits.bytes:,} bytes (--max-bytes), "
        "which keeps a run within memory and time: raise --max-bytes if the file is meant to be this large"
    )


def _too_many_rows(path: Path, limits: Limits) -> str:
    return (
        f"{path}: more than {limits.rows:,} rows after the header; breaks rule: at most {limits.rows:,} rows "
        "(--max-rows), which keeps a run within memory and time: raise --max-rows if the file is meant to be this large"
    )


class _OverCap(Exception):
    """Raised inside a read when a cap is passed; turned into InputError by the reader, whatever library called."""


class Counted(io.RawIOBase):
    """A stream of at most `limit` bytes of another (a decompressing one): it never asks the stream for more than
    limit + 1 bytes in all, counts them (`consumed`), and raises _OverCap at the byte over, so that a small
    compressed file expanding to gigabytes is stopped after `limit` bytes of work."""

    def __init__(self, raw, limit: int) -> None:
        super().__init__()
        self.raw, self.limit, self.consumed, self.over = raw, limit, 0, False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.over:
            raise _OverCap
        want = min(len(buffer), self.limit + 1 - self.consumed)
        data = self.raw.read(want) if want > 0 else b""
        count = len(data)
        buffer[:count] = data
        self.consumed += count
        if self.consumed > self.limit:
            self.over = True
            raise _OverCap
        return count

    def close(self) -> None:
        try:
            self.raw.close()
        finally:
            super().close()


def _required_text() -> pa.Column:
    """An identifier: any text but blank or a missing-value marker (surrounding spaces are removed on reading,
    so ' A1' and 'A1' are one account)."""
    return validation.text(
        nullable=True,
        checks=pa.Check(lambda s: s.notna() & ~s.str.lower().isin(MISSING_MARKERS), ignore_na=False, error=MISSING),
    )


def _followers(count: NumberFormat) -> pa.Column:
    return validation.numeric(minimum=1, maximum=MAX_FOLLOWERS, whole=True, fmt=count, missing_rule=MISSING)


def _count(count: NumberFormat, nullable: bool = False) -> pa.Column:
    """A whole number >= 0 (likes, comments, engagements, views), optional as a column."""
    return validation.numeric(
        minimum=0, maximum=MAX_COUNT, whole=True, fmt=count, required=False, missing_rule=None if nullable else MISSING
    )


BOOLEAN = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


def campaigns_schema(count: NumberFormat = COUNT, money: NumberFormat = MONEY) -> pa.DataFrameSchema:
    """The campaign schema, its numbers read as `count` and `money` say (a file's convention: validation.settle)."""
    return pa.DataFrameSchema(
        {
            "influencer_id": _required_text(),
            "followers": _followers(count),
            "cost": validation.numeric(minimum=MIN_COST, maximum=MAX_AMOUNT, fmt=money, missing_rule=MISSING),
            "revenue": validation.numeric(minimum=0, maximum=MAX_AMOUNT, fmt=money, missing_rule=MISSING),
            "brand": validation.text(nullable=True, required=False),
            "campaign_id": validation.text(nullable=True, required=False),
        },
        strict=False,
        name="campaigns",
    )


DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ][0-9:.+\-Z]*)?$")


def parse_dates(values: pd.Series) -> pd.Series:
    """A post's date as written (YYYY-MM-DD, an ISO time after it ignored) as a datetime; NaT where it is blank or
    not a real date (2019-02-30 is not)."""
    text = values.astype("string")
    shaped = text.str.match(DATE.pattern).fillna(False).astype(bool)
    return pd.to_datetime(text.str.slice(0, 10).where(shaped), format="%Y-%m-%d", errors="coerce")


def posts_schema(count: NumberFormat = COUNT, money: NumberFormat = MONEY) -> pa.DataFrameSchema:
    """The post schema, its counts read as `count` says (posts have no amounts)."""
    return pa.DataFrameSchema(
        {
            "account_id": _required_text(),
            "followers": _followers(count),
            "likes": _count(count),
            "comments": _count(count),
            "engagements": _count(count),
            "views": _count(count, nullable=True),
            "post_id": validation.text(nullable=True, required=False),
            "platform": validation.text(nullable=True, required=False),
            "sponsored": pa.Column(
                str,
                nullable=True,
                required=False,
                checks=pa.Check(
                    lambda s: s.isna() | s.str.lower().isin(list(BOOLEAN)),
                    error=f"must be one of {'/'.join(BOOLEAN)} (or blank)",
                ),
            ),
            "date": pa.Column(
                str,
                nullable=True,
                required=False,
                checks=pa.Check(
                    lambda s: s.isna() | parse_dates(s).notna(),
                    error="must be a date YYYY-MM-DD (a time after it is ignored; or blank)",
                ),
            ),
        },
        strict=False,
        name="posts",
    )


CAMPAIGNS_SCHEMA = campaigns_schema()
POSTS_SCHEMA = posts_schema()


@dataclass(frozen=True)
class FileSpec:
    """What one kind of input file must hold: required columns, optional ones, and groups of which at least one
    must be complete (posts need likes + comments, or engagements)."""

    kind: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    schema: pa.DataFrameSchema
    one_of: tuple[tuple[str, ...], ...] = ()
    build: Callable[[NumberFormat, NumberFormat], pa.DataFrameSchema] | None = None  # the schema in a convention
    key: tuple[str, ...] = ()  # (id, ...): a row repeating another's key exactly is dropped, otherwise refused

    @property
    def known(self) -> tuple[str, ...]:
        return self.required + tuple(c for group in self.one_of for c in group) + self.optional

    @property
    def read(self) -> tuple[str, ...]:
        """The columns the analysis uses, the only ones read."""
        return tuple(c for c in self.known if c in self.schema.columns)


CAMPAIGNS = FileSpec(
    "campaign", REQUIRED, OPTIONAL, CAMPAIGNS_SCHEMA, build=campaigns_schema, key=("campaign_id", "influencer_id")
)
POSTS = FileSpec(
    "post",
    ("account_id", "followers"),
    ("post_id", "platform", "date", "views", "sponsored"),
    POSTS_SCHEMA,
    one_of=(("likes", "comments"), ("engagements",)),
    build=posts_schema,
)

# What each column means, for the data dictionary; the rules themselves are read from the schemas.
MEANINGS = {
    "influencer_id": "who ran the campaign (campaigns by one influencer share it)",
    "account_id": "the account that published the post (its posts share it; errors are clustered by it)",
    "followers": "the account's follower count when the campaign ran or the post was published",
    "cost": "what the brand paid for the campaign, in one currency throughout the file",
    "revenue": "the revenue attributed to the campaign, in the same currency as cost",
    "campaign_id": "an identifier for the campaign: a row that repeats another's `campaign_id` and `influencer_id` and "
    "every value is dropped (and counted); the same pair with other values is refused (a campaign with several "
    "creators has a row for each)",
    "platform": "instagram, tiktok, youtube ... (engagement: platform levels are controlled for)",
    "brand": "the brand that paid (the mixed model's groups; 'all' when absent)",
    "engagements": "likes + comments + shares ... as counted by the platform",
    "conversions": "sales or sign-ups attributed to the campaign (not used)",
    "date": "when the campaign ran or the post was published (campaigns: not used; posts: the sponsored "
    "comparison's trend in post date)",
    "post_id": "an identifier for the post: rows that repeat one post exactly are dropped (and counted)",
    "likes": "likes of the post",
    "comments": "comments on the post",
    "views": "views of the post (not used)",
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
            rows.append(
                {
                    "file": f"{spec.kind}s",
                    "column": column,
                    "required": need,
                    "meaning": MEANINGS[column],
                    "rules": _rules(spec.schema.columns.get(column)),
                }
            )
    return pd.DataFrame(rows)


def number_formats() -> pd.DataFrame:
    """The ways a number may be written, by kind of column, with examples and what each is read as."""
    rows = [
        ("counts and amounts", "plain number", "12345, 0.5, -3, 1.2e6", "as written (digits 0-9 only)"),
        (
            "counts and amounts",
            "thousands separators",
            "12,345 and 1,234,567.5",
            "the commas removed; a comma is never a decimal point (0,5 is refused; 12,500 is twelve thousand five "
            "hundred, a count; an amount 12,500 as the next row says)",
        ),
        (
            "counts and amounts",
            "one separator, then three digits",
            "1.200, €1.200, an amount 1,200 (one to three digits not starting with 0, a dot or comma, three digits)",
            "ambiguous (one thousand two hundred, or one point two): read with the dot as decimal mark and the comma "
            "as thousands separator only when another value of the file's amounts (cost, revenue) or counts "
            "(followers, likes, ...) shows that convention (12.5, 0.500, 1,234,567 or 1,234.50) and none shows "
            "another (1.234.567, 1.234,56 or 0,5); refused otherwise, saying --thousands or --decimal. 12,345 in "
            "a count is twelve thousand three hundred and forty-five (no count is 12.345)",
        ),
        (
            "counts and amounts",
            "a stated convention",
            "--decimal , (or --thousands .): 1.234,56, 0,034, €1.200, 353,1K; --thousands none: no separator",
            "read in that convention, every value exactly, nothing ambiguous; a value written otherwise (1,234.56 "
            "with --decimal ,) is refused",
        ),
        (
            "counts",
            "abbreviated",
            "353.1K, 1.2M, 2B (k, m, b in either case)",
            "expanded (353,100); the rounding it carries, up to half a unit of the last digit (353.1K is 353,050 to "
            "353,150), is reported",
        ),
        (
            "amounts",
            "currency symbol",
            "$1,234.50, 1234.50 €, EUR 80",
            "the symbol removed; one symbol throughout the file (mixed symbols are refused)",
        ),
        (
            "any",
            "missing",
            "blank, " + ", ".join(sorted({m.upper() if m in ("na", "n/a", "#n/a") else m for m in MISSING_MARKERS})),
            "a missing value: refused where a value is required, quoted as written",
        ),
        (
            "any",
            "not numbers",
            "inf, NaN, 1e400, 12 345, ١٢٣; 1.234,56 and 0,5 unless --decimal , is said",
            "refused with the value as written",
        ),
    ]
    return pd.DataFrame(rows, columns=["columns", "format", "examples", "read as"])


def parse_column_map(pairs: list[str] | None, known: tuple[str, ...]) -> dict[str, str]:
    """["followers=Follower Count", ...] -> {"Follower Count": "followers"} (theirs -> ours)."""
    mapping: dict[str, str] = {}
    for pair in pairs or []:
        ours, sep, theirs = pair.partition("=")
        ours = ours.strip()
        if not sep or not ours or not theirs.strip():
            raise InputError(f"--column {quoted(pair)}: expected OURS=THEIRS, for example followers=Follower Count")
        if ours not in known:
            raise InputError(
                f"--column {quoted(pair)}: {quoted(ours)} is not a column this analysis uses; known: {', '.join(known)}"
            )
        if ours in mapping.values():
            raise InputError(f"--column {quoted(pair)}: {ours} is mapped twice; give one --column per column")
        mapping[theirs] = ours
    return mapping


# ---- Reading a file as text


@dataclass
class Table:
    """A user's file read as text: the columns we use (renamed to ours), the file's whole header, and where each
    row is in the file (for messages)."""

    frame: pd.DataFrame
    header: list[str]
    where: Callable = field(repr=False)


def _header_key(name: str) -> str:
    """Headers match whatever their case, surrounding spaces and byte-order mark, with spaces or hyphens for
    underscores: 'Influencer ID' is influencer_id (but 'Follower Count' is not followers: map it with --column)."""
    return re.sub(r"[\s_-]+", "_", str(name).replace("\ufeff", "").strip().casefold())


def _regular_file(path: Path) -> None:
    """Refuse what cannot be read as a file, naming what it is."""
    try:
        os.lstat(path)
    except OSError as err:
        if err.errno == errno.ENAMETOOLONG:
            raise InputError(f"{path}: the file name is longer than the filesystem allows") from None
        raise InputError(f"{path}: no such file") from None
    if os.path.islink(path) and not path.exists():
        raise InputError(f"{path}: a symbolic link to a file that does not exist")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a file; give the file inside it")
    mode = path.stat().st_mode
    if not stat.S_ISREG(mode):
        what = "a named pipe (FIFO)" if stat.S_ISFIFO(mode) else "a device or socket"
        raise InputError(f"{path}: is {what}, not a regular file; save the data to a file and give that")
    if not os.access(path, os.R_OK):
        raise InputError(f"{path}: cannot be read (permission denied)")
    if path.stat().st_size == 0:
        raise InputError(f"{path}: the file is empty")


def _kind(path: Path) -> str:
    """'parquet', 'compressed' or 'csv'; refuses spreadsheets, UTF-16 text and binary files passed as CSV, naming
    what they look like."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    suffix = path.suffix.lower()
    if head.startswith(b"PAR1") or suffix == ".parquet":
        return "parquet"
    if suffix in COMPRESSED:
        return "compressed"
    if head.startswith(b"PK\x03\x04"):
        raise InputError(
            f"{path}: this is a zip archive, most likely an .xlsx spreadsheet; export the sheet as CSV "
            "(or name a zipped CSV .zip)"
        )
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError(f"{path}: this is an .xls spreadsheet, not a CSV file; export the sheet as CSV")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"{path}: this is UTF-16 text (Excel's 'Unicode text'); save it as 'CSV UTF-8' instead")
    if b"\x00" in head:
        raise InputError(f"{path}: this is a binary file (it contains NUL bytes), not a CSV file")
    return "csv"


def _opener(path: Path, kind: str) -> Callable[[], io.BufferedIOBase]:
    """A function opening the file's bytes, decompressed."""
    suffix = path.suffix.lower()
    if kind == "csv":
        return lambda: open(path, "rb")
    if suffix == ".gz":
        return lambda: gzip.open(path, "rb")
    if suffix == ".bz2":
        return lambda: bz2.open(path, "rb")
    if suffix == ".xz":
        return lambda: lzma.open(path, "rb")
    if suffix == ".zst":
        import pyarrow as pa

        return lambda: pa.input_stream(str(path), compression="zstd")
    with zipfile.ZipFile(path) as archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
    if len(members) != 1:
        raise InputError(f"{path}: a .zip must hold exactly one CSV file; this one holds {len(members)} files")
    if members[0].flag_bits & 0x1:  # the zip format's "encrypted" flag
        raise InputError(f"{path}: the zip is encrypted (password-protected); extract the CSV file and give that")

    def open_member():
        archive = zipfile.ZipFile(path)
        return archive.open(members[0])

    return open_member


def detect_delimiter(sample: str) -> str:
    """The file's delimiter, found in at most HEAD_BYTES characters of its head and in time linear in them. For each
    candidate of DELIMITERS, Python's csv reader (one pass, no backtracking) splits the sample's complete records;
    the delimiter is the one that splits the header into two or more values and the most records into the header's
    width, the first of DELIMITERS on a tie; a comma when none splits the header. (csv.Sniffer, used before, tries
    regular expressions that backtrack: on a crafted first line of 64 KiB it took a minute and more.)"""
    sample = sample[:HEAD_BYTES]
    best, best_share = ",", -1.0
    for delimiter in DELIMITERS:
        try:
            widths = [len(r) for r in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter) if r]
        except csv.Error:
            continue
        if len(widths) > 1 and not sample.endswith(("\n", "\r")):
            widths.pop()  # the last record was cut by the sample's end
        if not widths or widths[0] < 2:
            continue
        share = sum(w == widths[0] for w in widths) / len(widths)
        if share > best_share:
            best, best_share = delimiter, share
    return best


def _choose_columns(header: list[str], column_map: dict[str, str], spec: FileSpec, path: Path) -> dict[int, str]:
    """Which of the file's columns (by position) are which of ours. Refuses a --column naming no header, two
    columns that would both be one of ours, and missing required columns; the message lists every header."""
    theirs = {_header_key(k): v for k, v in column_map.items()}
    if len(theirs) < len(column_map):
        raise InputError(f"--column: {listed(column_map)} name one header more than once")
    columns = listed(header)
    keys = [_header_key(h) for h in header]
    unknown = [k for k in column_map if _header_key(k) not in keys]
    if unknown:
        raise InputError(
            f"{path}: --column names {listed(unknown)}, which the file does not have; its columns are {columns}"
        )
    chosen: dict[int, str] = {}
    for position, key in enumerate(keys):
        ours = theirs.get(key) or (key if key in spec.known and key not in theirs.values() else None)
        if ours is None:
            continue
        twin = next((p for p, o in chosen.items() if o == ours), None)
        if twin is not None:
            raise InputError(
                f"{path}: columns {twin + 1} ({quoted(header[twin])}) and {position + 1} ({quoted(header[position])}) "
                f"would both be {ours}; rename or remove one, or choose one with --column {ours}=NAME"
            )
        chosen[position] = ours
    found = set(chosen.values())
    hint = f"the file's columns are {columns} (map yours with --column ours=theirs)"
    missing = [c for c in spec.required if c not in found]
    if missing:
        raise InputError(f"{path}: missing required column(s) {', '.join(missing)}; {hint}")
    if spec.one_of and not any(all(c in found for c in group) for group in spec.one_of):
        wanted = " or ".join(" + ".join(group) for group in spec.one_of)
        raise InputError(f"{path}: a {spec.kind} file needs the column(s) {wanted}; {hint}")
    return {p: o for p, o in chosen.items() if o in spec.read}


def _first_bad_record(opener, delimiter: str, width: int) -> tuple[int, int] | None:
    """(physical line, number of values) of the first record whose width differs from the header's."""
    with io.TextIOWrapper(opener(), encoding="utf-8-sig", errors="replace", newline="") as stream:
        reader = csv.reader(stream, delimiter=delimiter)
        previous = 0
        for fields in reader:
            start, previous = previous + 1, reader.line_num
            if fields and len(fields) != width:
                return start, len(fields)
    return None


def _first_non_utf8_line(opener) -> int:
    with opener() as stream:
        for number, raw in enumerate(stream, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return 0


def _unreadable(path: Path, kind: str, err: Exception, opener) -> NoReturn:
    """Raise InputError for a reader's failure: the first line that is not UTF-8, or what the reader said."""
    import pyarrow as pa

    if isinstance(err, pa.ArrowInvalid):
        if "UTF8" in str(err):
            raise InputError(
                f"{path}, line {_first_non_utf8_line(opener)}: is not UTF-8 text; save the file as 'CSV UTF-8'"
            ) from None
        raise InputError(f"{path}: not readable as a CSV table ({str(err)[:200]})") from None
    raise InputError(f"{path}: cannot be read as a {kind} CSV file ({type(err).__name__}: {str(err)[:200]})") from None


def _read_csv(path: Path, kind: str, column_map: dict[str, str], spec: FileSpec, limits: Limits = LIMITS) -> Table:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    opener = _opener(path, kind)
    streams: list[Counted] = []

    def capped() -> Counted:  # the reads that decide: at most limits.bytes bytes each (the head, the table)
        streams.append(Counted(opener(), limits.bytes))
        return streams[-1]

    def over() -> bool:
        return any(s.over for s in streams)

    with capped() as stream:
        sample = stream.read(HEAD_BYTES)
    try:
        text = sample.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        if err.start < len(sample) - 4:  # not only a character cut at the end of the sample
            line = sample[: err.start].count(b"\n") + 1
            raise InputError(f"{path}, line {line}: is not UTF-8 text; save the file as 'CSV UTF-8'") from None
        text = sample[: err.start].decode("utf-8-sig")
    if kind == "compressed" and not text.strip():
        raise InputError(f"{path}: the file is empty")
    if text.strip() and not text.lstrip("\ufeff").splitlines()[0].strip():
        raise InputError(f"{path}, line 1: is blank; the first line must be the header (the column names)")
    if len(sample) == HEAD_BYTES and "\n" not in text and "\r" not in text:
        raise InputError(
            f"{path}, line 1: no line break in its first {HEAD_BYTES:,} bytes; the first line must be the header "
            "(the column names), and a header that long is not one"
        )
    delimiter = detect_delimiter(text)
    # newline="": a line may end in \r\n, \n or a lone \r (old Mac exports), as the csv module reads them
    header = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
    header = [h.replace("\ufeff", "") for h in header]
    chosen = _choose_columns(header, column_map, spec, path)
    names = {header[p]: o for p, o in chosen.items()}
    invalid: list[int] = []

    def on_invalid(row) -> str:
        invalid.append(row.actual_columns)
        return "skip"

    try:
        with capped() as stream:
            # read as a stream of blocks, so that the rows are counted as they come and reading stops at the cap
            # (the reader reads ahead about 35 blocks: at most some 9 MB past it)
            reader = pacsv.open_csv(
                stream,
                read_options=pacsv.ReadOptions(block_size=BLOCK_BYTES),
                parse_options=pacsv.ParseOptions(
                    delimiter=delimiter, newlines_in_values=True, invalid_row_handler=on_invalid
                ),
                convert_options=pacsv.ConvertOptions(
                    include_columns=list(names),
                    column_types={n: pa.string() for n in names},
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                    null_values=[],
                ),
            )
            batches, rows = [], 0
            for batch in reader:
                rows += batch.num_rows
                if rows > limits.rows:
                    raise InputError(_too_many_rows(path, limits))
                batches.append(batch)
            table = pa.Table.from_batches(batches, schema=reader.schema)
            del batches
    except InputError:
        raise
    except Exception as err:
        if over():  # the cap was passed inside the library's read: whatever it raised, that is the reason
            raise _OverCap from None
        if not isinstance(err, (pa.ArrowInvalid, *UNREADABLE)):
            raise
        _unreadable(path, kind, err, opener)
    if invalid:
        bad = _first_bad_record(opener, delimiter, len(header))
        where = f"line {bad[0]}" if bad else "a row"
        values = bad[1] if bad else invalid[0]
        raise InputError(
            f"{path}, {where}: {values} value(s) where the header has {len(header)} columns (a "
            f"delimiter inside an unquoted value, a missing one, or a quote never closed?); "
            f"{len(invalid):,} such row(s)"
        )
    frame = _as_text(table, names)

    def text_opener():
        return io.TextIOWrapper(opener(), encoding="utf-8-sig", errors="replace", newline="")

    return Table(frame, header, validation.Lines(path, delimiter, opener=text_opener))


def _parquet_size(source, names) -> int:
    """The uncompressed bytes of the columns `names` in a Parquet file, from its metadata (nothing decompressed)."""
    meta = source.metadata
    wanted = set(names)
    return sum(
        group.column(c).total_uncompressed_size
        for group in (meta.row_group(g) for g in range(meta.num_row_groups))
        for c in range(group.num_columns)
        if group.column(c).path_in_schema in wanted
    )


def _read_parquet(path: Path, column_map: dict[str, str], spec: FileSpec, limits: Limits = LIMITS) -> Table:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    try:
        source = pq.ParquetFile(path)
        header = list(source.schema_arrow.names)
        chosen = _choose_columns(header, column_map, spec, path)
        names = {header[p]: o for p, o in chosen.items()}
        # the caps from the file's metadata, before anything is decompressed
        if source.metadata.num_rows > limits.rows:
            raise InputError(_too_many_rows(path, limits))
        if _parquet_size(source, names) > limits.bytes:
            raise InputError(_too_many_bytes(path, limits, "bytes in the columns read (uncompressed)"))
        table = source.read(columns=list(names))
    except InputError:
        raise
    except Exception as err:  # noqa: BLE001 - any reader failure means the file is not a readable table
        raise InputError(f"{path}: not readable as a Parquet table ({type(err).__name__}: {str(err)[:200]})") from None
    columns = []
    for name in names:
        column = table.column(name)
        try:
            columns.append(column if pa.types.is_string(column.type) else pc.cast(column, pa.string()))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            raise InputError(f"{path}: column {quoted(name)} holds {column.type} values, not numbers or text") from None
    frame = _as_text(pa.table(columns, names=list(names)), names)
    return Table(frame, header, validation.Lines(path, lines=False))


def _as_text(table, names: dict[str, str]) -> pd.DataFrame:
    """Arrow text columns to a pandas frame with our names: identifiers and labels without surrounding spaces,
    blank values missing, and a marker such as N/A missing where a value is optional (where one is required it is
    kept, so that the message quotes it)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = {}
    for theirs, ours in names.items():
        column = table.column(theirs)
        if ours in TEXT_COLUMNS:
            column = pc.utf8_trim_whitespace(column)
            empty = pc.equal(column, "")
            if ours not in ("influencer_id", "account_id"):
                markers = pa.array(sorted(MISSING_MARKERS))
                empty = pc.or_(empty, pc.is_in(pc.utf8_lower(column), value_set=markers))
        else:  # numbers: the grammar reads surrounding spaces and markers itself, and quotes them as written
            empty = pc.equal(column, "")
        columns[ours] = pc.if_else(empty, pa.scalar(None, pa.string()), column)
    frame = pa.table(list(columns.values()), names=list(columns)).to_pandas()
    frame.index = pd.RangeIndex(len(frame))
    return frame


def read(
    path: Path, column_map: dict[str, str] | None = None, spec: FileSpec | None = None, limits: Limits = LIMITS
) -> Table:
    """Read a campaign (or, with spec=POSTS, post) file as text, with the user's headers renamed to ours, keeping
    only the columns the analysis uses, and no more than `limits` allow. Raises InputError for anything that is not
    a table, or is over a limit."""
    spec = spec or CAMPAIGNS
    path = Path(path)
    _regular_file(path)
    kind = _kind(path)
    try:
        table = (
            _read_parquet(path, column_map or {}, spec, limits)
            if kind == "parquet"
            else _read_csv(path, kind, column_map or {}, spec, limits)
        )
    except _OverCap:
        after = " (counted after decompression)" if kind == "compressed" else ""
        raise InputError(_too_many_bytes(path, limits, f"bytes of CSV text{after}")) from None
    except PermissionError:
        raise InputError(f"{path}: cannot be read (permission denied)") from None
    except UNREADABLE as err:
        raise InputError(f"{path}: cannot be read as a {kind} file ({type(err).__name__}: {str(err)[:200]})") from None
    if table.frame.empty:
        raise InputError(f"{path}: the file has a header but no rows")
    return table


def read_table(path: Path, column_map: dict[str, str] | None = None, spec: FileSpec | None = None) -> pd.DataFrame:
    """read()'s frame alone."""
    return read(path, column_map, spec).frame


# ---- Validating, and what was read


def _one_currency(frame: pd.DataFrame, path: Path, where: Callable, money: NumberFormat = MONEY) -> str | None:
    """The file's one currency symbol (None when amounts are plain numbers). Two symbols are refused: amounts in
    two currencies cannot be compared without exchange rates the file does not give."""
    first: dict[str, tuple[int, int]] = {}  # symbol -> (first row, values)
    for column in ("cost", "revenue"):
        if column not in frame.columns:
            continue
        symbols = validation.parse(frame[column], money).symbol
        if symbols is None or symbols.empty:
            continue
        for symbol, rows in symbols.groupby(symbols, sort=False).groups.items():
            row, count = int(min(rows)), len(rows)
            if symbol in first:
                row, count = min(row, first[symbol][0]), count + first[symbol][1]
            first[symbol] = (row, count)
    if len(first) > 1:
        places = where([row for row, _ in first.values()])
        symbols = "; ".join(
            f"{symbol!r} in {count:,} value(s), first at {places[row]}"
            for symbol, (row, count) in sorted(first.items(), key=lambda item: item[1][0])
        )
        raise InputError(
            f"{path}: amounts in more than one currency ({symbols}); convert cost and revenue to one "
            "currency, then run again"
        )
    return next(iter(first), None)


def _formats(frame: pd.DataFrame, columns: dict[str, NumberFormat]) -> dict:
    """What the reader expanded, by column: abbreviated counts (with the rounding they carry), thousands
    separators, currency symbols. Empty when every number was plain."""
    report = {}
    for column, fmt in columns.items():
        if column not in frame.columns:
            continue
        parsed = validation.parse(frame[column], fmt)
        entry = {}
        if parsed.abbreviated is not None and parsed.abbreviated.any():
            assert parsed.rounding is not None  # set with abbreviated (validation.Parsed)
            rounding = parsed.rounding[parsed.abbreviated]
            rounding = rounding[np.isfinite(rounding)]
            worst = int(
                np.flatnonzero(parsed.abbreviated)[
                    np.nanargmax(
                        np.where(
                            np.isfinite(parsed.rounding[parsed.abbreviated]), parsed.rounding[parsed.abbreviated], -1
                        )
                    )
                ]
            )
            entry.update(
                {
                    "abbreviated": int(parsed.abbreviated.sum()),
                    "rounding_max": float(rounding.max()) if rounding.size else 0.0,
                    "rounding_median": float(np.median(rounding)) if rounding.size else 0.0,
                    "rounding_max_value": str(frame[column].iloc[worst]).strip(),
                }
            )
        if parsed.separated is not None and parsed.separated.any():
            entry["thousands_separators"] = int(parsed.separated.sum())
        if parsed.symbol is not None and not parsed.symbol.empty:
            entry["currency_symbols"] = int(len(parsed.symbol))
        if entry:
            report[column] = entry
    return report


def drop_summary(before: pd.DataFrame, dropped: pd.DataFrame, count: NumberFormat = COUNT) -> dict:
    """The share of rows dropped, overall and by canonical tier (by the row's follower count; 'unknown' when it
    cannot be read, 'under 1,000' below the smallest tier): rows, dropped, share."""
    followers = validation.parse(before["followers"], count).values
    followers = followers.where((followers >= 0) & np.isfinite(followers))
    tier = assign_tier(followers).astype(object)
    tier = tier.where(tier.notna(), np.where(followers.isna(), "unknown", "under 1,000"))
    bad = np.zeros(len(before), bool)
    bad[sorted(set(dropped["row"].astype(int)))] = True
    counts = pd.DataFrame({"tier": tier.to_numpy(), "dropped": bad}).groupby("tier", sort=False)["dropped"]
    order = ["under 1,000", "nano", "micro", "macro", "mega", "unknown"]
    by_tier = {
        t: {"rows": int(counts.size()[t]), "dropped": int(counts.sum()[t]), "share": float(counts.mean()[t])}
        for t in order
        if t in counts.size().index
    }
    return {"rows": int(len(before)), "dropped": int(bad.sum()), "share": float(bad.mean()), "by_tier": by_tier}


def _checked(
    table: Table, schema: pa.DataFrameSchema, path: Path, drop_invalid: bool, count: NumberFormat = COUNT
) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Validate, stopping at the first bad file (InputError), or with drop_invalid keep the good rows and return
    the dropped ones too, with the shares dropped."""
    frame = table.frame
    if not drop_invalid:
        return (
            validation.validate(frame, schema, path, error=InputError, where=table.where),
            pd.DataFrame(columns=["row", "line", "column", "value", "rule"]),
            {},
        )
    kept, dropped = validation.split_valid(frame, schema, path, error=InputError, where=table.where)
    if kept.empty:
        raise InputError(f"{path}: every row breaks a rule; nothing left to analyse")
    summary = (
        drop_summary(frame, dropped, count)
        if len(dropped)
        else {"rows": len(frame), "dropped": 0, "share": 0.0, "by_tier": {}}
    )
    return kept, dropped, summary


def _numbers(frame: pd.DataFrame, columns: dict[str, validation.NumberFormat]) -> None:
    """Replace validated text columns by their numbers, in place."""
    for column, fmt in columns.items():
        if column in frame.columns:
            frame[column] = validation.parse(frame[column], fmt).values.to_numpy()


def _release_arrow_memory() -> None:
    """Give the memory of the text columns, now numbers, back to the system: Arrow's allocator keeps freed memory
    for reuse, which at ten million rows is a gigabyte the models could use."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()


def _conventions(frame: pd.DataFrame, numbers: dict[str, NumberFormat], convention: Convention) -> dict:
    """Each number column's format as this file is read: in the stated convention, or in the default one with the
    one-group shape (1.200) read or refused by the evidence of the file's other columns of its kind (settle)."""
    out = {}
    for fmt in dict.fromkeys(numbers.values()):
        columns = [c for c, f in numbers.items() if f == fmt and c in frame.columns]
        stated = validation.read_as(fmt, convention)
        read = validation.settle([frame[c] for c in columns], stated) if columns else stated
        out.update(dict.fromkeys(columns, read))
    return out


def _repeats(frame: pd.DataFrame, key: tuple[str, ...], path: Path, where: Callable) -> tuple[pd.DataFrame, int]:
    """(the frame without rows that repeat another row exactly under one key, how many were dropped). A row whose
    key (campaign_id, influencer_id) is another's with different values is a contradiction, not a copy: refused,
    naming the rows. Rows without an id are kept (without an id, two equal rows may be two campaigns). The id
    column is dropped: the analysis does not use it."""
    if not key or key[0] not in frame.columns:
        return frame, 0
    ids = frame[key[0]]
    if ids.dropna().is_unique:
        return frame.drop(columns=key[0]), 0
    named = ids.notna().to_numpy()
    repeated = frame.duplicated(keep="first").to_numpy() & named
    kept = frame[~repeated]
    clash = kept[named[~repeated]]
    clash = clash[clash.duplicated(list(key), keep=False)]
    if len(clash):
        first = clash.iloc[0]
        rows = clash[(clash[list(key)] == first[list(key)]).all(axis=1)]
        differ = [c for c in frame.columns if c not in key and rows[c].astype(str).nunique(dropna=False) > 1]
        places = where(rows.index)
        lines = [places[r] for r in rows.index[:5]]
        more = f" and {len(rows) - 5:,} more" if len(rows) > 5 else ""
        pairs = clash[list(key)].drop_duplicates()
        also = f"; {len(pairs):,} such pairs in the file" if len(pairs) > 1 else ""
        raise InputError(
            f"{path}, {', '.join(lines[:-1])} and {lines[-1]}{more}, columns {' and '.join(key)}: values "
            f"{' and '.join(repr(first[c]) for c in key)} break rule: ({', '.join(key)}) must name one row; these rows "
            f"repeat it with different {', '.join(differ) or 'values'} (an exact repeat is dropped and counted; a "
            f"campaign with several creators has a row for each){also}"
        )
    return kept.drop(columns=key[0]), int(repeated.sum())


def _load(
    path: Path,
    column_map,
    drop_invalid: bool,
    spec: FileSpec,
    numbers: dict,
    convention: Convention = DEFAULT,
    limits: Limits = LIMITS,
) -> pd.DataFrame:
    path = Path(path)
    table = read(path, column_map, spec, limits)
    with validation.keep_parsed():
        formats = _conventions(table.frame, numbers, convention)
        count = next((f for f in formats.values() if f.name == COUNT.name), validation.read_as(COUNT, convention))
        money = next((f for f in formats.values() if f.name == MONEY.name), validation.read_as(MONEY, convention))
        schema = spec.build(count, money) if spec.build else spec.schema
        currency = _one_currency(table.frame, path, table.where, money)
        frame, dropped, summary = _checked(table, schema, path, drop_invalid, count)
        expanded = _formats(frame, formats)
        _numbers(frame, formats)
    frame, repeats = _repeats(frame, spec.key, path, table.where)
    rows_read = len(table.frame)
    del table
    _release_arrow_memory()
    frame["followers"] = frame["followers"].astype("int64")
    frame.attrs.update(
        {"dropped": dropped, "drop_summary": summary, "formats": expanded, "currency": currency, "rows_read": rows_read}
    )
    if spec.key:
        frame.attrs["dropped_duplicates"] = repeats
    return frame


def load_campaigns(
    path: Path,
    column_map: dict[str, str] | None = None,
    drop_invalid: bool = False,
    convention: Convention = DEFAULT,
    limits: Limits = LIMITS,
) -> pd.DataFrame:
    """Read and validate a campaign file; numbers converted (in `convention`: validation.Convention), brand 'all'
    when absent. Rows repeating another's campaign_id and influencer_id exactly are dropped (their count in
    .attrs["dropped_duplicates"]); the same pair with other values is refused.

    With drop_invalid, rows that break a rule are dropped instead of stopping the analysis; the dropped rows and
    their reasons are in .attrs["dropped"] (a tidy table: row, line, column, value, rule) and the shares dropped
    in .attrs["drop_summary"]. .attrs["formats"] says what was expanded (abbreviated counts, separators, currency
    symbols) and .attrs["currency"] the file's currency symbol, if any."""
    frame = _load(
        path,
        column_map,
        drop_invalid,
        CAMPAIGNS,
        {"followers": COUNT, "cost": MONEY, "revenue": MONEY},
        convention,
        limits,
    )
    if "brand" not in frame.columns:
        frame["brand"] = "all"
    frame["brand"] = frame["brand"].fillna("unknown")
    return frame


def load_posts(
    path: Path,
    column_map: dict[str, str] | None = None,
    drop_invalid: bool = False,
    convention: Convention = DEFAULT,
    limits: Limits = LIMITS,
) -> pd.DataFrame:
    """Read and validate a post file; numbers converted (in `convention`); `engagements` is the file's own column
    when it has one, likes + comments otherwise; `sponsored` as booleans. Dropped rows (drop_invalid) are in
    .attrs["dropped"], as for load_campaigns."""
    counts = {c: COUNT for c in ("followers", "likes", "comments", "engagements", "views")}
    frame = _load(path, column_map, drop_invalid, POSTS, counts, convention, limits)
    if "engagements" not in frame.columns:
        frame["engagements"] = frame["likes"] + frame["comments"]
    if "sponsored" in frame.columns:
        frame["sponsored"] = frame["sponsored"].str.lower().map(BOOLEAN)
    if "date" in frame.columns:
        frame["date"] = parse_dates(frame["date"])
    return frame
