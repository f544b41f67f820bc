"""How much of "smaller pays" survives: one function per pitfall, each a simulation with a known answer.

Everything here is SIMULATED from the campaign model (simulate.py) unless a function is given data. Each function
returns a tidy table; the robustness chapter turns each into a figure or table and a one-sentence verdict.

- boundary_sensitivity: the same campaigns, every source's tier scheme: how far do tier ratios move?
- ratio_artefact: return per dollar "falls with followers" though revenue does not depend on them at all.
- case_study_odds: how often a campaign as good as a quoted case study turns up by chance among N.
- published_wins: what comparing tiers by their best campaigns does.
- measurement_error / fake_followers / fake_followers_by_tier: attenuation by noisy follower counts; bias by fake
  followers in large accounts, on the elasticities and on each tier.
- power: how many campaigns per tier a brand needs to detect a given difference (simulated, with the analytic check).
- viral_campaign: what one extreme campaign does to each estimator.
- selection_bias: sponsorship selected on unobserved effectiveness (Peng and Van den Bulte 2024).
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.power import TTestIndPower

from . import models
from .simulate import Params, simulate, true_elasticities
from .tiers import TIERS, assign_tier, get_scheme

CONTRASTS = ("nano_vs_mega", "micro_vs_mega", "micro_vs_macro", "nano_vs_micro", "macro_vs_mega")


def _gm(values: pd.Series) -> float:
    return float(np.exp(np.log(values).mean()))


# ---- Tier boundaries


def tier_ratios(campaigns: pd.DataFrame, scheme) -> pd.DataFrame:
    """Geometric-mean return per dollar of each tier of `scheme` and the ratio for each contrast in CONTRASTS whose
    two tiers the scheme defines: contrast, ratio, n_a, n_b. Campaigns with zero revenue are left out (no log)."""
    data = campaigns[campaigns["revenue"] > 0]
    roas = data["revenue"] / data["cost"]
    tier = assign_tier(data["followers"], get_scheme(scheme)).astype(str).to_numpy()
    rows = []
    for contrast in CONTRASTS:
        a, b = contrast.split("_vs_")
        in_a, in_b = tier == a, tier == b
        if in_a.sum() == 0 or in_b.sum() == 0:
            continue
        rows.append(
            {
                "contrast": contrast,
                "ratio": _gm(roas[in_a]) / _gm(roas[in_b]),
                "n_a": int(in_a.sum()),
                "n_b": int(in_b.sum()),
            }
        )
    return pd.DataFrame(rows, columns=["contrast", "ratio", "n_a", "n_b"])


def boundary_sensitivity(campaigns: pd.DataFrame, definitions: pd.DataFrame) -> pd.DataFrame:
    """tier_ratios under the canonical scheme and under every scheme of tier_definitions.csv that defines at least
    two tiers: scheme_id, contrast, ratio, n_a, n_b (tidy)."""
    tables = []
    schemes = ["canonical"] + [s for s, g in definitions.groupby("scheme_id", sort=False) if g["tier"].nunique() > 1]
    for scheme in schemes:
        bounds = definitions.loc[definitions["scheme_id"] == scheme, ["tier", "min_followers", "max_followers"]]
        table = tier_ratios(campaigns, "canonical" if scheme == "canonical" else bounds)
        table.insert(0, "scheme_id", scheme)
        tables.append(table)
    return pd.concat(tables, ignore_index=True)


# ---- Ratios that lie


def ratio_artefact(n: int = 20_000, seed: int = 0) -> pd.DataFrame:
    """Two simulated markets, each fitted with the decomposition (models.decomposition):

    - 'revenue flat': revenue does not depend on followers at all (1 + e_er + e_cr = 0), cost rises with elasticity
      e_price; return per dollar still falls, with slope -e_price: the whole slope is the price.
    - 'cost flat': price does not depend on followers (e_price = 0) and revenue rises as in the calibrated model:
      return per dollar rises, though nothing about small creators changed.

    Tidy: scenario, term (revenue_elasticity, cost_elasticity, roi_elasticity), estimate, ci_low, ci_high, truth."""
    base = Params()
    scenarios = {"revenue flat": Params(e_cr=-1 - base.e_er), "cost flat": Params(e_price=0.0)}
    rows = []
    for name, params in scenarios.items():
        table = models.decomposition(models.prepare(simulate(n, seed=seed, params=params)))
        truth = true_elasticities(params)
        table["truth"] = table["term"].map(
            {"revenue_elasticity": truth["revenue"], "cost_elasticity": truth["cost"], "roi_elasticity": truth["roi"]}
        )
        table.insert(0, "scenario", name)
        rows.append(table.drop(columns="model"))
    return pd.concat(rows, ignore_index=True)[["scenario", "term", "estimate", "ci_low", "ci_high", "truth"]]


# ---- Survivorship of case studies


def case_study_odds(roas: pd.Series | np.ndarray, threshold: float, counts=(10, 50, 100, 500, 1_000)) -> pd.DataFrame:
    """The chance that at least one of N campaigns, drawn from the distribution `roas` (return per dollar, gross),
    reaches `threshold`: 1 - (1 - p)^N with p the share of `roas` at or above it. Tidy: campaigns, share_above,
    chance."""
    p = float((np.asarray(roas) >= threshold).mean())
    return pd.DataFrame({"campaigns": list(counts), "share_above": p, "chance": [1 - (1 - p) ** n for n in counts]})


def runs_in_proportion(campaigns: pd.DataFrame, total: int) -> dict[str, int]:
    """`total` campaigns split across the canonical tiers as the campaigns are (rounded down): how many each tier
    runs when small accounts are as many as in the data (published_wins's run_share)."""
    counts = pd.Series(assign_tier(campaigns["followers"]).astype(str)).value_counts()
    return {tier: int(counts.get(tier, 0) / counts.sum() * total) for tier in TIERS}


def published_wins(
    campaigns: pd.DataFrame, per_tier: int = 5, run_share: dict | None = None, seed: int = 0
) -> pd.DataFrame:
    """Tier comparisons from the best campaigns only, as case studies are chosen. Each tier runs a number of
    campaigns proportional to `run_share` (default: as in the data, where small accounts are many), and the best
    `per_tier` of each are 'published'. Tidy: tier, campaigns_run, gm_all (geometric mean of all), gm_published
    (of the published best), published_over_all."""
    rng = np.random.default_rng(seed)
    data = campaigns[campaigns["revenue"] > 0].assign(
        roas=lambda d: d["revenue"] / d["cost"], tier=lambda d: assign_tier(d["followers"]).astype(str).to_numpy()
    )
    rows = []
    for tier in TIERS:
        pool = data.loc[data["tier"] == tier, "roas"].to_numpy()
        if run_share is not None:
            pool = rng.choice(pool, size=int(run_share[tier]), replace=True)
        best = np.sort(pool)[-per_tier:]
        rows.append(
            {
                "tier": tier,
                "campaigns_run": len(pool),
                "gm_all": _gm(pd.Series(pool)),
                "gm_published": _gm(pd.Series(best)),
            }
        )
    table = pd.DataFrame(rows)
    table["published_over_all"] = table["gm_published"] / table["gm_all"]
    return table


# ---- Measurement error and fake followers


def measurement_error(n: int = 20_000, seed: int = 0, noise_sds=(0.0, 0.25, 0.5, 1.0)) -> pd.DataFrame:
    """Classical error in follower counts: each campaign's reported log followers is the true one plus N(0, sd).
    The estimated elasticity of return per dollar shrinks towards zero by var(x) / (var(x) + sd^2) (attenuation).
    Tidy: noise_sd, estimate, ci_low, ci_high, truth, expected (truth times the attenuation factor)."""
    rng = np.random.default_rng(seed)
    data = models.prepare(simulate(n, seed=seed))
    truth = true_elasticities(Params())["roi"]
    var_x = float(data["log_followers"].var())
    rows = []
    for sd in noise_sds:
        noisy = data.assign(log_followers=data["log_followers"] + rng.normal(0, sd, len(data)))
        slope = models.ols_log_roas(noisy).iloc[1]
        rows.append(
            {
                "noise_sd": sd,
                "estimate": slope["estimate"],
                "ci_low": slope["ci_low"],
                "ci_high": slope["ci_high"],
                "truth": truth,
                "expected": truth * var_x / (var_x + sd**2),
            }
        )
    return pd.DataFrame(rows)


def fake_followers(n: int = 20_000, seed: int = 0, slopes=(0.0, 0.05, 0.10, 0.15)) -> pd.DataFrame:
    """Fake followers concentrated in large accounts: a fake share rising by `slope` per decade of followers above
    1k (simulate.Params.fake_share_slope). Prices follow the reported count, engagement and sales only the real
    followers, so every elasticity measured on reported followers is pushed down. Tidy: fake_share_slope,
    fake_share_at_1m, metric (engagement_rate, revenue, roi), estimate, ci_low, ci_high, truth (without fakes)."""
    truth = true_elasticities(Params())
    rows = []
    for slope in slopes:
        params = Params(fake_share_slope=slope)
        campaigns = simulate(n, seed=seed, params=params)
        data = models.prepare(campaigns)
        er = models.ols(np.log(data["engagement_rate"]), data["log_followers"])
        fits = {"engagement_rate": models.tidy(er).iloc[1]}
        decomposition = models.decomposition(data).set_index("term")
        fits["revenue"] = decomposition.loc["revenue_elasticity"]
        fits["roi"] = decomposition.loc["roi_elasticity"]
        for metric, row in fits.items():
            rows.append(
                {
                    "fake_share_slope": slope,
                    "fake_share_at_1m": min(3 * slope, params.fake_share_max),
                    "metric": metric,
                    "estimate": row["estimate"],
                    "ci_low": row["ci_low"],
                    "ci_high": row["ci_high"],
                    "truth": truth[metric],
                }
            )
    return pd.DataFrame(rows)


def fake_followers_by_tier(n: int = 20_000, seed: int = 0, slopes=(0.0, 0.05, 0.10, 0.15)) -> pd.DataFrame:
    """What fake followers in large accounts do to each canonical tier: the geometric-mean return per dollar of each
    tier as the fake share's slope rises, relative to the same simulated market without fakes. Tidy:
    fake_share_slope, tier, gm_roas, relative_to_clean."""
    rows = []
    for slope in slopes:
        campaigns = simulate(n, seed=seed, params=Params(fake_share_slope=slope))
        data = campaigns[campaigns["revenue"] > 0]
        tier = assign_tier(data["followers"]).astype(str).to_numpy()
        roas = data["revenue"] / data["cost"]
        for name in TIERS:
            rows.append({"fake_share_slope": slope, "tier": name, "gm_roas": _gm(roas[tier == name])})
    table = pd.DataFrame(rows)
    clean = table[table["fake_share_slope"] == 0].set_index("tier")["gm_roas"]
    table["relative_to_clean"] = table["gm_roas"] / table["tier"].map(clean)
    return table


# ---- Power


def power_curve(
    ratio: float, sd: float, sizes=(10, 20, 50, 100, 200, 500), reps: int = 500, alpha: float = 0.05, seed: int = 0
) -> pd.DataFrame:
    """How often a brand running n campaigns in each of two tiers detects that one tier's geometric-mean return per
    dollar is `ratio` times the other's (Welch t-test on log return per dollar, two-sided, level alpha), when log
    return per dollar has standard deviation `sd` within a tier. Simulated (`reps` experiments per size) beside the
    analytic power of the t-test (statsmodels), which the simulation should match. Tidy: campaigns_per_tier,
    power_simulated, power_analytic."""
    rng = np.random.default_rng(seed)
    effect = np.log(ratio)
    analytic = TTestIndPower()
    rows = []
    for n in sizes:
        a = rng.normal(effect, sd, (reps, n))
        b = rng.normal(0.0, sd, (reps, n))
        p = stats.ttest_ind(a, b, axis=1, equal_var=False).pvalue
        rows.append(
            {
                "campaigns_per_tier": n,
                "power_simulated": float((p < alpha).mean()),
                "power_analytic": float(analytic.power(effect_size=effect / sd, nobs1=n, alpha=alpha)),
            }
        )
    return pd.DataFrame(rows)


def within_tier_sd(campaigns: pd.DataFrame) -> float:
    """The standard deviation of log return per dollar within a canonical tier, pooled over the tiers (the spread a
    brand's comparison of two tiers has to see through)."""
    data = models.prepare(campaigns)
    return float(np.sqrt(data.groupby("tier", observed=True)["log_roas"].var().mean()))


def campaigns_needed(ratio: float, sd: float, power: float = 0.8, alpha: float = 0.05) -> float:
    """Campaigns per tier for the t-test to detect `ratio` with the given power (statsmodels' solver)."""
    return float(TTestIndPower().solve_power(effect_size=np.log(ratio) / sd, power=power, alpha=alpha))


# ---- Heavy tails

ESTIMATORS = ("ols_log", "ols_levels", "gamma_glm", "median", "huber")


def _slopes(data: pd.DataFrame) -> dict:
    """The follower slope of return per dollar under each estimator in ESTIMATORS."""
    x = sm.add_constant(data["log_followers"].to_numpy(float))
    y_log, y = data["log_roas"].to_numpy(float), data["roas"].to_numpy(float)
    # ols_levels: the slope of return per dollar itself on log followers, divided by the mean return per dollar, so
    # that it reads as an elasticity of the mean like the others
    levels = sm.OLS(y, x).fit()
    return {
        "ols_log": float(sm.OLS(y_log, x).fit().params[1]),
        "ols_levels": float(levels.params[1] / y.mean()),
        "gamma_glm": float(sm.GLM(y, x, family=sm.families.Gamma(sm.families.links.Log())).fit().params[1]),
        "median": float(sm.QuantReg(y_log, x).fit(q=0.5, max_iter=5_000).params[1]),
        "huber": float(sm.RLM(y_log, x, M=sm.robust.norms.HuberT()).fit().params[1]),
    }


def viral_campaign(
    campaigns: pd.DataFrame, multiplier: float = 1_000.0, followers: float | None = None
) -> pd.DataFrame:
    """Each estimator's slope on `campaigns`, then with one campaign's revenue multiplied by `multiplier` (a viral
    hit; by default the campaign of the largest account). Tidy: estimator, slope, slope_with_viral, shift."""
    data = models.prepare(campaigns).reset_index(drop=True)
    before = _slopes(data)
    where = int(data["followers"].idxmax() if followers is None else (data["followers"] - followers).abs().idxmin())
    hit = data.copy()
    hit.loc[where, "revenue"] *= multiplier
    hit.loc[where, "roas"] *= multiplier
    hit.loc[where, "log_roas"] += np.log(multiplier)
    after = _slopes(hit)
    table = pd.DataFrame(
        {"estimator": list(before), "slope": list(before.values()), "slope_with_viral": [after[k] for k in before]}
    )
    table["shift"] = table["slope_with_viral"] - table["slope"]
    return table


# ---- Selection into sponsorship


def selection_bias(
    n: int = 40_000,
    seed: int = 0,
    rho_small: float = -0.5,
    rho_large: float = 0.0,
    share: float = 0.3,
    sd_effect: float = 0.5,
) -> pd.DataFrame:
    """Creators differ in an effectiveness the brand cannot see (u ~ N(0, sd_effect) on log revenue) and in their
    willingness to take paid deals (w); only the most willing `share` are sponsored, so only they reach the data.
    Willingness is correlated with effectiveness by rho, which runs linearly in log10 followers from rho_small at
    1k to rho_large at 10M. rho < 0 is adverse selection (Peng and Van den Bulte 2024): the willing are the less
    effective. If rho is the same at every size, selection lowers every tier alike and the slope is unbiased; if it
    differs, the slope is biased by about sd_effect * lambda * (rho_large - rho_small) / ln(10^4), lambda being
    the inverse Mills ratio of the cut.

    Tidy: sample ('all creators', 'sponsored only'), estimate, ci_low, ci_high, truth, expected (for 'sponsored
    only', the truth plus the predicted bias)."""
    rng = np.random.default_rng(seed + 1)
    campaigns = simulate(n, seed=seed)
    u = rng.normal(0, sd_effect, n)
    position = (np.log10(campaigns["followers"].to_numpy()) - 3) / 4  # 0 at 1k, 1 at 10M
    rho = rho_small + (rho_large - rho_small) * position
    willingness = rho * u / sd_effect + np.sqrt(1 - rho**2) * rng.normal(0, 1, n)
    cut = stats.norm.ppf(1 - share)
    sponsored = willingness > cut
    everyone = campaigns.assign(revenue=campaigns["revenue"] * np.exp(u))
    truth = true_elasticities(Params())["roi"]
    mills = stats.norm.pdf(cut) / (1 - stats.norm.cdf(cut))
    bias = sd_effect * mills * (rho_large - rho_small) / np.log(10**4)
    rows = []
    for sample, frame, expected in (
        ("all creators", everyone, truth),
        ("sponsored only", everyone[sponsored], truth + bias),
    ):
        slope = models.ols_log_roas(models.prepare(frame)).iloc[1]
        rows.append(
            {
                "sample": sample,
                "campaigns": int(len(frame)),
                "estimate": slope["estimate"],
                "ci_low": slope["ci_low"],
                "ci_high": slope["ci_high"],
                "truth": truth,
                "expected": expected,
            }
        )
    return pd.DataFrame(rows)


def selection_grid(rhos=(-0.6, -0.3, 0.0), n: int = 40_000, seed: int = 0, share: float = 0.3) -> pd.DataFrame:
    """selection_bias's 'sponsored only' slope for every (rho_small, rho_large) pair in `rhos`. Tidy: rho_small,
    rho_large, estimate, expected, truth, bias (estimate minus truth)."""
    rows = []
    for small, large in itertools.product(rhos, rhos):
        row = selection_bias(n=n, seed=seed, rho_small=small, rho_large=large, share=share).iloc[1]
        rows.append(
            {
                "rho_small": small,
                "rho_large": large,
                "estimate": row["estimate"],
                "expected": row["expected"],
                "truth": row["truth"],
                "bias": row["estimate"] - row["truth"],
            }
        )
    return pd.DataFrame(rows)
