"""report.write: all of the output or none of it."""

import hashlib
import json

import matplotlib
import pytest

from influencer_roi import __version__, allocation_report, models, plots, report, simulate, verdicts

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def fitted():
    campaigns = simulate.simulate(600, seed=5)
    return models.fit_all(campaigns), models.prepare(campaigns)


def test_write_produces_the_three_files(tmp_path, fitted):
    fits, data = fitted
    record = report.write(tmp_path / "out", fits, data, source="sim.csv")
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == [".influencer-roi.json", "report.html", "results.json", "roi_fit.svg"]
    assert json.loads((tmp_path / "out" / "results.json").read_text())["n_campaigns"] == record["n_campaigns"] == 600


def test_a_failure_leaves_no_partial_output(tmp_path, fitted, monkeypatch):
    fits, data = fitted

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(report, "render_html", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        report.write(tmp_path / "out", fits, data, source="sim.csv")
    assert not (tmp_path / "out").exists()
    assert list(tmp_path.iterdir()) == []  # no staging folder left either


# ---- The first screen, the run, the page (issue #17, reports)


def first_screen(page: str) -> str:
    """What a reader sees before scrolling: everything above the figure."""
    return page[: page.index("<figure")]


def test_the_first_screen_answers_does_smaller_pay_with_the_tier_ratios_and_their_intervals(tmp_path, fitted):
    fits, data = fitted
    record = report.write(tmp_path / "out", fits, data, source="sim.csv")
    screen = first_screen((tmp_path / "out" / "report.html").read_text())
    contrasts = {c["contrast"]: c for c in record["tier_contrasts"]}
    micro = contrasts["micro_vs_mega"]
    expected = (
        f"micro {report.fmt_ratio(micro['ratio'])} (95% CI {report.fmt_times(micro['ratio_ci_low'])}–"
        f"{report.fmt_times(micro['ratio_ci_high'])})"
    )
    assert screen.count('class="answer"') == 1 and expected in screen
    nano = contrasts["nano_vs_mega"]
    assert f"Nano returned {report.fmt_ratio(nano['ratio'])} (95% CI" in screen and "what mega did per dollar" in screen
    roi = record["elasticity"]["roi"]
    said = verdicts.verdict((roi["ci_low"], roi["ci_high"]), (-float("inf"), 0.0))
    word = {"supported": "Yes", "contradicted": "No", "not established": "Not clearly"}[said]
    assert f"{word}: on these 600 campaigns" in screen


@pytest.mark.parametrize(
    "low, high, verdict",
    [(-0.4, -0.2, "Yes: on these"), (0.1, 0.3, "No: on these"), (-0.1, 0.2, "Not clearly: on these")],
)
def test_the_verdict_follows_the_interval_of_the_elasticity(low, high, verdict):
    record = {
        "n_campaigns": 1234,
        "tier_contrasts": [],
        "elasticity": {"roi": {"estimate": (low + high) / 2, "ci_low": low, "ci_high": high}},
    }
    sentence = report.answer(record)
    assert sentence.startswith(verdict) and "1,234 campaigns" in sentence
    assert "The tiers could not be compared" in sentence


def test_the_page_folds_the_model_dump_prints_and_names_the_run(tmp_path, fitted, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01 00:00 UTC
    fits, data = fitted
    source = tmp_path / "sim.csv"
    source.write_text("the input file\n")
    record, files = report.analysis_files(fits, data, source.name, report.run_info(source))
    page = files["report.html"]
    assert "<details><summary>Every model&#39;s estimates</summary>" in page and "<details open" not in page
    assert "@media print" in page and "<script" not in page
    assert record["run"] == {
        "date": "2026-01-01T00:00:00Z",
        "tool": "influencer-roi",
        "version": __version__,
        "input": "sim.csv",
        "input_sha256": hashlib.sha256(source.read_bytes()).hexdigest(),
    }
    assert "on 2026-01-01 00:00:00 UTC from <code>sim.csv</code>" in page
    assert json.loads(files["results.json"])["run"] == record["run"]
    plots.set_style()  # the command's figures: SVG ids from a fixed salt
    first = report.analysis_files(fits, data, source.name, report.run_info(source))[1]
    assert report.analysis_files(fits, data, source.name, report.run_info(source))[1] == first  # same bytes


def allocation(budget: float = 100_000.0):
    from influencer_roi import allocate

    market = allocate.Market.calibrated()
    table = allocate.compare(market, [budget], draws=300, seed=1)
    record = {
        "run": report.run_info(None),
        "budget": budget,
        "draws": 300,
        "basis": "the model",
        "breakeven": 1.0,
        "market": market.to_dict(),
    }
    return record, table


def test_allocate_names_the_best_strategy_first_with_money_and_percents():
    record, table = allocation()
    best = table.loc[table["expected_margin"].idxmax()]  # ranked by margin, revenue x margin - spend
    sentence = allocation_report.allocation_answer(record, table, "$")
    assert sentence.startswith(f"The best strategy for $100,000 is {best['strategy']}: the most expected margin")
    assert (
        f"{best['expected_margin']:,.0f}" in sentence and f"expected revenue ${best['mean_revenue']:,.0f}" in sentence
    )
    shown = allocation_report.format_allocation(table, "€")
    assert shown.loc[best["strategy"], "expected revenue"] == f"€{best['mean_revenue']:,.0f}"
    assert shown["chance of loss"].str.endswith("%").all() and shown["unspent"].str.endswith("%").all()


def test_a_new_column_of_allocate_compare_is_shown_formatted_without_a_change_to_the_report():
    record, table = allocation()
    table = table.assign(p_reach=0.25, evidence_sd=0.0123)  # columns a later Monte Carlo might add
    shown = allocation_report.format_allocation(table, "$")
    assert (shown["p reach"] == "25.0%").all() and (shown["evidence sd"] == "0.0123").all()
    page = allocation_report.allocation_files(record, table, "$")["report.html"]
    assert "p reach" in page and "25.0%" in page
    # the probability of being best, which the worlds of the evidence add, has a heading of its own
    assert (allocation_report.format_allocation(table.assign(p_best=0.5), "$")["chance of being best"] == "50.0%").all()


def test_the_estimates_table_reads_as_the_book_s_tables_and_results_json_keeps_the_codes(tmp_path, fitted):
    """report.html's model table goes through the book's display rules (influencer_roi.display): labels for every
    code, p-values as "< 0.001" or 2 significant digits, no exponent, true minus signs; results.json keeps the
    codes and plain numbers."""
    import re

    from bs4 import BeautifulSoup

    fits, data = fitted
    _, files = report.analysis_files(fits, data, "sim.csv", report.run_info(None))
    page = BeautifulSoup(files["report.html"], "html.parser")
    table = page.find("summary", string="Every model's estimates").find_parent("details").find("table")
    headers = [th.get_text(strip=True) for th in table.find_all("th")]
    cells = [td.get_text(strip=True) for td in table.find_all("td")]
    assert {"Model", "Term", "Estimate", "Standard error", "P"} <= set(headers)
    shown = headers + cells
    assert not [c for c in shown if re.search(r"\b[a-z0-9]+(_[a-z0-9]+)+\b", c)], "a code in the table"
    assert not [c for c in cells if re.search(r"\d[eE][-+]?\d", c) or re.match(r"-\d", c)]
    assert "PPML" in cells and any(c.startswith("−") for c in cells)
    assert all(re.fullmatch(r"< 0\.001|\d\.\d+|", c) for c in cells[headers.index("P") :: len(headers)])
    results = json.loads(files["results.json"])
    assert {m["model"] for m in results["models"]} >= {"ppml", "ols_log_roas"}


def test_allocate_says_when_no_strategy_pays_and_keeping_the_budget_does_better():
    record, table = allocation()
    record["breakeven"] = 50.0  # a 2% margin: no strategy's revenue covers its spend
    table = table.assign(expected_margin=table["mean_revenue"] / 50.0 - 100_000.0 * (1 - table["unspent_share"]))
    assert (table["expected_margin"] < 0).all()
    sentence = allocation_report.allocation_answer(record, table, "$")
    assert "No strategy pays at this margin" in sentence and "keeping the budget" in sentence
    record["breakeven"], table = 1.0, allocation()[1]  # at a 100% margin they pay: nothing said
    assert "No strategy pays" not in allocation_report.allocation_answer(record, table, "$")
