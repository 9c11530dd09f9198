"""Writing the user's files: one way for every output (export, report, briefing, charts,
workbooks, backups), so that every one keeps the same promises (CONTRACT section 6):

- A file lands at the path named (``--out``) or inside the folder named (``--out-dir``),
  never through a symbolic link: a link at the final name, or an out-dir that is a link,
  is refused.  A link is followed only to a pipe or a character device, and
  ``/dev/stdout``, ``/dev/stderr`` and ``/dev/fd/N`` (what ``--out >(cmd)`` passes)
  name a descriptor this process already has open, which is written to directly.
- A regular file is written atomically: into a temp file beside it, flushed to disk
  (fsync), then renamed over the name.  Readers never see half a file and a failure
  (a full disk, Ctrl-C, SIGTERM) leaves the file that was there as it was.  A new file
  gets the mode the user's umask gives; a replaced file keeps its mode (and, where
  permitted, its owner and group).  A replaced file is a new file: other hard links to
  the old one keep the old content, as with any atomic save (writing in place would
  give up atomicity, and would write through the link into a file elsewhere).
- A FIFO or a character device named by ``--out`` is written directly (so ``/dev/full``
  gives a disk-full error); ``-`` is stdout.  In an out-dir only regular files are written.
- The database is never an output: a path that is the database file (or its journal),
  under any name, is refused.
- Temp files are named ``.NAME.tracker-PID-XXXXXXXX.tmp``.  They are removed when the
  write fails or is interrupted (the CLI turns SIGTERM into an exception, as Ctrl-C is);
  one left by a process that was killed outright (SIGKILL, a power cut) is removed by
  the next write into that folder that finds its process gone.

Errors are raised as :class:`OutputError` naming the user's path, never the temp file.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import re
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from tracker.errors import TrackerError
from tracker.tempfiles import sweep, temp_name

DATABASE_FILES = ("", "-wal", "-shm", "-journal")  # a SQLite database and its companions

# errors a write can meet (from the writer's own calls too): they name the output
_WRITE_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EROFS}
_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EFBIG: "the file is too big for its file system",
    errno.EIO: "input/output error",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "not permitted",
    errno.ENOENT: "no such file or folder",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.ELOOP: "is a symbolic link",
    errno.ENXIO: "no process is reading that pipe or device",
}
_OWN_FD = re.compile(r"^/(?:dev/fd|proc/self/fd)/(\d+)$")
_STD_FDS = {"/dev/stdout": 1, "/dev/stderr": 2}


class OutputError(TrackerError):
    """An output could not be written, or may not be written where it was asked to be."""


def reason(e: OSError) -> str:
    """An OS error in words, without its errno number or file name."""
    return _REASONS.get(e.errno or 0) or (e.strerror or str(e)).lower()


# --- where an output goes ----------------------------------------------------------------


def prepare_folder(folder: str | os.PathLike[str]) -> Path:
    """Create `folder` (and its parents) for outputs; refuse one that is a symbolic link
    or not a folder.  Files are then written with :func:`open_output` (``in_folder``)."""
    path = Path(folder)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        try:
            path.mkdir(parents=True, exist_ok=True)
            st = os.lstat(path)
        except OSError as e:
            raise OutputError(f"{path}: cannot create the folder: {reason(e)}") from None
    except OSError as e:
        raise OutputError(f"{path}: {reason(e)}") from None
    if stat.S_ISLNK(st.st_mode):
        raise OutputError(
            f"{path}: is a symbolic link; outputs go only into a real folder "
            "(name the folder it points to)"
        )
    if not stat.S_ISDIR(st.st_mode):
        raise OutputError(f"{path}: exists and is not a folder")
    return path


def _own_descriptor(target: str) -> int | None:
    """The descriptor /dev/stdout, /dev/stderr or /dev/fd/N names, if `target` is one."""
    if target in _STD_FDS:
        return _STD_FDS[target]
    m = _OWN_FD.match(target)
    return int(m[1]) if m else None


def _same_file(st: os.stat_result, database: str | os.PathLike[str] | None) -> bool:
    if database is None or str(database) in ("", ":memory:"):
        return False
    for suffix in DATABASE_FILES:
        try:
            other = os.stat(f"{os.fspath(database)}{suffix}")
        except OSError:
            continue
        if (other.st_dev, other.st_ino) == (st.st_dev, st.st_ino):
            return True
    return False


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket"), (stat.S_ISFIFO, "a pipe"),
                       (stat.S_ISCHR, "a character device")):  # fmt: skip
        if test(mode):
            return name
    return "not a regular file"


class _Target:
    """An output path, checked: its folder open (so it cannot be swapped for a link while
    the file is made), and what is at the name now."""

    def __init__(self, target: str | os.PathLike[str], database: Any, in_folder: bool) -> None:
        self.shown = os.fspath(target)
        path = Path(self.shown)
        self.name = path.name
        self.parent = path.parent
        if self.name in ("", ".", ".."):
            raise OutputError(f"{self.shown}: is a folder; name a file")
        flags = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC | (os.O_NOFOLLOW if in_folder else 0)
        try:
            self.dir_fd = os.open(self.parent, flags)
        except FileNotFoundError:
            raise OutputError(f"{self.shown}: folder {self.parent} does not exist") from None
        except OSError as e:
            if e.errno in (errno.ELOOP, errno.ENOTDIR) and os.path.islink(self.parent):
                raise OutputError(f"{self.parent}: is a symbolic link; outputs go only into a "
                                  "real folder") from None  # fmt: skip
            raise OutputError(f"{self.shown}: folder {self.parent}: {reason(e)}") from None
        try:
            self.st = self._lstat()
            self.direct = False  # written in place: a pipe or a character device
            st = self.st
            if st is not None and stat.S_ISLNK(st.st_mode):
                st = self._through_link(in_folder)
            if st is not None and _same_file(st, database):
                raise OutputError(f"{self.shown}: is the database; choose another file")
            if st is not None and not stat.S_ISREG(st.st_mode):
                if in_folder or not (stat.S_ISFIFO(st.st_mode) or stat.S_ISCHR(st.st_mode)):
                    raise OutputError(f"{self.shown}: is {_kind(st.st_mode)}; not written")
                self.direct = True
        except BaseException:
            os.close(self.dir_fd)
            raise

    def _lstat(self) -> os.stat_result | None:
        try:
            return os.stat(self.name, dir_fd=self.dir_fd, follow_symlinks=False)
        except FileNotFoundError:
            return None
        except OSError as e:
            raise OutputError(f"{self.shown}: {reason(e)}") from None

    def _through_link(self, in_folder: bool) -> os.stat_result:
        """What a link at the name points to, when it may be written: a pipe or a device."""
        refused = OutputError(
            f"{self.shown}: is a symbolic link; the tracker does not write through links "
            "(remove it, or name the file it points to)"
        )
        if in_folder:
            raise refused
        try:
            st = os.stat(self.name, dir_fd=self.dir_fd)
        except OSError:
            raise refused from None  # dangling
        if not (stat.S_ISFIFO(st.st_mode) or stat.S_ISCHR(st.st_mode)):
            raise refused
        return st

    def close(self) -> None:
        os.close(self.dir_fd)

    def failed(self, e: OSError, made: bool = True) -> OutputError:
        what = "the file there is as it was" if self.st is not None else "nothing was written"
        if self.direct or not made:
            return OutputError(f"{self.shown}: {reason(e)}")
        return OutputError(f"{self.shown}: {reason(e)}; {what}")


def _wrap(raw: IO[bytes], text: bool, encoding: str, newline: str | None) -> IO[Any]:
    if not text:
        return raw
    return io.TextIOWrapper(raw, encoding=encoding, newline=newline)


@contextlib.contextmanager
def open_output(
    target: str | os.PathLike[str],
    *,
    text: bool = False,
    encoding: str = "utf-8",
    newline: str | None = "",
    database: str | os.PathLike[str] | None = None,
    in_folder: bool = False,
    buffering: int = 1 << 16,
) -> Iterator[IO[Any]]:
    """An open file for the output at `target` (see the module's rules); binary unless
    `text`.  The block writes into it; leaving the block normally publishes the file,
    leaving it by an exception (Ctrl-C included) leaves the name as it was.

    `database` is the database's path, which is never written; `in_folder` marks a file
    inside an ``--out-dir`` (prepared by :func:`prepare_folder`): only a regular file may
    be there, and the folder may not have become a link meanwhile.
    """
    shown = os.fspath(target)
    if shown == "-":
        with _stdout(text, encoding, newline) as f:
            yield f
        return
    own = _own_descriptor(shown)
    if own is not None:
        try:
            fd = os.dup(own)
        except OSError:
            raise OutputError(f"{shown}: descriptor {own} is not open") from None
        with _direct(fd, shown, text, encoding, newline, buffering) as f:
            yield f
        return
    t = _Target(target, database, in_folder)
    try:
        if t.direct:
            try:
                fd = os.open(t.name, os.O_WRONLY | os.O_CLOEXEC, dir_fd=t.dir_fd)
            except OSError as e:
                raise t.failed(e, made=False) from None
            with _direct(fd, shown, text, encoding, newline, buffering) as f:
                yield f
        else:
            with _atomic(t, text, encoding, newline, buffering) as f:
                yield f
    finally:
        t.close()


@contextlib.contextmanager
def _stdout(text: bool, encoding: str, newline: str | None) -> Iterator[IO[Any]]:
    sys.stdout.flush()
    raw = sys.stdout.buffer
    if not text:
        yield raw
        raw.flush()
        return
    f = io.TextIOWrapper(raw, encoding=encoding, newline=newline, write_through=True)
    try:
        yield f
    finally:
        with contextlib.suppress(ValueError):
            f.flush()
        f.detach()


@contextlib.contextmanager
def _direct(
    fd: int, shown: str, text: bool, encoding: str, newline: str | None, buffering: int
) -> Iterator[IO[Any]]:
    """Write to an open descriptor (a pipe, a device, our own stdout) as it is."""
    raw = os.fdopen(fd, "wb", buffering=buffering)
    f = _wrap(raw, text, encoding, newline)
    try:
        try:
            yield f
            f.flush()
        except BrokenPipeError:
            raise  # the reader left: the CLI says nothing, as for stdout
        except OSError as e:
            if e.filename is None:  # ours, not a file the writer read
                raise OutputError(f"{shown}: {reason(e)}") from None
            raise
    finally:
        with contextlib.suppress(OSError, ValueError):
            f.close()


@contextlib.contextmanager
def _atomic(
    t: _Target, text: bool, encoding: str, newline: str | None, buffering: int
) -> Iterator[IO[Any]]:
    """A temp file beside the target, renamed over it when the block succeeds."""
    sweep(t.dir_fd)
    tmp = temp_name(t.name)
    published = False
    try:  # made inside the try: a signal right after it is made still removes it
        try:
            # 0o666 less the umask, as any new file gets
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                         0o666, dir_fd=t.dir_fd)  # fmt: skip
        except OSError as e:
            raise OutputError(f"{t.shown}: cannot write in folder {t.parent}: "
                              f"{reason(e)}") from None  # fmt: skip
        if t.st is not None:
            _keep_mode(fd, t.st)
        raw = os.fdopen(fd, "wb", buffering=buffering)
        f = _wrap(raw, text, encoding, newline)
        try:
            yield f
            f.flush()
            os.fsync(raw.fileno())
        except BaseException:
            with contextlib.suppress(Exception):
                f.close()
            raise
        f.close()
        os.replace(tmp, t.name, src_dir_fd=t.dir_fd, dst_dir_fd=t.dir_fd)
        published = True
        with contextlib.suppress(OSError):
            os.fsync(t.dir_fd)  # the rename itself survives a crash
    except OSError as e:
        if e.filename is not None and e.errno not in _WRITE_ERRORS:
            raise  # a file the writer was reading, not this output
        raise t.failed(e) from None
    finally:
        if not published:
            with contextlib.suppress(OSError):
                os.unlink(tmp, dir_fd=t.dir_fd)


def _keep_mode(fd: int, st: os.stat_result) -> None:
    """Give a replacement the permissions (and, where allowed, owner and group) of the file
    it replaces; set-id bits are not carried over."""
    os.fchmod(fd, stat.S_IMODE(st.st_mode) & 0o777)
    if (st.st_uid, st.st_gid) != (os.geteuid(), os.getegid()):
        with contextlib.suppress(OSError):
            os.fchown(fd, st.st_uid if os.geteuid() == 0 else -1, st.st_gid)


def write_bytes(target: str | os.PathLike[str], data: bytes, **kw: Any) -> None:
    """`data` as the whole output at `target` (see :func:`open_output`)."""
    with open_output(target, **kw) as f:
        f.write(data)


def write_text(target: str | os.PathLike[str], text: str, **kw: Any) -> None:
    """`text` as UTF-8, line endings as they are (see :func:`open_output`)."""
    with open_output(target, text=True, **kw) as f:
        f.write(text)


@contextlib.contextmanager
def output_path(
    target: str | os.PathLike[str], *, database: str | os.PathLike[str] | None = None
) -> Iterator[Path]:
    """For a writer that needs a path rather than a file (SQLite writing a backup): a new
    empty temp file beside `target`, published under `target` when the block succeeds.

    `target` must not exist; it is never replaced, even by a file that appears while the
    block runs (the temp is hard-linked into place).  The temp's SQLite companions
    (-journal, -wal, -shm) are removed with it.
    """
    t = _Target(target, database, in_folder=False)
    try:
        if t.st is not None:
            raise OutputError(f"{t.shown}: already exists; choose a new name")
        sweep(t.dir_fd)
        tmp = temp_name(t.name)
        try:  # made inside the try: a signal right after it is made still removes it
            try:
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
                             | os.O_CLOEXEC, 0o666, dir_fd=t.dir_fd)  # fmt: skip
            except OSError as e:
                raise OutputError(f"{t.shown}: cannot write in folder {t.parent}: "
                                  f"{reason(e)}") from None  # fmt: skip
            os.close(fd)
            yield t.parent / tmp
            _fsync_file(tmp, t.dir_fd)
            _publish_new(t, tmp)
            with contextlib.suppress(OSError):
                os.fsync(t.dir_fd)
        except OSError as e:
            if e.filename is not None and e.errno not in _WRITE_ERRORS:
                raise
            raise t.failed(e) from None
        finally:
            for suffix in DATABASE_FILES:
                with contextlib.suppress(OSError):
                    os.unlink(tmp + suffix, dir_fd=t.dir_fd)
    finally:
        t.close()


def _fsync_file(name: str, dir_fd: int) -> None:
    fd = os.open(name, os.O_RDONLY | os.O_CLOEXEC, dir_fd=dir_fd)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _publish_new(t: _Target, tmp: str) -> None:
    """Link `tmp` to the target's name, failing if the name has been taken meanwhile."""
    try:
        os.link(tmp, t.name, src_dir_fd=t.dir_fd, dst_dir_fd=t.dir_fd, follow_symlinks=False)
    except FileExistsError:
        raise OutputError(f"{t.shown}: already exists; choose a new name") from None
    except OSError as e:
        if e.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOSYS):
            raise
        # no hard links here (some network and FAT file systems): rename if still free
        if t._lstat() is not None:
            raise OutputError(f"{t.shown}: already exists; choose a new name") from None
        os.rename(tmp, t.name, src_dir_fd=t.dir_fd, dst_dir_fd=t.dir_fd)
