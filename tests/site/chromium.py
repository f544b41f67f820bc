"""How the site tests launch Debian's chromium: one place for its flags and its path, for the session's browser
(conftest.py) and the report test's own (test_report_phone.py)."""

import shutil

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def executable() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")
