"""The `influencer-roi` console script's entry point. Importing the command and its libraries takes a moment; a
Ctrl-C in that moment ends the run with one line and exit status 130, as it does later, instead of a traceback
(from its first line on, cli.main handles Ctrl-C itself)."""

from __future__ import annotations

import sys

INTERRUPTED = 130  # cli.EXIT_INTERRUPTED, which is not imported yet when it is needed here


def main() -> int:
    try:
        from .cli import main as command  # deferred: this is the import a Ctrl-C may interrupt
    except KeyboardInterrupt:
        sys.stderr.write("influencer-roi: interrupted while starting; nothing was written\n")
        return INTERRUPTED
    return command()
