"""Where the book's data lives, and the one way the command writes a file.

Reading: the package is installed editable from the book's repository, so the data folder is found beside src/.
Set INFLUENCER_ROI_DATA to read the ledger from somewhere else.

Writing: `publish()` is the only function that writes an output of `influencer-roi` (every CSV, JSON, SVG and HTML
file of every subcommand), so its promises hold everywhere:

- All or nothing. Every file is staged beside its destination (same folder, so the same filesystem: a rename
  never copies) under a hidden temporary name, then renamed into place once all are staged, results.json last.
  A failure, a full disk or Ctrl-C at any point removes what was staged and any folder it created.
- Never over a file it did not write. A destination that exists is replaced only if the folder's manifest
  (MANIFEST, written beside the outputs) records it as written by influencer-roi and unchanged since (same size
  and modification time). An input of the run is never a destination, a symbolic link is never written through,
  and two outputs never share a path.
- The user's umask: files are created with mode 0o666 and folders with 0o777, less the umask, as by any program.
"""

from __future__ import annotations

import errno
import json
import os
import secrets
import signal
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from glob import escape as glob_escape
from pathlib import Path
from typing import BinaryIO, cast


def data_dir() -> Path:
    """The folder holding evidence/ and synthetic/."""
    override = os.environ.get("INFLUENCER_ROI_DATA")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "data"


def evidence_dir() -> Path:
    return data_dir() / "evidence"


# ---- Writing outputs

MANIFEST = ".influencer-roi.json"  # per folder: the files influencer-roi wrote there, with their size and mtime
PARTIAL = ".influencer-roi-partial"  # suffix of a staged file (only ever seen if the process is killed)
LAST = "results.json"  # renamed into place last: its presence means the run finished

Content = str | bytes | Callable[[BinaryIO], None]


class OutputError(Exception):
    """An output cannot be written safely; the message names the path, the reason and what to do."""


class Interrupted(KeyboardInterrupt):
    """Ctrl-C (or SIGTERM, SIGHUP) during publish(); `written` says whether the outputs were already all in place."""

    def __init__(self, written: bool, signum: int = signal.SIGINT) -> None:
        super().__init__()
        self.written, self.signum = written, signum


# The signals that stop a run the way Ctrl-C does (the command turns SIGTERM and SIGHUP into KeyboardInterrupt):
# while files are staged and renamed, each is deferred like Ctrl-C.
STOPPING = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))
# The outputs published since the command began (cli resets it per run): an interrupt after the last publish()
# says truthfully that they were written.
PUBLISHED: list[Path] = []


def publish(
    files: Mapping[Path, Content],
    inputs: Iterable[Path] = (),
    option: str = "--out",
    options: Mapping[Path, str] | None = None,
    make_folder: bool = False,
) -> None:
    """Write `files` (path -> text, bytes, or a function writing to a binary stream), all or nothing.

    `inputs` are the files the run read (never overwritten); `option` (or `options`, per path) names the
    command-line option that chose each path, for messages. make_folder: a missing destination folder is created
    if its parent exists (an output folder); otherwise it must exist (an output file). Raises OutputError, before
    anything is written whenever the problem can be seen in advance."""
    pairs = [(_absolute(p), (options or {}).get(p, option)) for p in files]
    check(pairs, inputs, make_folder)
    targets = {_absolute(p): c for p, c in files.items()}
    options_of = dict(pairs)
    order = sorted(targets, key=lambda t: t.name == LAST)
    staged: dict[Path, Path] = {}  # temporary -> destination
    committed: list[Path] = []
    existed = {t for t in targets if os.path.lexists(t)}
    created: list[Path] = []
    done = False
    for target in targets:  # what a killed run (SIGKILL, a power cut) left staged for these very outputs
        _remove_stale(target)
    with _interrupts_deferred() as interrupted:
        try:
            for folder in dict.fromkeys(t.parent for t in order):
                if not folder.exists():
                    folder.mkdir()
                    created.append(folder)
            for target in order:
                _stage(target, targets[target], interrupted, staged)
            manifests = {
                folder: _manifest_after(folder, [t for t in order if t.parent == folder], staged)
                for folder in dict.fromkeys(t.parent for t in order)
            }
            for folder, record in manifests.items():
                _stage(folder / MANIFEST, json.dumps(record, indent=1, sort_keys=True) + "\n", interrupted, staged)
            if interrupted():
                raise Interrupted(written=False, signum=interrupted())
            for temporary, target in staged.items():  # results.json, then the manifests, last
                os.replace(temporary, target)
                committed.append(target)
            done = True
        except OSError as err:
            raise OutputError(_explain(err, options_of)) from None
        finally:
            if not done:
                _undo(staged, committed, existed, created)
    PUBLISHED.extend(targets)
    # the interrupt (if any) arrived while the outputs were being renamed into place: they are all there
    if done and interrupted():
        raise Interrupted(written=True, signum=interrupted())


