"""Messages between the tracker and a process it forked, for work split over two cores.

Why marshal: the messages are lists and tuples of numbers and strings, which
marshal writes and reads faster than pickle (0.15 s a million rows each way)
and cannot turn into code.  A message is its length (8 bytes) then its bytes.
"""

from __future__ import annotations

import contextlib
import gc
import marshal
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, BinaryIO


def send(f: BinaryIO, message: Any) -> None:
    data = marshal.dumps(message)
    f.write(len(data).to_bytes(8, "little"))
    f.write(data)
    f.flush()


def receive(f: BinaryIO) -> Any:
    """The next message; EOFError when the other side has gone."""
    head = f.read(8)
    if len(head) < 8:
        raise EOFError
    size = int.from_bytes(head, "little")
    data = f.read(size)
    if len(data) < size:
        raise EOFError
    return marshal.loads(data)


def can_fork() -> bool:
    """Whether work may be split into a forked process (TRACKER_FORK=0 says no)."""
    return hasattr(os, "fork") and os.environ.get("TRACKER_FORK") != "0"


def fork() -> int:
    """os.fork, with this process's buffered output written first (or both would).

    The child ignores Ctrl-C: the parent handles it and ends the child (a
    traceback from a helper the user never started would only confuse).
    """
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    pid = os.fork()
    if pid == 0:
        # only the main thread may set a handler; forked from another, there is none
        with contextlib.suppress(ValueError):
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            # SIGTERM/SIGHUP: the CLI's handler cleans up the parent's files; a child has
            # none and simply ends (the parent sees its pipe close)
            for signum in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
                if signum is not None and signal.getsignal(signum) not in (signal.SIG_IGN,):
                    signal.signal(signum, signal.SIG_DFL)
    return pid


@contextmanager
def in_child(work: Callable[[], Any]) -> Iterator[Callable[[], Any]]:
    """Run `work()` in a forked process; the block gets a function that returns its
    result, or None when the child failed or no process could be forked (the caller
    then does that work itself).

    The child never returns into the caller's code: it sends its result and leaves
    by os._exit.  If the block raises (Ctrl-C included), the child is killed; the
    pipe is closed before waiting for it, so a child blocked writing a big result
    cannot hang the parent.
    """
    reader, writer = os.pipe()
    try:
        pid = fork()
    except OSError:  # no process to be had (a process limit): the caller works alone
        os.close(reader)
        os.close(writer)
        yield lambda: None
        return
    if pid == 0:
        code = 1
        try:
            os.close(reader)
            with os.fdopen(writer, "wb") as out:
                send(out, work())
            code = 0
        except BrokenPipeError:
            pass  # the parent stopped listening: it says why
        except BaseException as e:
            if not data_error(e):  # a damaged database, a disk error: the parent does
                child_failed()  # this work itself, meets it too and says it in one line
        finally:
            os._exit(code)
    os.close(writer)
    inp = os.fdopen(reader, "rb")
    got: list[Any] = []

    def result() -> Any:
        if not got:
            try:
                got.append(receive(inp))
            except EOFError:
                got.append(None)
        return got[0]

    failed = True
    try:
        yield result
        failed = False
    finally:
        inp.close()
        if failed:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


def data_error(e: BaseException) -> bool:
    """An error the data or the machine caused (SQLite, the OS, the tracker's own), not a bug."""
    from tracker.errors import TrackerError

    sqlite3 = sys.modules.get("sqlite3")
    return isinstance(e, (OSError, TrackerError)) or (
        sqlite3 is not None and isinstance(e, sqlite3.Error)
    )


def child_failed() -> None:
    """In a forked child: print the traceback of an unexpected error (a bug) to stderr."""
    try:
        import traceback

        with os.fdopen(os.dup(2), "w") as err:
            err.write(traceback.format_exc())
    except BaseException:
        pass


@contextmanager
def no_gc() -> Iterator[None]:
    """The cycle collector off while bulk work runs (an import, a split report).

    Every row makes a few lists and tuples, and each 700 of them set off a
    collection that walks every object alive, the remembered texts included:
    that cost more than reading the rows (1.1 s of 1.3 s for a million rows
    turned column-wise).  Rows, batches and caches hold no reference cycles,
    so nothing is left for the collector to find; it is switched back on after.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
