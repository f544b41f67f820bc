"""The coverage study: the slope models (models.REGISTRY) fitted to data simulated with a known elasticity of return
per dollar, to count how often each 95% interval holds the truth. A study of the fits on SIMULATED data, so it sits
above both the fits (models) and the simulation (simulate): a fit never imports the simulation."""

from __future__ import annotations

import json
from dataclasses import asdict
from functools import lru_cache
from pathlib import Path

import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from . import models
from .paths import data_dir
from .simulate import Params, simulate, true_elasticities

# The book's study: REPS data sets of SIZE campaigns per scenario, each scenario with its own seeds (SEED + rep) and
# simulation parameters. About 110 s of one core (the mixed model is four fifths of it), so it is computed once, by
# `make coverage`, into COMMITTED; the chapter reads that file, and tests/test_coverage.py recomputes the first
# replications of every scenario and compares them, so a change to a model or to the simulation fails the tests
# until the file is regenerated.
REPS, SIZE = 200, 400


@lru_cache(maxsize=1)
def scenarios() -> dict[str, tuple[int, Params]]:
    """The study's scenarios: name -> (seed, simulation parameters). Made on first use, not on import: Params()
    takes its defaults from the synthesis of the evidence (seconds), which importing this module (as every
    `analyze`, even one that refuses its file, does through the report) need not pay. Also `coverage.SCENARIOS`."""
    return {
        "as assumed": (10_000, Params()),
        "fake followers": (20_000, Params(fake_share_slope=0.1)),
    }


def __getattr__(name: str):
    """coverage.SCENARIOS, made when first read (scenarios())."""
    if name == "SCENARIOS":
        return scenarios()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


COMMITTED = Path("synthetic") / "coverage_study.csv"
# Estimates and limits are written to 12 significant digits: more than any table shows, fewer than the last bits
# that differ between CPUs.
DIGITS = 12


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


def book_study(reps: int = REPS, size: int = SIZE) -> pd.DataFrame:
    """The book's study, every scenario: coverage_study's table with a `scenario` column first. SIMULATED."""
    tables = [
        coverage_study(reps, size, seed=seed, params=params).assign(scenario=name)
        for name, (seed, params) in scenarios().items()
    ]
    table = pd.concat(tables, ignore_index=True)
    return table[["scenario", "rep", "model", "estimate", "ci_low", "ci_high", "covers"]]


def spec() -> dict:
    """What the committed study was computed with, written beside it (coverage_study.json)."""
    return {
        "reps": REPS,
        "size": SIZE,
        "truth": true_elasticities(Params())["roi"],
        "scenarios": {name: {"seed": seed, "params": asdict(params)} for name, (seed, params) in scenarios().items()},
    }


def write_study(folder: Path | None = None) -> Path:
    """Compute the book's study and write it (CSV, and its spec as JSON) into the data folder: `make coverage`."""
    path = (folder or data_dir()) / COMMITTED
    book_study().to_csv(path, index=False, lineterminator="\n", float_format=f"%.{DIGITS}g")
    path.with_suffix(".json").write_text(json.dumps(spec(), indent=1) + "\n", encoding="utf-8")
    return path


def committed_study(check_design: bool = True) -> pd.DataFrame:
    """The book's study as committed (write_study), checked against the spec it was computed with. The check
    computes the spec, hence the synthesis of the evidence (seconds); check_design=False skips it where the committed
    files are only read, as by each `analyze`: the tests (tests/test_coverage.py) and the chapter check them."""
    path = data_dir() / COMMITTED
    if check_design:
        written = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        if written != json.loads(json.dumps(spec())):
            raise RuntimeError(f"{path.name} was computed with another study design: run `make coverage`")
    return pd.read_csv(path)


@lru_cache(maxsize=1)
def main_model_coverage(scenario: str = "as assumed") -> dict | None:
    """How often the main model's (models.MAIN_MODEL) 95% intervals held the truth in the committed study, and at
    what file size: size (campaigns per simulated file, from the study's own spec), replications, coverage and its
    Wilson interval. None when the data folder does not hold the study (an install without it cannot say)."""
    try:
        table = committed_study(check_design=False)
    except FileNotFoundError:
        return None
    written = json.loads((data_dir() / COMMITTED).with_suffix(".json").read_text(encoding="utf-8"))
    rows = table[(table["scenario"] == scenario) & (table["model"] == models.MAIN_MODEL)]
    row = coverage_summary(rows, written["truth"]).iloc[0]
    return {
        "model": models.MAIN_MODEL,
        "size": int(written["size"]),
        "replications": int(row["replications"]),
        "coverage": float(row["coverage"]),
        "coverage_ci_low": float(row["coverage_ci_low"]),
        "coverage_ci_high": float(row["coverage_ci_high"]),
    }


if __name__ == "__main__":
    print(f"wrote {write_study()}")
