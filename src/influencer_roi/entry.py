"""The `influencer-roi` console script's entry point. Importing the command and its libraries takes a moment; a
Ctrl-C, SIGTERM or SIGHUP in that moment ends the run with one line and exit status 130, 143 or 129, as it does
later, instead of a traceback or a silent death (from its first line on, cli.main handles them itself)."""

from __future__ import annotations

import os
import signal
import sys

INTERRUPTED = 130  # cli.EXIT_INTERRUPTED, which is not imported yet when it is needed here
STOPPING = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


def _stopped_while_starting(signum, frame) -> None:
    # Nothing has been read or written yet: say so and end at once (exit status 128 + the signal, as a shell shows)
    os.write(
        2, f"influencer-roi: stopped by {signal.Signals(signum).name} while starting; nothing was written\n".encode()
    )
    os._exit(128 + signum)


def main() -> int:
    previous = {}
    for signum in STOPPING:
        if signal.getsignal(signum) is not signal.SIG_IGN:  # a signal ignored on purpose (nohup) stays ignored
            previous[signum] = signal.signal(signum, _stopped_while_starting)
    try:
        from .cli import main as command  # deferred: this is the import a signal may interrupt
    except KeyboardInterrupt:
        sys.stderr.write("influencer-roi: interrupted while starting; nothing was written\n")
        return INTERRUPTED
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return command()
