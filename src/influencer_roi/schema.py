"""The schema of a user's campaign file, for `influencer-roi analyze` and models.fit_all.

Required: influencer_id, followers (a positive whole number), cost (> 0, one currency), revenue (>= 0).
Optional: campaign_id, platform, brand, engagements, conversions, date. Other columns are kept and ignored.
A bad value is reported with the file, line, column, value and rule (validation.py); nothing is guessed.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from . import validation

REQUIRED = ("influencer_id", "followers", "cost", "revenue")
OPTIONAL = ("campaign_id", "platform", "brand", "engagements", "conversions", "date")


class InputError(validation.ValidationError):
    """A user's file cannot be analysed as it is; the message says where and why."""


def _whole(series: pd.Series) -> pd.Series:
    number = validation.to_number(series)
    return number.isna() | (number == number.round())


CAMPAIGNS_SCHEMA = pa.DataFrameSchema(
    {
        "influencer_id": validation.text(nullable=False),
        "followers": pa.Column(str, nullable=False, checks=[
            pa.Check(lambda s: validation.to_number(s).notna(), error="must be a plain number (no units or commas)"),
            pa.Check(lambda s: ~(validation.to_number(s) < 1), error="must be at least 1"),
            pa.Check(_whole, error="must be a whole number"),
        ]),
        "cost": pa.Column(str, nullable=False, checks=[
            pa.Check(lambda s: validation.to_number(s).notna(), error="must be a plain number (no units or commas)"),
            pa.Check(lambda s: ~(validation.to_number(s) <= 0), error="must be above 0"),
        ]),
        "revenue": validation.numeric(minimum=0, nullable=False),
        "brand": validation.text(nullable=True, required=False),
        "platform": validation.text(nullable=True, required=False),
    },
    strict=False,
    name="campaigns",
)


def load_campaigns(path: Path) -> pd.DataFrame:
    """Read and validate a campaign CSV; numbers converted, brand filled with 'all' when absent."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise InputError(f"{path}: the file is empty")
    try:
        header = list(pd.read_csv(path, nrows=0).columns)
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise InputError(f"{path}: missing required column(s) {', '.join(missing)}; "
                             f"found {', '.join(header) or 'none'}")
        # only the columns the analysis uses: reading every column of a wide export costs seconds
        frame = validation.read_text_csv(path, usecols=[c for c in header if c in REQUIRED + OPTIONAL])
    except InputError:
        raise
    except Exception as err:  # noqa: BLE001 - any reader failure means the file is not a readable CSV
        raise InputError(f"{path}: not readable as a CSV file ({type(err).__name__}: {str(err)[:200]})") from None
    if frame.empty:
        raise InputError(f"{path}: the file has a header but no rows")
    frame = validation.validate(frame, CAMPAIGNS_SCHEMA, path, error=InputError)
    for column in ("followers", "cost", "revenue"):
        frame[column] = validation.to_number(frame[column])
    frame["followers"] = frame["followers"].astype("int64")
    if "brand" not in frame.columns:
        frame["brand"] = "all"
    frame["brand"] = frame["brand"].fillna("unknown")
    return frame
