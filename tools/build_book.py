"""Build the book with Jupyter Book 1.x, warnings as errors.

Two modes:

--execute      what `make book` runs. Chapters are executed through the jupyter-cache, which keys only on the
               code cells; the book's extension _ext/fresh_outputs.py hashes src/, data/ and the lock and clears
               the cache when they change, so every chapter is re-executed (a plain `jupyter-book build .` gets the
               same guard). Every page is re-read (--all).
--render-only  what `make test` runs after strict nbval has shown that the committed outputs reproduce: the
               same build with execution switched off, from a generated copy of _config.yml, into its own folder.

Exit status is the build's.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml


def render_only_config(book: Path, out: Path) -> Path:
    """A copy of _config.yml with execution off, written inside the output folder."""
    config = yaml.safe_load((book / "_config.yml").read_text(encoding="utf-8"))
    config.setdefault("execute", {})["execute_notebooks"] = "off"
    out.mkdir(parents=True, exist_ok=True)
    # jupyter-book finds local extensions relative to the config file: point them back at the book's folder.
    extensions = config.get("sphinx", {}).get("local_extensions") or {}
    for name, folder in extensions.items():
        extensions[name] = os.path.relpath(book / folder, out)
    path = out / "_config.render-only.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def build(book: Path, out: Path, config: Path | None, builder: str = "html") -> int:
    # The jupyter-book script beside this interpreter: the one installed from the lock. --all re-reads every
    # page (a fresh Sphinx environment): an incremental build can leave cross-page output stale, such as the
    # bibliography's anchors after a chapter adds citations. Execution stays cached, so this costs seconds.
    cmd = [
        str(Path(sys.executable).with_name("jupyter-book")),
        "build",
        str(book),
        "--path-output",
        str(out),
        "-W",
        "-n",
        "--keep-going",
        "--all",
        "--builder",
        builder,
    ]
    if config is not None:
        cmd += ["--config", str(config)]
    return subprocess.call(cmd)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--execute", action="store_true", help="execute chapters (cached) and build")
    mode.add_argument("--render-only", action="store_true", help="build from committed outputs only")
    parser.add_argument("--book", default=".", help="the book's folder (holds _config.yml)")
    parser.add_argument("--out", default=".", help="jupyter-book's --path-output: the site goes to OUT/_build/html")
    args = parser.parse_args(argv)

    book = Path(args.book).resolve()
    out = Path(args.out)
    if not out.is_absolute():
        out = book / out

    built = out / "_build"  # where jupyter-book writes html/, .doctrees/ and .jupyter_cache/
    if args.render_only:
        shutil.rmtree(built, ignore_errors=True)  # a test build starts from nothing
        return build(book, out, render_only_config(book, built))
    return build(book, out, None)


if __name__ == "__main__":
    sys.exit(main())