def _remove_stale(target: Path) -> None:
    """Remove the staged files of `target` (".NAME.XXXXXXXX.influencer-roi-partial" beside it) that a run which
    could not clean up (SIGKILL cannot be caught) left behind: only influencer-roi writes such names."""
    try:
        stale = list(target.parent.glob(f".{glob_escape(target.name)}.*{PARTIAL}"))
    except OSError:
        return
    for path in stale:
        middle = path.name[len(target.name) + 2 : -len(PARTIAL)]
        if len(middle) == 8 and all(c in "0123456789abcdef" for c in middle) and path.is_file():
            try:
                path.unlink()
            except OSError:
                pass


def check(pairs: Iterable[tuple[Path, str]], inputs: Iterable[Path] = (), make_folder: bool = False) -> None:
    """Refuse, before any work, every destination publish() would refuse: `pairs` of (path, the option that named
    it)."""
    pairs = [(_absolute(t), o) for t, o in pairs]
    inputs = [Path(p) for p in inputs]
    seen: dict[str, tuple[Path, str]] = {}
    for target, option in pairs:
        key = os.path.join(os.path.realpath(target.parent), target.name)
        if key in seen:
            other, named_by = seen[key]
            raise OutputError(
                f"{option} {_shown(target)}: the same file as {named_by} {_shown(other)}; give each output its own path"
            )
        seen[key] = (target, option)
        try:
            problem = _problem(target, inputs, make_folder)
        except OSError as err:  # a name the filesystem refuses outright (too long, invalid)
            problem = _REASONS.get(err.errno or 0, err.strerror or str(err))
        if problem:
            raise OutputError(f"{option} {_shown(target)}: {problem}")
    for folder, option in {t.parent: o for t, o in pairs}.items():
        manifest = folder / MANIFEST
        if os.path.lexists(manifest) and (
            os.path.islink(manifest) or not manifest.is_file() or _read_manifest(manifest) is None
        ):
            raise OutputError(
                f"{option} {_shown(folder)}: holds a file named {MANIFEST} that influencer-roi did "
                "not write; choose another folder"
            )


def check_folder(folder: Path, names: Iterable[str], inputs: Iterable[Path] = (), option: str = "--out") -> None:
    """check() for the files `names` of an output folder (created if missing)."""
    if not str(folder):
        raise OutputError(f"{option} '': give a folder name")
    check([(Path(folder) / name, option) for name in names], inputs, make_folder=True)


def _absolute(path: Path) -> Path:
    return Path(os.path.abspath(os.fspath(path)))


def _shown(path: Path, limit: int = 120) -> str:
    """A path as the user gave it, when it is under the current folder, and cut in its middle past `limit`
    characters (messages stay short)."""
    try:
        shown = str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        shown = str(path)
    return shown if len(shown) <= limit else f"{shown[: limit // 2]}…{shown[-(limit // 2 - 1) :]}"


def _problem(target: Path, inputs: list[Path], make_folder: bool) -> str | None:
    """Why `target` must not be written, or None."""
    if target.name == MANIFEST:
        return f"{MANIFEST} is the name of influencer-roi's record of what it wrote; choose another name"
    folder = target.parent
    if os.path.islink(folder) and not folder.exists():
        return f"the folder {_shown(folder)} is a symbolic link to a missing folder"
    if folder.exists() and not folder.is_dir():
        return f"{_shown(folder)} exists and is not a folder"
    if not folder.exists():
        if not make_folder or not folder.parent.is_dir():
            return f"the folder {_shown(folder if not make_folder else folder.parent)} does not exist"
        if not os.access(folder.parent, os.W_OK | os.X_OK):
            return f"the folder {_shown(folder.parent)} is not writable"
        return None
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"the folder {_shown(folder)} is not writable"
    if os.path.islink(target):
        return "is a symbolic link; influencer-roi does not write through links (remove it or choose another name)"
    if not os.path.lexists(target):
        return None
    if target.is_dir():
        return "is a folder; give a file name"
    for source in inputs:
        if source.exists() and os.path.samefile(source, target):
            return f"is an input of this run ({_shown(source)}); choose another output name"
    if not target.is_file():
        return "exists and is not a regular file"
    state = _written(folder).get(target.name)
    if state is None:
        return (
            "exists and was not written by influencer-roi; it is left as it is. Remove it, or choose another "
            "name or folder"
        )
    stat = target.stat()
    if [stat.st_size, stat.st_mtime_ns] != state:
        return (
            "was written by influencer-roi but has been changed since; it is left as it is. Remove it, or "
            "choose another name or folder"
        )
    return None


