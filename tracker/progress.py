"""A one-line progress report on stderr, for the CLI's long commands.

Separate from cli.py to keep that file to options and calls; it never loads
anything heavy, so importing it costs nothing at start-up.
"""

from __future__ import annotations

import os
import sys


class Progress:
    """A one-line progress report on stderr, for work that takes more than a second.

    Silent in pipes and CI (stderr is not a terminal), so output stays clean
    for scripts.  TRACKER_PROGRESS_AFTER sets the delay in seconds (tests use 0).
    """

    def __init__(self, label: str, unit: str = "") -> None:
        import time

        self.clock = time.monotonic
        self.label, self.unit = label, unit
        self.start = self.last = self.clock()
        self.after = float(os.environ.get("TRACKER_PROGRESS_AFTER", "1"))
        self.enabled = sys.stderr.isatty()
        self.shown = False

    def __call__(self, done: int, total: int = 0) -> None:
        now = self.clock()
        if not self.enabled or now - self.start < self.after or now - self.last < 0.1:
            return
        self.last, self.shown = now, True
        share = f" {done / total:4.0%}" if total else ""
        amount = self._amount(done) + (f" of {self._amount(total)}" if total else "")
        sys.stderr.write(f"\r{self.label}{share} ({amount})\033[K")
        sys.stderr.flush()

    def _amount(self, n: int) -> str:
        return f"{n / 2**20:.1f} MiB" if self.unit == "bytes" else f"{n:,} {self.unit}".rstrip()

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()
