"""The book's real post data: Instagram posts from Kim et al.'s Instagram Influencer Dataset (WWW 2020).

REAL data, not simulated: a pseudonymised sample of real image posts (data/real/instagram/, with its README giving
provenance, terms and caveats). It speaks to engagement, not to price or sales. The posts are read through the
same schema and fits as `influencer-roi engagement` (schema.load_posts, engagement.prepare), so the chapter "What
real Instagram posts show" and the command cannot disagree:

    influencer-roi engagement data/real/instagram/instagram_posts.csv \\
        --column account_id=account --column post_id=post --out results/

    >>> posts = load()                 # validated, exact duplicates dropped, logs added; REAL
    >>> engagement_slope()["estimate"]   # the elasticity the synthesis uses as real engagement evidence
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from . import engagement, schema, validation
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
    duplicate rows dropped (engagement.drop_duplicate_posts; count in .attrs) and the chapter's columns joined:
    category (misspellings mapped by CATEGORY_FIXES), date, year, sponsor_tag, ad_hashtag and sponsored (either
    flag). Posts with zero engagement are kept here (engagement.prepare drops them for the log model). REAL."""
    file = Path(file) if file else path()
    posts = engagement.drop_duplicate_posts(schema.load_posts(file, COLUMNS))
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
    """load_posts() prepared for the log models (engagement.prepare: rates, logs, canonical tier; posts with no
    engagement dropped, counted in .attrs). REAL."""
    posts = load_posts(file)
    data = engagement.prepare(posts)
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


def engagement_slope(file: Path | None = None) -> dict:
    """The real engagement-rate elasticity (log engagement rate on log followers, errors clustered by account,
    engagement.elasticity on load()): estimate, std_error, ci_low, ci_high, n_posts, n_accounts. This is the
    engagement evidence the synthesis of the evidence uses beside the benchmarks. REAL."""
    data = cached(file)
    row = engagement.elasticity(data).set_index("term").loc["log_followers"]
    return {
        "estimate": float(row["estimate"]),
        "std_error": float(row["std_error"]),
        "ci_low": float(row["ci_low"]),
        "ci_high": float(row["ci_high"]),
        "n_posts": int(len(data)),
        "n_accounts": int(data["account_id"].nunique()),
    }


def timing_sensitivity(data: pd.DataFrame, months=(12, 4)) -> pd.DataFrame:
    """The follower counts are one snapshot, taken after the last post; a post from years before was published to
    a smaller (or larger) audience. The elasticity on every post and on the posts published within `months` of the
    latest post in the file (the closest the data gets to the snapshot). Tidy: sample, posts, accounts, since, and
    the tidy columns of the log_followers term."""
    latest = data["date"].max()
    rows = [("every post", data, data["date"].min())]
    for m in months:
        since = latest - pd.DateOffset(months=m)
        rows.append((f"within {m} months of the latest post", data[data["date"] > since], since))
    out = []
    for label, subset, since in rows:
        row = engagement.elasticity(subset).set_index("term").loc["log_followers"]
        out.append(
            {
                "sample": label,
                "since": since.date().isoformat(),
                "posts": len(subset),
                "accounts": int(subset["account_id"].nunique()),
                **{c: float(row[c]) for c in ("estimate", "std_error", "ci_low", "ci_high", "p_value")},
            }
        )
    return pd.DataFrame(out)


# ---- Real data as audit evidence: what a tier's typical engagement rate is in these posts.

MEASURES = {  # name in audit_checks.csv -> (rate column, which posts)
    "engagement_rate": ("engagement_rate", "all"),
    "like_rate": ("like_rate", "all"),
    "sponsored_engagement_rate": ("engagement_rate", "sponsored"),
}


def band_interval(measure: str, lower: float, upper: float, file: Path | None = None) -> dict:
    """The typical `measure` (MEASURES) of the accounts with lower <= followers < upper in the real posts, as the
    audit compares a benchmark with it. 'Typical' is read as a vendor might compute it, by the median or by the mean
    over accounts, so the interval runs from the lower 95% bound of the median to the upper 95% bound of the mean
    (engagement.band_rates): a benchmark inside it is supported by the real posts under one reading or the other.
    Returns low, high, accounts, median, mean."""
    if measure not in MEASURES:
        raise ValueError(f"unknown real-data measure {measure!r}; known: {', '.join(MEASURES)}")
    column, which = MEASURES[measure]
    data = cached(file)
    if which == "sponsored":
        data = data[data["sponsored"]]
    band = pd.DataFrame({"min_followers": [lower], "max_followers": [upper]})
    row = engagement.band_rates(data, band, rate=column).iloc[0]
    low = np.nanmin([row["median_ci_low"], row["mean_ci_low"]])
    high = np.nanmax([row["median_ci_high"], row["mean_ci_high"]])
    return {
        "low": float(low),
        "high": float(high),
        "accounts": int(row["accounts"]),
        "median": float(row["median"]),
        "mean": float(row["mean"]),
    }


def scheme_rates(data: pd.DataFrame, definitions: pd.DataFrame, labels: pd.Series | dict | None = None) -> pd.DataFrame:
    """engagement.band_rates under the canonical scheme and every scheme of tier_definitions.csv: scheme_id, scheme
    (its label), tier, name (the band as its source names it), bounds, accounts, median and mean engagement rate
    with intervals. REAL."""
    from .tiers import CANONICAL

    labels = dict(labels or {})
    canonical = CANONICAL.assign(scheme_id="canonical", name=CANONICAL["tier"].astype(str))
    frames = [engagement.band_rates(data, canonical)]
    for _scheme_id, bands in definitions.groupby("scheme_id", sort=False):
        frames.append(
            engagement.band_rates(data, bands[["scheme_id", "tier", "name", "min_followers", "max_followers"]])
        )
    table = pd.concat(frames, ignore_index=True)
    table.insert(
        1, "scheme", table["scheme_id"].map(lambda s: labels.get(s, "canonical (this book)" if s == "canonical" else s))
    )
    return table


def vendor_checks(result: pd.DataFrame, claims: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """The audit's real-data checks (kind real_data, audit.run_audit) beside their claims: check, claim, source,
    what the claim is about (tier and follower band), the measure, the claimed value, the real posts' typical
    value (the interval the audit compares with) and the verdict. REAL data against benchmarks."""
    from .formats import band_label

    checks = result[result["kind"] == "real_data"]
    claim = claims.set_index("claim_id")
    label = sources.set_index("source_id")["label"]
    rows = []
    for check in checks.itertuples(index=False):
        cid = check.claim_ids.split(", ")[0]
        row = claim.loc[cid]
        about = (
            row["tier"].replace("_vs_", " ÷ ")
            if pd.notna(row["tier_b"])
            else f"{row['tier']}, {band_label(row['range_min'], row['range_max'])}"
        )
        rows.append(
            {
                "check": check.check_id,
                "claim": cid,
                "source": label[row["source_id"]],
                "about": about,
                "platform": row["platform"],
                "claimed": check.stated,
                "real posts": check.recomputed,
                "verdict": "supported" if check.verdict == "consistent" else "not supported",
            }
        )
    return pd.DataFrame(rows)


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
