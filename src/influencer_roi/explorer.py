"""The reader's decision explorer: the committed decision grid (decision_grid) as a small HTML form on the
conclusions page. The reader picks a budget, price elasticity, management cost per creator, creator supply and gross
margin, and reads the best strategy (in words), its chance of being best, its expected return per dollar and its
chance of a loss, with every strategy at that setting. SIMULATED, like the grid.

No server, no library, nothing fetched: the grid's needed columns travel in the page as JSON, rounded to what is
shown (so the output's bytes do not depend on the CPU that executed the chapter), and a few lines of plain
JavaScript look a setting up in it. Every text goes through Jinja2's autoescape or, inside the script, JSON with
`<`, `>` and `&` written as \\u escapes; the script writes values with textContent, never as markup. A static table
(the best strategy per budget and price elasticity, the other inputs at their assumed values) stands in for the form
in print (_static/print.css shows it there and hides the form; _static/book.css hides it on screen)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from jinja2 import Environment
from markupsafe import Markup

from .assumptions import ASSUMPTIONS, scaled_supply
from .decision_grid import AXES, BUDGETS, WORLDS, best_table
from .formats import fmt_int
from .labels import STRATEGIES
from .tables import Column, show

# The grid's columns the explorer shows, each rounded to what the reader sees: percentages to whole points, returns
# to cents per dollar.
SHOWN = {"p_best": "percent", "return_per_dollar": "money", "profit_per_dollar": "money", "p_loss": "percent"}


def _money(x: float) -> str:
    return f"${x:,.0f}"


def _supply_label() -> str:
    counts = ", ".join(f"{fmt_int(n)} {tier}" for tier, n in scaled_supply(1.0).items())
    return f"Creator supply: suitable creators in your niche (assumed: {counts})"


# Each input: its axis in the grid, its label in plain words, and how each of its values reads.
INPUTS = (
    ("budget_usd", "Budget", _money),
    (
        "price_elasticity",
        "Price elasticity: how fast the price per post rises with followers (1: in proportion)",
        lambda v: f"{v:g}",
    ),
    ("management_cost_usd", "Management cost per creator (finding, contracting, checking)", _money),
    ("supply_scale", _supply_label(), lambda v: f"{v:g}× the assumed"),
    ("gross_margin", "Gross margin: share of revenue left after the goods", lambda v: f"{v:.0%}"),
)


def values(axis: str) -> tuple[float, ...]:
    """The values the grid holds for one input."""
    return tuple(BUDGETS) if axis == "budget_usd" else tuple(AXES[axis])


def _assumed(axis: str) -> float:
    name = {"management_cost_usd": "management_cost"}.get(axis, axis)
    return 100_000.0 if axis == "budget_usd" else ASSUMPTIONS[name].value


def _round(value: float, kind: str) -> float | int:
    return int(round(100 * value)) if kind == "percent" else round(float(value), 2)


def payload(grid: pd.DataFrame) -> dict:
    """What the page carries: the strategies with their definitions, and for every setting (key: the index of each
    input's value, in INPUTS' order, joined by "-") the best strategy's index and every strategy's SHOWN values,
    rounded (percentages as whole points)."""
    names = list(dict.fromkeys(grid["strategy"]))  # allocate.strategies' order
    cells = {}
    for key, group in grid.groupby([axis for axis, _, _ in INPUTS], sort=True):
        index = "-".join(str(values(axis).index(v)) for (axis, _, _), v in zip(INPUTS, key))
        rows = group.set_index("strategy").loc[names]
        cells[index] = {
            "best": names.index(rows.index[rows["best"].to_numpy(bool)][0]),
            "rows": [[_round(row[c], kind) for c, kind in SHOWN.items()] for _, row in rows.iterrows()],
        }
    return {"strategies": names, "definitions": [STRATEGIES[n] for n in names], "cells": cells}


def json_for_script(data: dict) -> Markup:
    """`data` as JSON that can sit inside a <script> element: `<`, `>` and `&` written as \\u escapes, so that no
    text in it can close the element or open a comment (the escape Django's json_script uses)."""
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    for char in "<>&":
        text = text.replace(char, f"\\u{ord(char):04x}")
    return Markup(text)  # safe: every character that HTML could read as markup is escaped just above


def print_table(grid: pd.DataFrame) -> str:
    """The static stand-in for print: the best strategy and its chance of being best for each budget (rows) and
    price elasticity (columns), the other inputs at their assumed values."""
    rest = {axis: _assumed(axis) for axis in ("management_cost_usd", "supply_scale")}
    best = best_table(grid)
    keep = np.ones(len(best), dtype=bool)
    for axis, value in rest.items():
        keep &= np.isclose(best[axis], value)
    best = best[keep]
    cell = best["best"] + " (" + (100 * best["p_best"]).round().astype(int).astype(str) + "% best)"
    wide = best.assign(cell=cell).pivot(index="budget_usd", columns="price_elasticity", values="cell")
    wide = wide.reset_index().rename(columns={"budget_usd": "budget"})
    wide["budget"] = wide["budget"].map(_money)
    wide.columns = [str(c) for c in wide.columns]
    columns = {"budget": Column("Budget")}
    columns |= {f"{v}": Column(f"Price elasticity {v:g}") for v in AXES["price_elasticity"]}
    caption = (
        "The best strategy by budget and price elasticity, with its chance of being best (SIMULATED; management "
        f"cost {_money(rest['management_cost_usd'])} per creator, the assumed creator supply, gross margin "
        f"{ASSUMPTIONS['gross_margin'].value:.0%})"
    )
    return show(wide, columns, caption=caption).data


TEMPLATE = """<div class="roi-explorer" id="roi-explorer">
<p class="roi-explorer-note"><strong>Simulated.</strong> Pick your case; the answer is read from the book's
decision grid (computed once, {{ worlds }} worlds of the evidence each), nothing is sent anywhere.</p>
<form class="roi-explorer-inputs" onsubmit="return false">
{%- for input in inputs %}
<div><label for="roi-explorer-{{ input.axis }}">{{ input.label }}</label>
<select id="roi-explorer-{{ input.axis }}" name="{{ input.axis }}">
{%- for option in input.options %}
<option value="{{ option.index }}"{% if option.selected %} selected{% endif %}>{{ option.text }}</option>
{%- endfor %}
</select></div>
{%- endfor %}
</form>
<div class="roi-explorer-output" role="status" aria-live="polite">
<p class="roi-explorer-answer"></p>
<div class="book-table-scroll" tabindex="0"><table class="book-table">
<caption>Every strategy at this setting (SIMULATED)</caption>
<thead><tr><th scope="col" class="book-text">Strategy</th><th scope="col" class="book-number">Chance of being
best</th><th scope="col" class="book-number">Revenue per dollar</th><th scope="col" class="book-number">Profit per
dollar</th><th scope="col" class="book-number">Chance of a loss</th></tr></thead>
<tbody></tbody></table></div>
</div>
<script type="application/json" id="roi-explorer-data">{{ data }}</script>
<script>{% raw %}
(function () {
  var root = document.getElementById("roi-explorer");
  var data = JSON.parse(document.getElementById("roi-explorer-data").textContent);
  var selects = root.querySelectorAll("select");
  var answer = root.querySelector(".roi-explorer-answer");
  var body = root.querySelector("tbody");
  function money(x) { return x.toFixed(2).replace("-", "\u2212"); }
  function pct(x) { return x + "%"; }
  function put(parent, tag, text, css) {
    var el = document.createElement(tag);
    el.textContent = text;
    if (css) { el.className = css; }
    parent.appendChild(el);
    return el;
  }
  function update() {
    var key = Array.prototype.map.call(selects, function (s) { return s.value; }).join("-");
    var cell = data.cells[key];
    var best = cell.rows[cell.best];
    answer.textContent = "";
    put(answer, "strong", "Best strategy: " + data.strategies[cell.best], "roi-explorer-best");
    answer.appendChild(document.createTextNode(
      " (" + data.definitions[cell.best] + "). Chance of being best: " + pct(best[0]) +
      " of the simulated worlds. Expected return: " + money(best[1]) +
      " of revenue per dollar spent. Chance of a loss: " + pct(best[3]) + "."));
    body.textContent = "";
    cell.rows.forEach(function (row, i) {
      var tr = put(body, "tr", "");
      put(tr, "td", data.strategies[i], "book-text");
      put(tr, "td", pct(row[0]), "book-number");
      put(tr, "td", money(row[1]), "book-number");
      put(tr, "td", money(row[2]), "book-number");
      put(tr, "td", pct(row[3]), "book-number");
      if (i === cell.best) { tr.className = "roi-explorer-best-row"; }
    });
  }
  Array.prototype.forEach.call(selects, function (s) { s.addEventListener("change", update); });
  update();
})();
{% endraw %}</script>
</div>
<div class="roi-explorer-print">{{ fallback }}</div>
"""

_ENVIRONMENT = Environment(autoescape=True, keep_trailing_newline=True)


def explorer_html(grid: pd.DataFrame) -> str:
    """The explorer for `grid` (decision_grid.committed_grid()): one labelled <select> per input with the values
    the grid holds (each at its assumed value to start; the budget at $100,000), an aria-live output, the grid's
    SHOWN columns as JSON, and the static table for print."""
    inputs = [
        {
            "axis": axis,
            "label": label,
            "options": [
                {"index": i, "text": words(v), "selected": bool(np.isclose(v, _assumed(axis)))}
                for i, v in enumerate(values(axis))
            ],
        }
        for axis, label, words in INPUTS
    ]
    return _ENVIRONMENT.from_string(TEMPLATE).render(
        inputs=inputs,
        data=json_for_script(payload(grid)),
        fallback=Markup(print_table(grid)),  # safe: tables.show escapes every header, caption and cell
        worlds=WORLDS,
    )
