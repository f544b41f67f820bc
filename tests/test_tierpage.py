"""The tier chapters' tables and glue values come from one function; each chapter keeps only its prose."""

import pytest
from bs4 import BeautifulSoup

from influencer_roi import audit, evidence
from influencer_roi.tierpage import tier_page
from influencer_roi.tiers import TIERS


@pytest.fixture(scope="module")
def ledger():
    return evidence.load_ledger()


@pytest.mark.parametrize("tier", TIERS)
def test_the_glue_counts_what_the_tables_show(ledger, tier):
    page = tier_page(tier, ledger)
    claims = BeautifulSoup(page.claims.data, "html.parser")
    definitions = BeautifulSoup(page.definitions.data, "html.parser")
    checks = BeautifulSoup(page.checks.data, "html.parser")
    assert int(page.glue["n_claims"].replace(",", "")) == len(claims.select("tbody tr"))
    assert int(page.glue["n_definitions"]) == len(definitions.select("tbody tr"))
    assert int(page.glue["n_checks"]) == len(checks.select("tbody tr"))
    bad = [d for d in checks.find_all("details") if d.summary.get_text().startswith("inconsistent")]
    assert int(page.glue["n_bad"]) == (len(bad[0].select("tbody tr")) if bad else 0)
    # grade A claims are the ones folded under grade A
    a = [d for d in claims.find_all("details") if d.summary.get_text().startswith("grade A")]
    assert int(page.glue["n_claims_a"]) == (len(a[0].select("tbody tr")) if a else 0)
    assert set(page.glue) == {
        "n_claims",
        "n_sources",
        "n_claims_a",
        "n_definitions",
        "lower_bounds",
        "n_checks",
        "n_bad",
    }


def test_the_pages_differ_by_tier_and_match_the_ledger(ledger):
    nano, mega = tier_page("nano", ledger), tier_page("mega", ledger)
    assert nano.claims.data != mega.claims.data
    about_nano = ledger["claims"][(ledger["claims"]["tier_a"] == "nano") | (ledger["claims"]["tier_b"] == "nano")]
    assert int(nano.glue["n_claims"]) == len(about_nano)
    result = audit.run_audit(ledger["claims"])
    assert nano.glue == tier_page("nano", ledger, audit_result=result).glue
    assert mega.glue["lower_bounds"].startswith(("all at", "from"))


def test_the_tables_have_readable_headers_and_no_raw_missing_values(ledger):
    page = tier_page("micro", ledger)
    for table in (page.definitions, page.claims, page.checks):
        soup = BeautifulSoup(table.data, "html.parser")
        assert all("_" not in th.get_text() for th in soup.find_all("th"))
        assert not {td.get_text() for td in soup.find_all("td")} & {"nan", "NaN", "None", "<NA>"}
