"""The book's own Sphinx extension (loaded through `sphinx.local_extensions` in _config.yml).

- The version: Sphinx's `version` and `release` come from the installed package (`influencer-roi`, whose one
  version is written in pyproject.toml), so the footer, the printed book and the `{{ version }}` substitution in
  the prose show the version of the code that computed them.
- The 404 page's text (sphinx-notfound-page builds the page; its links start at `notfound_urls_prefix`).
- The icons: the theme draws its dozen icons (menu, contents, search, download...) from the Font Awesome fonts,
  153 KB (solid) and 118 KB (brands) that every page downloads. After the build this writes a subset of those
  fonts holding only the icons the site uses (found in the built pages and the theme's scripts) to
  `_static/icons/`, and `_static/book.css` points the two font families at it. The full fonts stay in the build,
  unused.
"""

from __future__ import annotations

import re
from importlib.metadata import version as package_version
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

PACKAGE = "influencer-roi"
# (theme font, subset written to _static/icons/) for the two families the site's icons use; book.css names them.
FONTS = {"fa-solid-900.ttf": "fa-solid-900.subset.woff", "fa-brands-400.ttf": "fa-brands-400.subset.woff"}
ICON_CLASS = re.compile(r"\bfa-[a-z0-9-]+\b")
ICON_RULE = re.compile(r"((?:\.fa-[a-z0-9-]+:{1,2}before,?)+)\{content:\"\\([0-9a-f]+)\"\}")

logger = logging.getLogger(__name__)


NOT_FOUND = """<h1>Page not found</h1>
<p>There is no page at this address in <em>{title}</em>. It may have moved: start again from the
<a href="{prefix}intro.html">front page</a>, or search the book with the search button above.</p>"""


def configure(app: Sphinx, config: Config) -> None:
    config.version = config.release = package_version(PACKAGE)
    # {{ version }} in the prose ("How to cite") is the same version
    config.myst_substitutions = {**(config.myst_substitutions or {}), "version": config.release}
    # the 404 page (sphinx-notfound-page): its links are absolute, from notfound_urls_prefix (_config.yml)
    prefix = config.notfound_urls_prefix or "/"
    config.notfound_context = {
        "title": "Page not found",
        "body": NOT_FOUND.format(title=config.html_title, prefix=prefix.rstrip("/") + "/"),
    }


def icon_codepoints(theme_css: str) -> dict[str, int]:
    """`.fa-bars:before,.fa-navicon:before{content:"\\f0c9"}` -> {"fa-bars": 0xF0C9, "fa-navicon": 0xF0C9}."""
    found: dict[str, int] = {}
    for selectors, code in ICON_RULE.findall(theme_css):
        for name in re.findall(r"\.(fa-[a-z0-9-]+):", selectors):
            found[name] = int(code, 16)
    return found


def css_glyphs(css: str) -> set[int]:
    """Icons a stylesheet draws itself (admonition titles, the theme's `--pst-icon-*` variables): every escaped
    `\\fxxx` and literal private-use character, leaving out the `.fa-NAME:before` catalogue of the icon classes."""
    rest = ICON_RULE.sub("", css)
    escaped = {int(code, 16) for code in re.findall(r"\\([0-9a-fA-F]{4,5})", rest)}
    literal = {ord(ch) for ch in rest if 0xE000 <= ord(ch) <= 0xF8FF}
    return escaped | literal


def icons_used(outdir: Path, known: dict[str, int]) -> set[int]:
    """Code points of every icon the site can show: the icon classes named in a built page or in a script of
    _static (icons added at run time), and the icons the stylesheets draw."""
    names: set[str] = set()
    codepoints: set[int] = set()
    static = outdir / "_static"
    for path in [*outdir.rglob("*.html"), *static.rglob("*.js")]:
        if path.suffix == ".html" and "_static" in path.relative_to(outdir).parts:
            continue
        names.update(ICON_CLASS.findall(path.read_text(encoding="utf-8", errors="replace")))
    for path in static.rglob("*.css"):
        codepoints |= css_glyphs(path.read_text(encoding="utf-8", errors="replace"))
    return codepoints | {known[name] for name in names if name in known}


def subset_icon_fonts(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    from fontTools import subset
    from fontTools.ttLib import TTFont

    static = Path(app.outdir) / "_static"
    theme_css = static / "styles" / "pydata-sphinx-theme.css"
    webfonts = static / "vendor" / "fontawesome" / "webfonts"
    if not theme_css.is_file() or not webfonts.is_dir():
        return  # not the pydata theme family: nothing to trim
    codepoints = icons_used(Path(app.outdir), icon_codepoints(theme_css.read_text(encoding="utf-8")))
    target = static / "icons"
    target.mkdir(exist_ok=True)
    for source, name in FONTS.items():
        font = TTFont(webfonts / source, recalcTimestamp=False)
        cmap = font.getBestCmap()
        options = subset.Options()
        options.flavor = "woff"  # zlib; woff2 would need brotli, which the lock does not have
        options.layout_features = ["*"]
        options.name_IDs = ["*"]
        options.notdef_outline = True
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=sorted(c for c in codepoints if c in cmap) or [0x20])
        subsetter.subset(font)
        font.flavor = "woff"
        font.save(target / name)
    logger.info(f"book_site: icon fonts cut to {len(codepoints)} icons in _static/icons/")


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", configure)
    app.connect("build-finished", subset_icon_fonts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
