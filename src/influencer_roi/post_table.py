"""A post table made ready for the log models of engagement: exact duplicates dropped, rates, logs and the canonical
tier added. Data preparation, not estimation, so the real posts' loader (instagram) and the command share it without
reaching up into the fits (engagement)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .tiers import assign_tier
from .validation import ValidationError, quoted


def drop_duplicate_posts(posts: pd.DataFrame) -> pd.DataFrame:
    """Rows that repeat another row exactly (same post_id and every other value), as an export or crawl writes twice,
    dropped; their count is in .attrs["dropped_duplicates"]. Two rows with one post_id and different values are a
    contradiction, not a copy, and raise ValidationError. A table without post_id is returned unchanged: without an
    id, two equal rows may be two posts."""
    if "post_id" not in posts.columns:
        out = posts.copy()
        out.attrs["dropped_duplicates"] = 0
        return out
    repeated = posts.duplicated(keep="first")
    out = posts[~repeated].copy()
    clash = out["post_id"].notna() & out["post_id"].duplicated(keep=False)
    if clash.any():
        first = out.loc[clash, "post_id"].iloc[0]
        raise ValidationError(
            f"post_id {quoted(first)} appears on {int((out['post_id'] == first).sum())} rows with "
            f"different values ({int(clash.sum())} rows share a post_id): one post, one row"
        )
    out.attrs["dropped_duplicates"] = int(repeated.sum())
    return out


def prepare(posts: pd.DataFrame) -> pd.DataFrame:
    """Add engagement_rate, log_er, log_followers, tier; keep a sponsored flag (nullable boolean) and a validated
    date (datetime) when the table has them. Exact duplicate rows of one post_id are dropped
    (drop_duplicate_posts; count in .attrs["dropped_duplicates"]); posts with no engagement have no log rate and are
    dropped too (count in .attrs["dropped_zero_engagement"]; engagement.ppml keeps them)."""
    posts = drop_duplicate_posts(posts)
    data = posts[posts["engagements"] > 0].copy()
    data.attrs["dropped_duplicates"] = posts.attrs["dropped_duplicates"]
    data.attrs["dropped_zero_engagement"] = int((posts["engagements"] <= 0).sum())
    data["engagement_rate"] = data["engagements"] / data["followers"]
    data["log_er"] = np.log(data["engagement_rate"])
    data["log_followers"] = np.log(data["followers"])
    data["tier"] = assign_tier(data["followers"]).to_numpy()
    if "sponsored" in data.columns and data["sponsored"].dtype != bool:  # kept for the within-account comparison
        data["sponsored"] = data["sponsored"].astype("boolean")  # a blank stays missing, not organic
    if "date" in data.columns:
        data["date"] = _dates(data["date"])
    return data


def _dates(values: pd.Series) -> pd.Series:
    """The post date as a datetime: already parsed (schema.load_posts, instagram) or text YYYY-MM-DD; a value that
    is not a date raises ValidationError naming it, a blank stays NaT."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    parsed = pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")
    bad = values.notna() & parsed.isna()
    if bad.any():
        raise ValidationError(f"date {quoted(values[bad].iloc[0])} is not a date YYYY-MM-DD ({int(bad.sum())} such)")
    return parsed
