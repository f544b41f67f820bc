"""Shared test set-up. The built-site checks in tests/site run only when given a site: --site=DIR."""

import pytest


def pytest_addoption(parser):
    parser.addoption("--site", default=None, help="folder of a built site (the html/ folder) for tests/site")


def pytest_ignore_collect(collection_path, config):
    # `pytest tests` runs the unit tests; `make site-check` runs tests/site against the fresh build.
    if collection_path.name == "site" and collection_path.parent.name == "tests":
        return config.getoption("--site") is None
    return None


@pytest.fixture(scope="session")
def site(request):
    from pathlib import Path

    path = Path(request.config.getoption("--site"))
    assert (path / "index.html").is_file(), f"no built site at {path}: run make site-build first"
    return path