def _read_manifest(path: Path) -> dict[str, list[int]] | None:
    """A manifest's entries (file name -> [size, mtime_ns]), or None when the file is not influencer-roi's."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        if record.get("written_by") != "influencer-roi":
            return None
        return {str(k): [int(v[0]), int(v[1])] for k, v in record["files"].items()}
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None


def _written(folder: Path) -> dict[str, list[int]]:
    """The files influencer-roi wrote in `folder`, by its manifest ({} when there is none)."""
    if os.path.islink(folder / MANIFEST):
        return {}
    return _read_manifest(folder / MANIFEST) or {}


def _manifest_after(folder: Path, targets: list[Path], staged: dict[Path, Path]) -> dict:
    """The folder's manifest once the staged files are in place (a rename keeps size and mtime), keeping the
    entries of earlier runs whose files are still there unchanged."""
    files = {}
    for name, state in _written(folder).items():
        try:
            stat = (folder / name).stat()
        except OSError:
            continue
        if [stat.st_size, stat.st_mtime_ns] == state:
            files[name] = state
    by_target = {t: s for s, t in staged.items()}
    for target in targets:
        stat = by_target[target].stat()
        files[target.name] = [stat.st_size, stat.st_mtime_ns]
    return {"written_by": "influencer-roi", "files": files}


class _Checked:
    """A binary stream that stops the write at the next chunk once Ctrl-C has been pressed."""

    def __init__(self, stream: BinaryIO, interrupted: Callable[[], int]) -> None:
        self._stream, self._interrupted = stream, interrupted

    def write(self, data) -> int:
        if self._interrupted():
            raise Interrupted(written=False, signum=self._interrupted())
        return self._stream.write(data)

    def __getattr__(self, name):
        return getattr(self._stream, name)


def _stage(target: Path, content: Content, interrupted: Callable[[], int], staged: dict[Path, Path]) -> None:
    """Write `content` to a new hidden file beside `target` (mode 0o666 less the umask), recorded in `staged`
    (temporary -> target) before the file exists, so that an undo never misses it."""
    while True:
        temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}{PARTIAL}")
        staged[temporary] = target
        try:
            handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
            break
        except FileExistsError:
            del staged[temporary]
    with os.fdopen(handle, "wb") as raw:
        stream = cast(BinaryIO, _Checked(raw, interrupted))  # a BinaryIO in all but name (__getattr__)
        if callable(content):
            content(stream)
        else:
            data = content.encode("utf-8") if isinstance(content, str) else content
            for start in range(0, max(len(data), 1), 1 << 22):
                stream.write(data[start : start + (1 << 22)])


def _undo(staged: dict[Path, Path], committed: list[Path], existed: set[Path], created: list[Path]) -> None:
    """Remove staged files, outputs already renamed into place that did not exist before, and folders created."""
    for temporary in staged:
        try:
            os.unlink(temporary)
        except OSError:
            pass
    for target in committed:
        if target not in existed:
            try:
                os.unlink(target)
            except OSError:
                pass
    for folder in reversed(created):
        try:
            os.rmdir(folder)
        except OSError:
            pass


_REASONS = {
    errno.ENOSPC: "the disk is full (no space left on the device)",
    errno.EDQUOT: "the disk quota is exceeded",
    errno.EROFS: "the folder is on a read-only filesystem",
    errno.EACCES: "permission denied",
    errno.EPERM: "the operation is not permitted",
    errno.ENAMETOOLONG: "the file name is too long",
    errno.EXDEV: "the file would have to move across filesystems",
    errno.EIO: "an input/output error of the device",
}


def _explain(err: OSError, options_of: Mapping[Path, str]) -> str:
    """An OSError while writing, as one sentence: what, where, and that nothing was written."""
    where = Path(err.filename or next(iter(options_of), "."))
    option = next((o for t, o in options_of.items() if t.parent in (where.parent, where)), "--out")
    reason = _REASONS.get(err.errno or 0, err.strerror or str(err))
    return f"{option}: cannot write in {_shown(Path(where).parent)}: {reason}; nothing was written"


@contextmanager
def _interrupts_deferred() -> Iterator[Callable[[], int]]:
    """While files are staged, renamed and cleaned up, Ctrl-C sets a flag instead of raising at an arbitrary
    point (which could leave a staged file, or half the outputs renamed). publish() checks the flag between
    chunks of every write and before renaming, so an interrupt still stops the run within moments. Only the main
    thread receives signals; elsewhere this does nothing."""
    pressed: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield lambda: 0
        return
    # a signal ignored (Ctrl-C for a background job) stays ignored: nothing to defer
    deferred = {s: signal.getsignal(s) for s in STOPPING if signal.getsignal(s) is not signal.SIG_IGN}
    for signum in deferred:
        signal.signal(signum, lambda signum, frame: pressed.append(signum))
    try:
        yield lambda: pressed[0] if pressed else 0  # the first signal received, 0 for none
    finally:
        for signum, previous in deferred.items():
            default = signal.default_int_handler if signum == signal.SIGINT else signal.SIG_DFL
            signal.signal(signum, previous if previous is not None else default)
