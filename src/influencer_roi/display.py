"""How a value reads on a page, whatever renders it: the book's tables (influencer_roi.tables, as IPython HTML) and
the command's report.html (influencer_roi.report, through pandas) share these rules, so a code, a p-value or a
negative number reads the same in both.

- a cell that is a code of the package shows its label (influencer_roi.labels): `nano_vs_macro` -> "nano vs macro";
- ledger claim ids (`A001_05`, `L12`) are found so that a table can link each to its row of the ledger;
- numbers get true minus signs (display only: frames, CSV and JSON keep the hyphen) and no exponent;
- p-values read "< 0.001" or with 2 significant digits.

    >>> display_text("gamma_glm"), display_text("-0.44 to -0.08"), significant(-0.000123456), claim_ids("A001_05, L12")
    ('Gamma GLM', '−0.44 to −0.08', '−0.000123', ['A001_05', 'L12'])
"""

from __future__ import annotations

import math
import re

import pandas as pd

from .formats import fmt_p_value
from .labels import is_code
from .labels import label as code_label

__all__ = [
    "LEDGER_PAGE",
    "claim_anchor",
    "claim_ids",
    "display_text",
    "fmt_p_value",
    "readable",
    "signed",
    "significant",
]

# Ledger claim ids (data/evidence/claims.csv): an article's claim (A001_05) or the literature's (L12).
CLAIM_ID = re.compile(r"^(?:A\d{3}_\d{2}|L\d{2,3})$")
# The page that lists every claim, each row anchored as claim_anchor() says; the book's tables are all in
# chapters/, beside it.
LEDGER_PAGE = "evidence_base.html"
# a hyphen used as a minus sign: before a digit, not inside a word, a range (10k-100k) or a date
# a part of a model term: a code, with a level in brackets (platform[tiktok])
_PART = re.compile(r"^([A-Za-z][A-Za-z0-9_]*)(?:\[([\w .-]+)\])?$")
_MINUS = re.compile(r"(?<![\w.)\]])-(?=\.?\d)")


def signed(x: float, digits: int) -> str:
    """x with thousands separators and `digits` decimals, its minus sign a true minus: -1234.5 -> '−1,234.50'; a
    value that rounds to zero has no sign (never '−0.00')."""
    text = f"{x:,.{digits}f}"
    if not text.startswith("-"):
        return text
    return text[1:] if float(text[1:].replace(",", "")) == 0 else "−" + text[1:]


def display_text(text: str) -> str:
    """A text cell as a reader sees it: a code by its label, a hyphen before a number as a minus sign."""
    stripped = text.strip()
    if is_code(stripped) and not claim_ids(stripped):
        return code_label(stripped)
    parts = [_PART.match(p) for p in stripped.split(":")]
    matched = [m for m in parts if m is not None]
    if len(parts) > 1 and len(matched) == len(parts) and any(is_code(m[1]) for m in matched):
        # a model term of codes: engagement_rate:platform[tiktok]
        return ", ".join(code_label(m[1]) + (f" {m[2]}" if m[2] else "") for m in matched)
    return _MINUS.sub("−", text)


def claim_ids(text: str) -> list[str]:
    """The ledger claim ids a cell consists of ("A001_05, L12" -> both); [] when it holds anything else."""
    parts = [p.strip() for p in re.split(r"[,;]\s*|\s+", text.strip()) if p.strip()]
    return parts if parts and all(CLAIM_ID.match(p) for p in parts) else []


def claim_anchor(claim_id: str) -> str:
    """The id of a claim's row on the ledger page (claim-a001-05)."""
    return "claim-" + claim_id.lower().replace("_", "-")


def significant(x: float, digits: int = 4, most_decimals: int = 6) -> str:
    """A number of unknown size to `digits` significant digits, in positional notation (never '3e-43'), with
    thousands separators and a true minus sign: 0.012345 -> '0.01235', -1234567 -> '−1,234,567'."""
    if not math.isfinite(x):
        return "" if math.isnan(x) else "∞" if x > 0 else "−∞"
    if x == 0:
        return "0"
    decimals = min(most_decimals, max(0, digits - 1 - math.floor(math.log10(abs(x)))))
    return signed(x, decimals)


def readable(frame: pd.DataFrame, digits: int = 4) -> pd.DataFrame:
    """A tidy table (model, term, estimate, ..., p_value) as text a reader reads, for a page that renders frames
    itself (the command's report.html, through pandas): headers and codes by their labels, p-values as
    "< 0.001" or 2 significant digits, other numbers to `digits` significant digits, true minus signs, blanks
    for missing values. The same rules as show()."""
    out = pd.DataFrame(index=frame.index)
    for name in frame.columns:
        values = frame[name]
        header = code_label(str(name))
        header = header[:1].upper() + header[1:]
        if pd.api.types.is_bool_dtype(values):
            out[header] = values.map({True: "yes", False: "no"}).fillna("")
        elif pd.api.types.is_numeric_dtype(values):
            is_p = str(name).startswith("p_") or str(name) == "p"
            out[header] = [
                "" if pd.isna(v) else fmt_p_value(float(v)) if is_p else significant(float(v), digits) for v in values
            ]
        else:
            out[header] = [_cell(v) for v in values]
    return out


def _cell(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return display_text(str(value))
