"""The decision explorer on the conclusions page (influencer_roi.explorer), run in Chromium from the built site: at 5
settings drawn at random (fixed seed) it shows what the committed decision grid holds for them; at phone width it
does not scroll sideways and its answer is in view after a change; with the network cut after the page loaded it
still answers and asks nothing of any host; on paper the static table stands in for it.

What `influencer-roi allocate` gives with the same options: the explorer reads the committed grid, and
tests/test_explorer.py checks that the command, given the grid's options (budget, price elasticity, management cost,
supply, margin, worlds, seed; the campaigns per world too), simulates the very same worlds and campaigns as the
grid's cell. The browser test compares with the grid, not with the command run anew: five runs of the command would
cost about a minute of both cores, and the page cannot show anything but the grid."""

from __future__ import annotations

import random
import re

import pytest
from test_browser import DESKTOP, OVERFLOW, PHONE, server, visit  # noqa: F401 (server: the fixture)

from influencer_roi import decision_grid as dg
from influencer_roi import explorer, labels

pytestmark = pytest.mark.xdist_group("explorer")
PAGE = "chapters/conclusions.html"
SETTINGS = 5
READ = """() => {
    const root = document.getElementById('roi-explorer');
    return {answer: root.querySelector('.roi-explorer-answer').innerText,
            rows: Array.from(root.querySelectorAll('tbody tr')).map(r => Array.from(r.cells).map(c => c.innerText))};
}"""
NUMBER = r"(−?\d+(?:\.\d+)?)"


def settings() -> list[dict[str, int]]:
    rng = random.Random(29)
    return [
        {axis: rng.randrange(len(explorer.values(axis))) for axis, _, _ in explorer.INPUTS} for _ in range(SETTINGS)
    ]


@pytest.fixture(scope="module")
def grid():
    return dg.committed_grid()


def open_explorer(browser, server, viewport=DESKTOP):  # noqa: F811 (server: the fixture)
    page, errors, requests = visit(browser, f"{server}/{PAGE}", viewport)
    page.wait_for_function("() => document.querySelector('.roi-explorer-answer').innerText.length > 0")
    return page, errors, requests


def choose(page, setting: dict[str, int]) -> None:
    for axis, index in setting.items():
        page.select_option(f"#roi-explorer-{axis}", str(index))


def number(text: str) -> float:
    return float(text.replace("−", "-").rstrip("%"))


def expected(grid, setting: dict[str, int]):
    at = {axis: explorer.values(axis)[i] for axis, i in setting.items()}
    return dg.at(grid, **at).set_index("strategy")


def check(shown: dict, cell) -> None:
    best = cell.index[cell["best"]][0]
    answer = shown["answer"]
    assert answer.startswith(f"Best strategy: {best} ({labels.STRATEGIES[best]})"), answer
    p_best, rpd, p_loss = (
        number(m)
        for m in re.search(
            rf"being best: {NUMBER}%.*Expected return: {NUMBER} of revenue.*a loss: {NUMBER}%", answer
        ).groups()
    )
    row = cell.loc[best]
    assert p_best == pytest.approx(100 * row["p_best"], abs=0.5)
    assert rpd == pytest.approx(row["return_per_dollar"], abs=0.005)
    assert p_loss == pytest.approx(100 * row["p_loss"], abs=0.5)
    assert [r[0] for r in shown["rows"]] == list(cell.index)  # every strategy, in the grid's order
    for name, p, r, profit, loss in shown["rows"]:
        assert number(p) == pytest.approx(100 * cell.loc[name, "p_best"], abs=0.5)
        assert number(r) == pytest.approx(cell.loc[name, "return_per_dollar"], abs=0.005)
        assert number(profit) == pytest.approx(cell.loc[name, "profit_per_dollar"], abs=0.005)
        assert number(loss) == pytest.approx(100 * cell.loc[name, "p_loss"], abs=0.5)


def test_the_explorer_shows_the_grid_at_random_settings(browser, server, grid):  # noqa: F811
    page, errors, _ = open_explorer(browser, server)
    try:
        # at first, the assumed case (budget $100,000)
        start = {axis: explorer.values(axis).index(explorer._assumed(axis)) for axis, _, _ in explorer.INPUTS}
        check(page.evaluate(READ), expected(grid, start))
        answers = set()
        for setting in settings():
            choose(page, setting)
            shown = page.evaluate(READ)
            check(shown, expected(grid, setting))
            answers.add(shown["answer"])
        assert len(answers) > 1, "five settings, one answer: the form does not update the output"
        assert not errors, errors
    finally:
        page.close()


def test_at_phone_width_no_sideways_scroll_and_the_answer_in_view(browser, server, grid):  # noqa: F811
    page, errors, _ = open_explorer(browser, server, PHONE)
    try:
        assert page.evaluate(OVERFLOW) <= 1
        box = page.locator(".roi-explorer").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 1
        for select in page.locator(".roi-explorer select").all():
            b = select.bounding_box()
            assert b["x"] + b["width"] <= PHONE["width"] + 1, "a select runs past the phone's edge"
        setting = settings()[0]
        choose(page, setting)
        answer = page.locator(".roi-explorer-answer")
        answer.scroll_into_view_if_needed()
        assert answer.is_visible()
        b = answer.bounding_box()
        assert 0 <= b["y"] < PHONE["height"] and b["x"] + b["width"] <= PHONE["width"] + 1
        check(page.evaluate(READ), expected(grid, setting))
        assert page.evaluate(OVERFLOW) <= 1
        assert not errors, errors
    finally:
        page.close()


def test_it_answers_offline_and_asks_no_host(browser, server, grid):  # noqa: F811
    page, errors, requests = open_explorer(browser, server)
    try:
        page.context.set_offline(True)
        before = len(requests)
        for setting in settings()[:2]:
            choose(page, setting)
            check(page.evaluate(READ), expected(grid, setting))
        assert requests[before:] == [], f"the explorer fetched {requests[before:]}"
        assert not errors, errors
    finally:
        page.context.set_offline(False)
        page.close()


def test_on_paper_the_static_table_stands_in(browser, server):  # noqa: F811
    page, _, _ = open_explorer(browser, server)
    try:
        page.emulate_media(media="print")
        assert not page.locator(".roi-explorer").is_visible()
        fallback = page.locator(".roi-explorer-print table")
        assert fallback.is_visible()
        assert fallback.locator("tbody tr").count() == len(dg.BUDGETS)
        page.emulate_media(media="screen")
        assert not page.locator(".roi-explorer-print").is_visible()
    finally:
        page.close()
