"""No stale output, whichever command builds the book (loaded through `sphinx.local_extensions` in _config.yml).

myst-nb's execution cache keys on a notebook's code cells only. A chapter's output also depends on the package in
src/, the data in data/ and the locked library versions, so without this a changed data file or package function
would leave the old output on the site, even through a plain `jupyter-book build .`. This extension hashes those
inputs (`book_inputs`, relative to the book's folder) when the build starts:

- the hash is a Sphinx config value that rebuilds the environment, so a changed input makes Sphinx re-read every
  page;
- when execution is on and the hash differs from the one stamped in the execution cache by the last successful
  build, the cache is cleared before any page is read, so every chapter is executed again. The stamp is written when
  a build finishes without error.

With execution off (the render-only build of `make test`, from committed outputs that strict nbval has just
checked) the cache is not touched.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

STAMP = ".inputs-hash"
SKIP_PARTS = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache"}
DEFAULT_INPUTS = ["src", "data", "requirements.txt"]

logger = logging.getLogger(__name__)


def inputs_hash(root: Path, inputs: list[str]) -> str:
    """SHA-256 over the relative path and bytes of every file under `inputs` (files or folders)."""
    digest = hashlib.sha256()
    files: list[Path] = []
    for name in inputs:
        path = root / name
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files.extend(p for p in path.rglob("*") if p.is_file())
    for path in sorted(files):
        rel = path.relative_to(root)
        if SKIP_PARTS.intersection(rel.parts) or any(part.endswith(".egg-info") for part in rel.parts):
            continue
        digest.update(rel.as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _cache(app: Sphinx) -> Path:
    """Where myst-nb keeps its execution cache (its own default: beside the builder's output)."""
    configured = app.config.nb_execution_cache_path
    return Path(configured) if configured else Path(app.outdir).parent / ".jupyter_cache"


def _executes(app: Sphinx) -> bool:
    return app.config.nb_execution_mode not in ("off", None)


def on_config_inited(app: Sphinx, config) -> None:
    config.book_inputs_hash = inputs_hash(Path(app.srcdir), list(config.book_inputs))


def on_builder_inited(app: Sphinx) -> None:
    if not _executes(app):
        return
    cache = _cache(app)
    stamp = cache / STAMP
    previous = stamp.read_text().strip() if stamp.is_file() else None
    if previous != app.config.book_inputs_hash and cache.exists():
        logger.info("fresh_outputs: src/, data/ or the lock changed since the last build: re-executing every chapter.")
        shutil.rmtree(cache)


def on_build_finished(app: Sphinx, exception) -> None:
    if exception is None and _executes(app) and _cache(app).exists():
        (_cache(app) / STAMP).write_text(app.config.book_inputs_hash + "\n")


def setup(app: Sphinx) -> dict:
    app.add_config_value("book_inputs", DEFAULT_INPUTS, "env")
    app.add_config_value("book_inputs_hash", "", "env")  # set from the inputs; a change re-reads every page
    app.connect("config-inited", on_config_inited)
    app.connect("builder-inited", on_builder_inited, priority=100)  # before myst-nb opens the cache
    app.connect("build-finished", on_build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
