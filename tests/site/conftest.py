"""The browser the site tests share: Debian's chromium driven by Playwright (one per test session)."""

import pytest
from chromium import CHROMIUM_FLAGS, executable


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    path = executable()
    assert path, "chromium is not installed: run `make browser` (or: sudo apt-get install chromium)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()
