"""Real price quotes: Xiaohongshu (RED) creators' asking prices for a sponsored note, with their follower counts.

REAL data, not simulated, and not transaction prices (data/real/xhs_price_quotes/, with its README giving provenance,
terms and caveats): the only public pairing of follower counts with prices the book's sources found, and nano only.
The rows flagged as the creator's own quote on RED's marketplace are asking prices; the others are an analytics
site's algorithmic estimates, which are never pooled with them. Loading and checking only: the slope is fitted in
the synthesis (synthesis.quote_slope), as a cross-check on the price elasticity, never pooled with the benchmarks.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from . import validation
from .paths import data_dir

SCHEMA = pa.DataFrameSchema(
    {
        "row": pa.Column(int, pa.Check.ge(1), unique=True),
        "followers": pa.Column(float, pa.Check.gt(0)),
        "price": pa.Column(float, pa.Check.ge(0)),
        "currency": pa.Column(str, pa.Check.isin(["CNY"])),
        "price_is_pugongying_quote": pa.Column(int, pa.Check.isin([0, 1])),
    },
    strict=False,
    coerce=True,
    name="xhs price quotes",
)


def path() -> Path:
    """data/real/xhs_price_quotes/xhs_price_quotes.csv (beside the package, or under INFLUENCER_ROI_DATA)."""
    return data_dir() / "real" / "xhs_price_quotes" / "xhs_price_quotes.csv"


def load(file: Path | None = None) -> pd.DataFrame:
    """Every row, checked: row, followers, price (CNY), currency, asking (bool: the creator's own marketplace quote,
    not an estimate) and the file's other columns. REAL."""
    file = Path(file) if file else path()
    table = validation.validate(pd.read_csv(file), SCHEMA, file)
    return table.assign(asking=table["price_is_pugongying_quote"].eq(1))


def asking_prices(file: Path | None = None) -> pd.DataFrame:
    """The asking prices with a positive price (a quote of 0 has no logarithm): row, followers, price. REAL."""
    table = load(file)
    return table.loc[table["asking"] & (table["price"] > 0), ["row", "followers", "price"]].reset_index(drop=True)
