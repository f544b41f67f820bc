"""The decision explorer's HTML (influencer_roi.explorer): every input listed with the values the grid holds, the
embedded grid parses and is rounded to what is shown, its cells are the grid's, and no text can break out of the
markup or the script. The browser suite (tests/site/test_explorer_browser.py) runs its JavaScript."""

from __future__ import annotations

import json
import math
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from commandline import run, scratch
from hypothesis import given, settings
from hypothesis import strategies as st

from influencer_roi import allocate, cli, explorer, labels
from influencer_roi import decision_grid as dg
from influencer_roi.assumptions import scaled_supply


@pytest.fixture(scope="module")
def grid():
    return dg.committed_grid()


@pytest.fixture(scope="module")
def page(grid):
    return explorer.explorer_html(grid)


class Parts(HTMLParser):
    """The selects with their options, the labels' targets, the aria-live regions and the scripts' text."""

    def __init__(self):
        super().__init__()
        self.selects, self.labels, self.live, self.scripts = {}, {}, [], []
        self._select, self._label, self._script = None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "select":
            self._select = a["id"]
            self.selects[self._select] = []
        elif tag == "option":
            self.selects[self._select].append({"value": a["value"], "selected": "selected" in a, "text": ""})
        elif tag == "label":
            self._label = a["for"]
            self.labels[self._label] = ""
        elif tag == "script":
            self._script = a.get("type", "text/javascript")
            self.scripts.append([self._script, ""])
        if "aria-live" in a:
            self.live.append(a["aria-live"])

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "label":
            self._label = None
        elif tag == "script":
            self._script = None

    def handle_data(self, data):
        if self._script:
            self.scripts[-1][1] += data
        elif self._label:
            self.labels[self._label] += data
        elif self._select and self.selects[self._select]:
            self.selects[self._select][-1]["text"] += data


@pytest.fixture(scope="module")
def parts(page):
    p = Parts()
    p.feed(page)
    return p


def embedded(parts) -> dict:
    (text,) = [t for kind, t in parts.scripts if kind == "application/json"]
    return json.loads(text)


def test_every_input_is_a_labelled_select_with_the_grid_values(parts, grid):
    assert [f"roi-explorer-{axis}" for axis, _, _ in explorer.INPUTS] == list(parts.selects)
    for (axis, label, _), (id_, options) in zip(explorer.INPUTS, parts.selects.items()):
        assert parts.labels[id_].strip() == label  # a <label for> names every select, in words
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", label)
        held = sorted(grid["budget_usd" if axis == "budget_usd" else axis].unique())
        assert len(options) == len(held) == len(explorer.values(axis))
        assert [o["value"] for o in options] == [str(i) for i in range(len(held))]
        assert sum(o["selected"] for o in options) == 1
    assert parts.live == ["polite"]
    supply = [o["text"].strip() for o in parts.selects["roi-explorer-supply_scale"]]
    assert supply == [f"{v:g}× the assumed" for v in dg.AXES["supply_scale"]]
    assert "500 micro" in parts.labels["roi-explorer-supply_scale"]  # the assumed supply, counted out


def test_the_embedded_grid_parses_is_rounded_and_is_the_grid(parts, grid):
    data = embedded(parts)
    assert data["strategies"] == list(allocate.strategies(allocate.Market.calibrated()))
    assert all(d for d in data["definitions"])
    sizes = [len(explorer.values(axis)) for axis, _, _ in explorer.INPUTS]
    assert len(data["cells"]) == len(grid) // len(data["strategies"]) == math.prod(sizes)
    for cell in data["cells"].values():
        for p_best, rpd, ppd, p_loss in cell["rows"]:
            assert isinstance(p_best, int) and isinstance(p_loss, int) and 0 <= p_loss <= 100
            assert round(rpd, 2) == rpd and round(ppd, 2) == ppd
        assert sum(row[0] for row in cell["rows"]) == pytest.approx(100, abs=len(cell["rows"]))


@settings(max_examples=25, deadline=None)
@given(st.tuples(*(st.integers(0, len(explorer.values(axis)) - 1) for axis, _, _ in explorer.INPUTS)))
def test_any_cell_is_the_grid_at_that_setting(grid, parts, indices):
    data = embedded(parts)
    setting = {axis: explorer.values(axis)[i] for (axis, _, _), i in zip(explorer.INPUTS, indices)}
    rows = dg.at(grid, **setting).set_index("strategy").loc[data["strategies"]]
    cell = data["cells"]["-".join(map(str, indices))]
    assert data["strategies"][cell["best"]] == rows.index[rows["best"]][0]
    for (p_best, rpd, ppd, p_loss), (_, row) in zip(cell["rows"], rows.iterrows()):
        assert p_best == pytest.approx(100 * row["p_best"], abs=0.5)
        assert rpd == pytest.approx(row["return_per_dollar"], abs=0.005)
        assert ppd == pytest.approx(row["profit_per_dollar"], abs=0.005)
        assert p_loss == pytest.approx(100 * row["p_loss"], abs=0.5)


