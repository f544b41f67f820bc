"""The book's real post data: Instagram posts from Kim et al.'s Instagram Influencer Dataset (WWW 2020).

REAL data, not simulated: a pseudonymised sample of real image posts (data/real/instagram/, with its README giving
provenance, terms and caveats). It speaks to engagement, not to price or sales. The posts are read through the
same schema and preparation as `influencer-roi engagement` (schema.load_posts, post_table.prepare), so the chapter
"What real Instagram posts show" and the command cannot disagree. Loading only: what the posts estimate (the
elasticity, the audit's real-data checks) is real_posts.

    influencer-roi engagement data/real/instagram/instagram_posts.csv \\
        --column account_id=account --column post_id=post --out results/

    >>> posts = load()                 # validated, exact duplicates dropped, logs added; REAL
"""

from __future__ import annotations

import functools
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from . import post_table, schema, validation
from .paths import data_dir

# The file's headers -> the post schema's (the command takes the same mapping as --column ours=theirs).
COLUMNS = {"account": "account_id", "post": "post_id"}
# Columns the chapter uses beyond the schema's, validated here.
EXTRAS = ("post", "category", "taken_at", "sponsor_tag", "ad_hashtag")
# Misspelt category labels in the original data, and what they are read as (each stated in the chapter).
CATEGORY_FIXES = {"fasion": "fashion", "fashion 0.5": "fashion"}
CAVEATS = (
    "a convenience sample (topic- and hashtag-driven crawl, 1,000-follower floor), not a random sample of "
    "Instagram; one follower snapshot, taken after most posts; images only; research-use terms"
)

_FLAG = pa.Column(str, checks=pa.Check.isin(["0", "1"], error="must be 0 or 1"))
EXTRAS_SCHEMA = pa.DataFrameSchema(
    {
        "post": validation.text(),
        "category": validation.text(),
        "taken_at": validation.text(
            checks=pa.Check.str_matches(r"^\d{4}-\d{2}-\d{2}$", error="must be a date YYYY-MM-DD")
        ),
        "sponsor_tag": _FLAG,
        "ad_hashtag": _FLAG,
    },
    strict=True,
    name="instagram extras",
)


def path() -> Path:
    """data/real/instagram/instagram_posts.csv (beside the package, or under INFLUENCER_ROI_DATA)."""
    return data_dir() / "real" / "instagram" / "instagram_posts.csv"


def command_columns() -> list[str]:
    """The --column options that let `influencer-roi engagement` read the file as the chapter does."""
    return [arg for theirs, ours in COLUMNS.items() for arg in ("--column", f"{ours}={theirs}")]


def load_posts(file: Path | None = None) -> pd.DataFrame:
    """Every row of the file through the post schema (schema.load_posts, as the command reads it), with exact
    duplicate rows dropped (post_table.drop_duplicate_posts; count in .attrs) and the chapter's columns joined:
    category (misspellings mapped by CATEGORY_FIXES), date, year, sponsor_tag, ad_hashtag and sponsored (either
    flag). Posts with zero engagement are kept here (post_table.prepare drops them for the log model). REAL."""
    file = Path(file) if file else path()
    posts = post_table.drop_duplicate_posts(schema.load_posts(file, COLUMNS))
    extras = validation.validate(validation.read_text_csv(file, usecols=list(EXTRAS)), EXTRAS_SCHEMA, file)
    extras = extras.drop_duplicates("post").set_index("post")
    joined = posts.join(extras, on="post_id")
    joined["category_as_labelled"] = joined["category"]
    joined["category"] = joined["category"].replace(CATEGORY_FIXES)
    joined["date"] = pd.to_datetime(joined["taken_at"], format="%Y-%m-%d")
    joined["year"] = joined["date"].dt.year
    for flag in ("sponsor_tag", "ad_hashtag"):
        joined[flag] = joined[flag].eq("1")
    joined["sponsored"] = joined["sponsor_tag"] | joined["ad_hashtag"]
    joined["like_rate"] = joined["likes"] / joined["followers"]
    joined.attrs = {
        "dropped_duplicates": posts.attrs["dropped_duplicates"],
        "rows": len(posts) + posts.attrs["dropped_duplicates"],
    }
    return joined.drop(columns="taken_at")


def load(file: Path | None = None) -> pd.DataFrame:
    """load_posts() prepared for the log models (post_table.prepare: rates, logs, canonical tier; posts with no
    engagement dropped, counted in .attrs). REAL."""
    posts = load_posts(file)
    data = post_table.prepare(posts)
    data.attrs.update(dropped_duplicates=posts.attrs["dropped_duplicates"], rows=posts.attrs["rows"])
    return data


@functools.lru_cache(maxsize=4)
def _cached(file: str) -> pd.DataFrame:
    return load(Path(file))


def cached(file: Path | None = None) -> pd.DataFrame:
    """load(), read once per process (the audit and the synthesis ask for it from several chapters). A copy."""
    return _cached(str(Path(file) if file else path())).copy()


def category_table(posts: pd.DataFrame) -> pd.DataFrame:
    """Each category label as the file has it, what the book reads it as, and how many posts carry it."""
    table = (
        posts.groupby(["category_as_labelled", "category"])
        .size()
        .rename("posts")
        .reset_index()
        .rename(columns={"category_as_labelled": "label in the file", "category": "read as"})
    )
    return table.sort_values("posts", ascending=False, kind="stable").reset_index(drop=True)


def readme() -> dict:
    """The real data's README (data/real/instagram/README.md), the one place its provenance, columns, terms and
    caveats are written: {"columns": a table (column, meaning), "provenance": [lines], "caveats": [lines]}, for the
    pages that show them (the data dictionary, the chapter)."""
    text = (path().parent / "README.md").read_text(encoding="utf-8")
    sections: dict[str, list[str]] = {}
    current = ""
    for line in text.splitlines():
        if line.startswith("## "):
            current = line[3:].strip().lower()
            sections[current] = []
        elif current:
            sections[current].append(line)
    rows = [line.strip().strip("|").split("|") for line in sections.get("columns", []) if line.startswith("|")]
    rows = [[cell.strip() for cell in row] for row in rows if not set("".join(row)) <= set("-: ")]
    columns = (
        pd.DataFrame(rows[1:], columns=["column", "meaning"]) if rows else pd.DataFrame(columns=["column", "meaning"])
    )

    def items(name: str) -> list[str]:
        out: list[str] = []
        for line in sections.get(name, []):
            if line.startswith("- "):
                out.append(line[2:].strip())
            elif line.startswith("  ") and out:
                out[-1] += " " + line.strip()
        return out

    caveats = next((k for k in sections if k.startswith("caveats")), "")
    return {"columns": columns, "provenance": items("provenance"), "caveats": items(caveats)}
