"""Where the book's data lives.

The package is installed editable from the book's repository, so the data folder is found beside src/.
Set INFLUENCER_ROI_DATA to read the ledger from somewhere else.
"""

from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    """The folder holding evidence/ (and, later, synthetic/)."""
    override = os.environ.get("INFLUENCER_ROI_DATA")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "data"


def evidence_dir() -> Path:
    return data_dir() / "evidence"
