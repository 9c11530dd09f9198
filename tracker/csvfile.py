"""Reading a CSV file as rows with line numbers, streamed, with honest file-level errors.

The file is never held in memory: bytes are decoded as they are read, and a
problem found half way (a byte that is not UTF-8, a NUL, a broken quote) is
reported with the line it is on.  Only then, on the error path, is the file
read again to guess its real encoding for the message.
"""

from __future__ import annotations

import codecs
import csv
import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, cast

from tracker.errors import Problem, shown

csv.field_size_limit(16 * 1024 * 1024)  # a long quote is fine; a 16 MB cell is not

_PROBE = 64 * 1024  # bytes looked at before reading: BOMs, UTF-16, binary files


class FileError(Exception):
    """A problem that ends the reading of a file (carried out of the row iterator)."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem


class RowSource:
    """An open CSV file: a name for messages, decoded lines, and progress in bytes.

    Attributes:
        name: the file name as given (``<stdin>`` for ``-``).
        size: its size in bytes, 0 when unknown (a pipe).
    """

    def __init__(self, name: str, raw: IO[bytes], encoding: str, explicit: bool, size: int) -> None:
        self.name = name
        self.size = size
        self._raw = raw
        self._encoding = encoding
        self._explicit = explicit
        self._text = io.TextIOWrapper(raw, encoding=encoding, errors="strict", newline="")
        self._closed = False

    def position(self) -> int:
        """Bytes read so far (for a progress bar)."""
        try:
            return self._raw.tell()
        except OSError:
            return 0

    def lines(self) -> Iterator[str]:
        """Decoded lines; a NUL or an undecodable byte raises FileError with its line."""
        n = 0
        try:
            for line in self._text:
                n += 1
                if "\x00" in line:
                    raise FileError(nul_problem(self.name, n))
                yield line
        except UnicodeError as e:
            raise FileError(self.decode_problem(e, n + 1)) from None

    @property
    def text(self) -> IO[str]:
        """The decoded stream itself, for readers that check NULs and lines their own way."""
        return self._text

    def decode_problem(self, e: UnicodeError, at: int) -> Problem:
        """The problem for a decoding error met around line `at`, located exactly if possible."""
        if not isinstance(e, UnicodeDecodeError):  # a decoder's own complaint (UTF-16, no BOM)
            return at_line(self.name, at, f"cannot be read as {self._label()}: {e}")
        byte: int = e.object[e.start]
        if self.name != "<stdin>":  # the error path: read it again to say exactly where
            whole = Path(self.name).read_bytes()
            try:
                whole.decode(self._encoding)
            except UnicodeDecodeError as e2:
                at = whole[: e2.start].count(b"\n") + 1
                byte = whole[e2.start]
        reason = f"not valid {self._label()} (byte 0x{byte:02x}); {self._hint()}"
        return at_line(self.name, at, reason)

    def close(self) -> None:
        """Close the file (stdin is only let go of: it belongs to the process). Idempotent."""
        if self._closed:
            return
        self._closed = True
        if self.name == "<stdin>":
            self._text.detach()
        else:
            self._text.close()

    def _label(self) -> str:
        return self._encoding.replace("-sig", "")

    def _hint(self) -> str:
        if self._explicit or self.name == "<stdin>":
            return "name its encoding with --encoding"
        return guess_encoding(Path(self.name).read_bytes())


def at_line(name: str, line: int, reason: str) -> Problem:
    """A problem with the file as a whole, found at a line: ``FILE: line N: reason``.

    Row-level problems read ``FILE:LINE: column: reason``; these have no
    column, so they take the contract's file-level form and keep the line.
    """
    return Problem(name, None, None, f"line {max(line, 1)}: {reason}")


def nul_problem(name: str, line: int) -> Problem:
    return at_line(name, line, "contains NUL bytes (a binary file?)")


def csv_problem(name: str, line: int, e: csv.Error) -> Problem:
    """A CSV syntax error, reported at the line where its record starts."""
    hint = " (a quote that is never closed?)" if "end of data" in str(e) else ""
    return at_line(name, line, f"malformed CSV: {e}{hint}")


def open_source(path: str, encoding: str | None = None) -> tuple[RowSource | None, Problem | None]:
    """Open a file (or ``-`` for stdin) for reading rows, or say why it cannot be read."""
    enc = encoding or "utf-8-sig"
    if encoding and encoding.lower().replace("_", "-") in ("utf-8", "utf8"):
        enc = "utf-8-sig"  # a BOM is always accepted
    try:
        info = codecs.lookup(enc)
    except LookupError:
        return None, Problem(path, None, None, f"unknown encoding {shown(encoding)}")
    if not getattr(info, "_is_text_encoding", True):  # hex, rot13, base64, zip...
        return None, Problem(path, None, None, f"{shown(encoding)} is not a text encoding")
    if path == "-":
        raw = cast(IO[bytes], io.BufferedReader(cast(Any, sys.stdin.buffer), _PROBE))
        name, size = "<stdin>", 0
    else:
        name = path
        try:
            raw = open(path, "rb", buffering=_PROBE)  # noqa: SIM115 - closed by RowSource.close
            size = Path(path).stat().st_size
        except OSError as e:
            return None, Problem(path, None, None, f"cannot read: {e.strerror or e}")
    head = raw.peek(_PROBE)[:_PROBE]  # type: ignore[attr-defined]
    problem = _check_head(name, head, encoding is not None)
    if problem:
        raw.close()
        return None, problem
    return RowSource(name, raw, enc, encoding is not None, size), None


def _check_head(name: str, head: bytes, explicit: bool) -> Problem | None:
    if not head:
        return Problem(name, None, None, "file is empty (0 bytes; expected a header row)")
    if explicit:
        return None
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return Problem(
            name,
            None,
            None,
            "file is UTF-16, not UTF-8; save it as 'CSV UTF-8' or use --encoding utf-16",
        )
    if b"\x00" in head:
        line = head[: head.index(b"\x00")].count(b"\n") + 1
        if head.count(b"\x00") * 4 >= len(head):  # every other byte NUL: UTF-16 text
            enc16 = "utf-16-be" if head[0::2].count(0) > head[1::2].count(0) else "utf-16-le"
            return at_line(name, line, "contains NUL bytes: it looks like UTF-16 without a "
                           f"BOM; save it as 'CSV UTF-8' or use --encoding {enc16}")  # fmt: skip
        return at_line(name, line, "contains NUL bytes (a binary file?)")
    return None


def guess_encoding(raw: bytes) -> str:
    """A hint naming the encoding the bytes probably are in."""
    for enc, who in (
        ("gb18030", "Chinese Excel saves GB18030"),
        ("big5", "Big5"),
        ("shift_jis", "Shift-JIS"),
    ):
        try:
            raw.decode(enc)
        except UnicodeDecodeError:
            continue
        return f"it looks like {enc} ({who}): try --encoding {enc}"
    return "name its encoding with --encoding (for example gb18030 or cp1252)"


def records(src: RowSource) -> Iterator[tuple[int, list[str]]]:
    """(line where the record starts, fields) for every record, header first.

    Blank lines are skipped; a CSV syntax error raises FileError with its line.
    """
    reader = csv.reader(src.lines(), strict=True)
    prev_end = 0
    while True:
        start = prev_end + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            raise FileError(csv_problem(src.name, start, e)) from None
        prev_end = reader.line_num
        if len(fields) <= 1 and not "".join(fields).strip().lstrip("\ufeff"):
            continue  # a blank line
        yield start, fields
