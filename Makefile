# "Does smaller pay?": set up, execute, build and test the book.
# Everything runs inside .venv, made from the lock (requirements.txt); nothing else is assumed but python3 and make.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
BUILD  := _build
# The test build renders the committed outputs (already checked by nbval) into its own folder,
# so `make test` never disturbs the reader's build in _build/html.
TEST_OUT := $(BUILD)/test
CHAPTERS := $(sort $(wildcard chapters/*.ipynb))
NB ?=
# A module is compiled once, at its first import, and its bytecode kept in __pycache__ (ignored by git). An
# environment that sets PYTHONDONTWRITEBYTECODE (many CI images and containers do) would make every Python process
# compile pandas, statsmodels and matplotlib from source again, about ten seconds of CPU each, and the tests start
# hundreds of processes: so it is not passed on to what make runs.
unexport PYTHONDONTWRITEBYTECODE
# Chapters are executed with the kernels numpy and OpenBLAS pick for this CPU; `make nbval` re-runs them under
# narrowed ones (tests/nbval_plugin.py), comparing figures by their content, not their SVG bytes, so a CPU that
# differs in the last bit of a sum still passes.
NBVAL := PYTHONPATH=tests $(BIN)/python -m pytest -p no:cacheprovider -p nbval_plugin --nbval --nbval-current-env \
	--nbval-sanitize-with tests/nbval_sanitize.cfg

.DEFAULT_GOAL := help
.PHONY: help setup book pdf test site lint unit nbval coverage grid site-build site-links site-pdf site-check screenshots browser serve execute execute-one lab lock bench clean distclean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): requirements.txt requirements-setup.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || { \
		echo "The lock (requirements.txt) is resolved for Python 3.11; $(PYTHON) is $$($(PYTHON) --version 2>&1)."; \
		echo "Run with a Python 3.11, for example: make PYTHON=python3.11 $(MAKECMDGOALS)"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	@# uv (itself pinned with its hashes in requirements-setup.txt) installs the lock, hashes checked, in about ten
	@# seconds where pip took seventy; like `pip --no-compile`, it leaves compiling a module to its first import;
	@# --system-certs: it trusts the certificates the system does (a company proxy's too), as pip does
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-setup.txt
	$(BIN)/python -m uv pip install --quiet --system-certs --python $(BIN)/python --require-hashes -r requirements.txt
	$(BIN)/python -m uv pip install --quiet --system-certs --python $(BIN)/python --no-deps --no-build-isolation -e .
	@# compile what the commands, tests and chapters import once, here, rather than in parallel by the first tests
	$(BIN)/python -c 'import influencer_roi.cli, influencer_roi.book, influencer_roi.plots, statsmodels.api, hypothesis, ipykernel, nbval, playwright.sync_api'
	touch $@

setup: $(STAMP)  ## create .venv from the lock and install the package (editable)

book: $(STAMP)  ## execute the chapters (cached) and build the site into _build/html
	$(BIN)/python tools/build_book.py --execute --out .
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/site/test_site.py -k internal_links --site=$(BUILD)/html
	@echo "The book is built: open $(BUILD)/html/index.html in a browser (make pdf adds the PDF)."

pdf: book browser  ## the whole book as one PDF, printed by chromium: _build/html/does-smaller-pay.pdf
	$(BIN)/python tools/build_pdf.py --site $(BUILD)/html --work $(BUILD)/pdf

test: $(STAMP) browser  ## every test: lint and types, unit tests, strict nbval, warning-free build, links, PDF, built-site check
	@# Two stages at a time (-j2), each shown whole when it ends (-O): a stage's tail (its last test on one worker, the
	@# single-threaded build and PDF) leaves a core idle that the other stage uses. The site stages run in order.
	$(MAKE) --no-print-directory -j2 -O lint nbval site unit
	@echo "make test: all checks passed."

site: $(STAMP) browser  ## the site stages of make test in order: warning-free build, links, PDF, built-site check
	$(MAKE) --no-print-directory -j1 site-build site-links site-pdf site-check

lint: $(STAMP)  ## ruff (lint and format check) on code and chapters; mypy on the package; the layers (lint-imports)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

unit: $(STAMP)  ## the package's unit tests (and the checks on committed notebooks)
	@# both cores, a test file to a worker: a module's costly fixture (the nbval session, the timed large file) runs once
	$(BIN)/python -m pytest -n 2 --dist loadfile --durations=10 tests

nbval: $(STAMP)  ## re-run every chapter in a fresh kernel, under narrowed CPU kernels, and compare with its committed outputs
	$(NBVAL) --narrow-kernels -n 2 --dist loadscope --durations=10 $(CHAPTERS)

site-build: $(STAMP)  ## build the site from the committed outputs, warnings as errors (no execution)
	$(BIN)/python tools/build_book.py --render-only --out $(TEST_OUT)

site-links: $(STAMP)  ## the test build as `make book` leaves it, before any PDF: every internal link resolves
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/site/test_site.py -k internal_links --site=$(TEST_OUT)/_build/html

site-pdf: $(STAMP) browser  ## print the test build as a PDF (into the test site, where the downloads page links it)
	$(BIN)/python tools/build_pdf.py --site $(TEST_OUT)/_build/html --work $(TEST_OUT)/pdf

site-check: $(STAMP) browser  ## check the built site and its PDF: links, images, chromium (offline, phone, drawers)
	@# two workers; a page's checks on one of them (loadgroup), so they read one visit per page and screen size
	$(BIN)/python -m pytest -n 2 --dist loadgroup --durations=10 tests/site --site=$(TEST_OUT)/_build/html \
		--single-page=$(TEST_OUT)/pdf/_build/singlehtml

screenshots: $(STAMP) browser  ## screenshots of every page of the test build, first screen and whole page (after make test)
	$(BIN)/python -m pytest -n 2 tests/site/test_browser.py -k screenshots --whole-pages --site=$(TEST_OUT)/_build/html
	@echo "Screenshots are in $(TEST_OUT)/screenshots (whole pages in full/)."

browser:  ## make sure Debian's chromium is installed for the browser tests (installs it when run as root)
	@command -v chromium >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "Installing Debian's chromium for the browser tests"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else \
			echo "The browser tests need Debian's chromium. Install it with: sudo apt-get install chromium"; exit 2; \
		fi; }

serve:  ## serve the built site on http://127.0.0.1:8000 (after make book)
	$(BIN)/python -m http.server --directory $(BUILD)/html --bind 127.0.0.1 8000

execute: $(STAMP)  ## re-execute every chapter in place, top to bottom in a fresh kernel
	$(BIN)/python tools/execute.py $(CHAPTERS)

coverage: $(STAMP)  ## recompute the coverage study the regressions chapter reads (data/synthetic/coverage_study.csv)
	$(BIN)/python -m influencer_roi.coverage

grid: $(STAMP)  ## recompute the decision grid the allocation and conclusions chapters read (data/synthetic/decision_grid.csv)
	$(BIN)/python -m influencer_roi.decision_grid

execute-one: $(STAMP)  ## re-execute one chapter in place: make execute-one NB=chapters/tier_definitions.ipynb
	@test -n "$(NB)" || { echo "usage: make execute-one NB=chapters/NAME.ipynb"; exit 2; }
	$(BIN)/python tools/execute.py $(NB)

lab: $(STAMP)  ## open the chapters in JupyterLab
	$(BIN)/jupyter lab chapters

lock: $(STAMP)  ## regenerate requirements.txt (and requirements-setup.txt, the installer) from their .in files
	$(BIN)/pip-compile --quiet --upgrade --allow-unsafe --strip-extras --no-emit-index-url \
		--no-emit-find-links --generate-hashes --output-file requirements.txt requirements.in
	$(BIN)/pip-compile --quiet --upgrade --allow-unsafe --strip-extras --no-emit-index-url \
		--no-emit-find-links --generate-hashes --output-file requirements-setup.txt requirements-setup.in

bench: $(STAMP)  ## time a clean book build, a no-change rebuild and make test (see README)
	$(BIN)/python benchmarks/build_times.py

clean:  ## remove the built site and the execution cache
	rm -rf $(BUILD)

distclean: clean  ## also remove .venv
	rm -rf $(VENV)
