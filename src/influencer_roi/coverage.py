"""The coverage study: the slope models (models.REGISTRY) fitted to data simulated with a known elasticity of return
per dollar, to count how often each 95% interval holds the truth. A study of the fits on SIMULATED data, so it sits
above both the fits (models) and the simulation (simulate): a fit never imports the simulation."""

from __future__ import annotations

import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from . import models
from .simulate import Params, simulate, true_elasticities


def coverage_study(reps: int, n: int, seed: int = 0, params=None, truth: float | None = None) -> pd.DataFrame:
    """Simulate `reps` data sets of `n` campaigns, fit every slope model to each, and record whether each 95%
    interval covers the true elasticity of return per dollar. Tidy: rep, model, estimate, ci_low, ci_high,
    covers. SIMULATED by construction. The slow models are fitted whole (n is small here)."""
    params = params or Params()
    truth = true_elasticities(Params())["roi"] if truth is None else truth
    rows = []
    slope_models = [m for m in models.REGISTRY if m.slope_term]
    for rep in range(reps):
        data = models.prepare(simulate(n, seed=seed + rep, params=params))
        fits = pd.concat([(m.coverage_fit or m.fit)(data, 0) for m in slope_models], ignore_index=True)
        slopes = models.roi_elasticities(fits)
        slopes.insert(0, "rep", rep)
        rows.append(slopes)
    table = pd.concat(rows, ignore_index=True)
    table["covers"] = (table["ci_low"] <= truth) & (truth <= table["ci_high"])
    return table[["rep", "model", "estimate", "ci_low", "ci_high", "covers"]]


def coverage_summary(table: pd.DataFrame, truth: float) -> pd.DataFrame:
    """Per model: mean estimate, bias, coverage of the 95% intervals with its own 95% (Wilson) interval."""
    rows = []
    for model, group in table.groupby("model", sort=False):
        hits, n = int(group["covers"].sum()), len(group)
        lo, hi = proportion_confint(hits, n, alpha=0.05, method="wilson")
        rows.append(
            {
                "model": model,
                "replications": n,
                "mean_estimate": group["estimate"].mean(),
                "bias": group["estimate"].mean() - truth,
                "coverage": hits / n,
                "coverage_ci_low": lo,
                "coverage_ci_high": hi,
            }
        )
    return pd.DataFrame(rows)
