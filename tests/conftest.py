"""Shared test set-up. The built-site checks in tests/site run only when given a site: --site=DIR."""

import pytest


def pytest_addoption(parser):
    parser.addoption("--site", default=None, help="folder of a built site (the html/ folder) for tests/site")
    parser.addoption(
        "--single-page",
        default=None,
        help="folder of the single-page build that tools/build_pdf.py printed (for tests/site/test_pdf.py)",
    )
    parser.addoption(
        "--whole-pages",
        action="store_true",
        help="tests/site: also take a screenshot of every whole page (make screenshots), not only the first screen",
    )


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


@pytest.fixture(scope="session")
def single_page(request):
    from pathlib import Path

    folder = request.config.getoption("--single-page")
    assert folder, "give the single-page build with --single-page=DIR (make site-check does)"
    path = Path(folder)
    assert path.is_dir(), f"no single-page build at {path}: run make site-pdf first"
    return path


# Page weights travel with each test's report (user_properties), so the summary is whole when the site checks run on
# several workers (pytest-xdist sends every report, with its properties, back to the controlling process).
_PAGE_WEIGHTS: dict[str, int] = {}
PAGE_WEIGHT = "page_weight"


@pytest.fixture
def page_weight(request):
    """Record the bytes a page transferred (HTML, scripts, styles, images): page_weight(name, size)."""

    def record(name: str, size: int) -> None:
        request.node.user_properties.append((PAGE_WEIGHT, (name, size)))

    return record


def pytest_runtest_logreport(report):
    if report.when == "call":
        for key, value in report.user_properties:
            if key == PAGE_WEIGHT:
                name, size = value
                _PAGE_WEIGHTS[name] = size


def pytest_terminal_summary(terminalreporter):
    if _PAGE_WEIGHTS:
        terminalreporter.section("page weight (bytes transferred, including images, scripts and styles)")
        for name, size in sorted(_PAGE_WEIGHTS.items(), key=lambda item: -item[1]):
            terminalreporter.write_line(f"{size / 1024:9.0f} KiB  {name}")
        terminalreporter.write_line(f"{sum(_PAGE_WEIGHTS.values()) / 1024:9.0f} KiB  all pages")