def test_it_needs_no_network_and_no_library(page):
    assert not re.search(r"\b(src|href)=", page)
    assert "fetch(" not in page and "XMLHttpRequest" not in page and "import(" not in page
    assert "innerHTML" not in page  # the script writes text, never markup


@given(st.text(alphabet=st.sampled_from(list("<>&'\"/!-ascript ")), max_size=40))
def test_text_in_the_json_cannot_end_the_script(text):
    out = str(explorer.json_for_script({"name": text, "closing": "</script><!--"}))
    assert "<" not in out and ">" not in out and "&" not in out
    assert json.loads(out)["name"] == text


def test_markup_in_a_strategy_name_is_escaped(grid, monkeypatch):
    hostile = '<img src=x onerror="alert(1)">'
    renamed = grid.assign(strategy=grid["strategy"].replace({"pyramid": hostile}))
    monkeypatch.setitem(labels.STRATEGIES, hostile, "a </script> definition")
    html = explorer.explorer_html(renamed)
    assert hostile not in html and "</script> definition" not in html
    p = Parts()
    p.feed(html)
    assert hostile in embedded(p)["strategies"]
    # pyramid is the best at $1M in the print table: there the name arrives as text
    assert "&lt;img src=x" in html.split('class="roi-explorer-print"')[1]


def test_the_print_table_names_the_best_of_each_budget_and_price(grid):
    text = explorer.print_table(grid)
    best = dg.best_table(grid)
    assumed = best[(best["management_cost_usd"] == 250.0) & (best["supply_scale"] == 1.0)]
    assert len(assumed) == len(dg.BUDGETS) * len(dg.AXES["price_elasticity"])
    for row in assumed.itertuples():
        assert f"{row.best} ({round(100 * row.p_best)}% best)" in text
    assert "SIMULATED" in text


def test_every_strategy_has_a_definition():
    assert set(labels.STRATEGIES) == set(allocate.strategies(allocate.Market.calibrated()))


# What the explorer shows against `influencer-roi allocate` with the same options. The command's campaigns per world
# is a constant (cli.INNER), not an option: set to the grid's, the command with the grid's worlds and seed simulates
# the very same worlds and campaigns as the grid's cell, so the percentiles of expected revenue across the worlds
# agree to the last bits of a sum.
AXES = ("budget_usd", "price_elasticity", "management_cost_usd", "supply_scale", "gross_margin")
COMMAND_SETTINGS = [  # grid values: both price ends, both small budgets, a supply and margin other than assumed
    dict(zip(AXES, (10_000.0, 0.4, 0.0, 0.5, 0.3))),
    dict(zip(AXES, (100_000.0, 1.0, 500.0, 4.0, 0.7))),
]


@pytest.mark.parametrize("setting", COMMAND_SETTINGS, ids=lambda s: f"{s['budget_usd']:.0f}")
def test_the_command_with_the_same_options_simulates_the_grid_cell(grid, setting, monkeypatch):
    monkeypatch.setattr(cli, "INNER", dg.INNER)
    supply = ",".join(f"{tier}={n}" for tier, n in scaled_supply(setting["supply_scale"]).items())
    argv = [
        "allocate",
        "--budget",
        f"{setting['budget_usd']:g}",
        "--price-elasticity",
        f"{setting['price_elasticity']:g}",
    ]
    argv += ["--management-cost", f"{setting['management_cost_usd']:g}", "--supply", supply]
    argv += ["--margin", f"{setting['gross_margin']:g}", "--worlds", str(dg.WORLDS), "--seed", str(dg.SEED)]
    with scratch():
        code, _, err = run([*argv, "--draws", "100", "--out", "out"])
        assert code == 0, err
        record = json.loads(Path("out/results.json").read_text(encoding="utf-8"))
    assert record["evidence"]["worlds"] == dg.WORLDS and record["evidence"]["inner"] == dg.INNER
    command = {r["strategy"]: r for r in record["results"]}
    cell = dg.at(grid, **setting).set_index("strategy")
    assert list(command) == list(cell.index)
    for name, row in cell.iterrows():
        for ours, theirs in (("revenue_usd_p05", "revenue_worlds_p05"), ("revenue_usd_p95", "revenue_worlds_p95")):
            assert command[name][theirs] == pytest.approx(row[ours], rel=1e-4), (name, ours)
