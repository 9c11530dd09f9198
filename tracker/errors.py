"""Library errors.  The library raises these; only the CLI turns them into exit codes."""

from __future__ import annotations

from typing import NamedTuple


def shown(text: object, limit: int = 40) -> str:
    """User text quoted for a message, cut short (a 10 MB cell must not become a 10 MB
    line), control and bidi characters shown escaped."""
    from tracker.terminal import visible

    t = str(text)
    if len(t) > limit:
        t = t[: limit - 1] + f"… ({len(str(text)):,} characters)"
    return f"'{visible(t)}'"


class TrackerError(Exception):
    """Base of every error the library raises on purpose (bad input, bad state)."""


class ParseError(TrackerError, ValueError):
    """A value, date or unit that does not parse; the message is the reason only."""


class Problem(NamedTuple):
    """One problem with one input row, reported as ``FILE:LINE: column: reason``.

    Attributes:
        file: the file name as the user gave it (or ``<stdin>``, ``<option>``).
        line: physical line where the record starts (header is 1); None for a
            problem with the whole file.
        column: the column the problem is in, or None.
        reason: what is wrong, phrased so the user can fix it.
    """

    file: str
    line: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.column:
            return f"{where}: {self.column}: {self.reason}"
        return f"{where}: {self.reason}"


class ValidationError(TrackerError):
    """Input was refused; ``problems`` lists every problem found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
