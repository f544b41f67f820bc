"""statsmodels fits, reported as tidy tables: term, estimate, std_error, ci_low, ci_high, p_value."""

from __future__ import annotations

import numpy as np
import pandas as pd

TIDY_COLUMNS = ["term", "estimate", "std_error", "ci_low", "ci_high", "p_value"]


def tidy(result, alpha: float = 0.05) -> pd.DataFrame:
    """A fitted statsmodels result as a tidy table, one row per term, with (1 - alpha) confidence intervals.

    >>> tidy(smf.ols("y ~ x", data).fit(cov_type="HC3"))
    """
    ci = pd.DataFrame(np.asarray(result.conf_int(alpha=alpha)), index=result.params.index, columns=["lo", "hi"])
    return pd.DataFrame({
        "term": result.params.index,
        "estimate": np.asarray(result.params),
        "std_error": np.asarray(result.bse),
        "ci_low": ci["lo"].to_numpy(),
        "ci_high": ci["hi"].to_numpy(),
        "p_value": np.asarray(result.pvalues),
    }).reset_index(drop=True)
