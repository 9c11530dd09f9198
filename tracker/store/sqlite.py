"""The SQLite side of the store: connecting, creating, upgrading, transactions.

Everything particular to SQLite lives here: PRAGMAs, WAL, the busy timeout,
the build-aside mode of a new file, the online backup.  The jobs of the store
(:mod:`~tracker.store.names`, :mod:`~tracker.store.writes`,
:mod:`~tracker.store.reads`) only need ``conn.execute`` with ``?`` parameters,
:meth:`Store.transaction` and :meth:`Store.snapshot`; another backend gives
those and reuses them (see docs/design.md).

Every write runs inside ``BEGIN IMMEDIATE ... COMMIT`` so a command either
lands whole or not at all, and concurrent writers queue on SQLite's lock
(WAL mode, busy timeout) instead of failing.  Reads that take several queries
run in one read transaction, so they see one snapshot.

The hot paths use the standard library's sqlite3 directly: sqlite-utils
imports pandas at start-up and caps a statement at 999 parameters, which
costs a factor of 3-7 on bulk loads (issue 5).  It serves the cold path,
:func:`tracker.schema.check`.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tracker import dberrors, schema
from tracker.errors import TrackerError
from tracker.model import Observation
from tracker.store.names import Names
from tracker.store.reads import Reads
from tracker.store.state import States
from tracker.store.writes import Writes
from tracker.suppliers import KNOWN

BUSY_TIMEOUT_MS = 30_000
CACHE_KIB = 8 * 1024  # page cache; with the reader process, a bulk import stays under 100 MiB


def file_name(path: str) -> str:
    """A path SQLite takes as a file name: one starting 'file:' it would read as a URI
    (and Path('./file:x.db') prints as 'file:x.db')."""
    return "./" + path if path.startswith("file:") else path


def connect(path: str, uri: bool = False) -> sqlite3.Connection:
    if not uri:
        path = file_name(path)
    conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000, uri=uri)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    return conn


class Store(Names, States, Writes, Reads):
    """An open tracker database (SQLite)."""

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        self.conn = conn
        self.path = path
        self._deferred_index: str | None = None  # see unpublished()
        Names.__init__(self)
        States.__init__(self)

    # --- opening ----------------------------------------------------------
    @classmethod
    def open(
        cls, path: str | Path, seed: Callable[[], Iterable[Observation]] | None = None
    ) -> Store:
        """Open (creating if needed) the database at `path`.

        `seed()` is called and loaded only by the transaction that creates the
        schema, so a default database is never seen empty, and processes racing
        to create it produce one schema and one copy of the seed.
        """
        path = str(path)
        if path != ":memory:":
            try:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise TrackerError(f"{path}: cannot create its folder: {e.strerror}") from None
        conn = None
        try:
            conn = connect(path)
            version = schema.version_of(conn)
        except sqlite3.DatabaseError as e:
            if conn is not None:
                conn.close()
            # a read-only file, folder or mount: open for reading (or say why not)
            conn = dberrors.open_read_only(path, e, lambda uri: connect(uri, uri=True))
            version = schema.version_of(conn)
        store = cls(conn, path)
        try:
            store._bring_up(version, seed)
        except BaseException:
            conn.close()
            raise
        return store

    def _bring_up(
        self, version: int | None, seed: Callable[[], Iterable[Observation]] | None
    ) -> None:
        """A database at `version` (None: no schema yet) made ready for this tracker:
        created, upgraded, or refused when a newer tracker wrote it (any backend)."""
        if version is None:
            self._create(seed)
        elif version > schema.latest():
            raise TrackerError(
                f"{self.path}: schema version {version} is newer than this tracker "
                f"understands ({schema.latest()}); upgrade tracker"
            )
        elif version < schema.latest():
            self._upgrade(version)

    def _upgrade(self, version: int) -> None:
        """Run the migrations in one transaction, the way SQLite documents for rebuilding
        tables: foreign keys off (dropping a table would otherwise look up, for each of
        its rows, every row that refers to it), then checked as a whole before commit.
        """
        self.conn.execute("PRAGMA foreign_keys = OFF")
        try:
            with self.transaction():
                before = schema.version_of(self.conn) or version
                schema.upgrade(self.conn, before)
                if before < schema.STATE_VERSION:
                    self.rebuild_all()
                broken = self.conn.execute("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise TrackerError(
                        f"{self.path}: the schema upgrade would leave {len(broken)} broken "
                        "references; nothing was changed"
                    )
        finally:
            self.conn.execute("PRAGMA foreign_keys = ON")

    def _create(self, seed: Callable[[], Iterable[Observation]] | None) -> None:
        with self.transaction():
            if schema.version_of(self.conn) is not None:
                return  # another process created it while we waited for the lock
            if self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                raise TrackerError(
                    f"{self.path}: is an SQLite database, but not a tracker database"
                )
            schema.create(self.conn)
            for s in KNOWN:
                self._add_supplier(s.name, s.name_zh, s.country, s.aliases)
            if seed is not None:
                self._insert(seed())
        if self.path != ":memory:":
            self._use_wal()

    def _use_wal(self) -> None:
        """Switch to WAL (once per file), waiting for other openers instead of failing.

        Changing the journal mode needs the file to itself, and SQLite answers
        "database is locked" at once rather than through the busy timeout when
        another process is opening it too; so this retries for as long.
        """
        import time

        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                self.conn.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as e:
                if "locked" not in str(e) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def close(self) -> None:
        self.conn.close()

    # --- transactions -------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE ... COMMIT; ROLLBACK on any exception (all or nothing)."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            self._make_deferred_index()  # see unpublished()
            self._before_commit()  # the summaries of the series this transaction touched
            self.conn.execute("COMMIT")
        except BaseException:
            self._forget_ids()  # ids handed out inside the transaction are gone with it
            self._after_rollback()
            if self.conn.in_transaction:  # SQLite may have rolled back already (I/O error)
                self.conn.execute("ROLLBACK")
            raise

    @contextmanager
    def bulk_transaction(self) -> Iterator[None]:
        """A transaction for tracker.bulk: foreign keys go unchecked row by row.

        Every id a bulk import writes was looked up or created inside this same
        transaction by :meth:`resolve_ids`, so the per-row lookups SQLite would
        make (two per row, a third of the insert's cost) cannot fail; they are
        switched off for the transaction (it can only be done outside one) and
        back on after.
        """
        self.conn.execute("PRAGMA foreign_keys = OFF")
        try:
            with self.transaction():
                yield
        finally:
            self.conn.execute("PRAGMA foreign_keys = ON")

    @contextmanager
    def unpublished(self) -> Iterator[None]:
        """For a database no other process can see yet (built aside, linked into place after).

        While it is filled: a rollback journal in memory and no fsync per commit,
        so every page is written once instead of twice (WAL, then checkpoint);
        a crash can only lose a file nobody uses.  After: WAL like every tracker
        database, and one fsync before the caller publishes it.
        """
        self.conn.execute("PRAGMA journal_mode = MEMORY")
        self.conn.execute("PRAGMA synchronous = OFF")
        # observations_trend (series_id, period_start) is made again once the rows are in,
        # before the summaries that read it: one sort of its entries instead of each row's
        # entry put into its series' part of it (a feed brings every series every week)
        (self._deferred_index,) = self.conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'observations_trend'"
        ).fetchone()
        self.conn.execute("DROP INDEX observations_trend")
        yield
        self._make_deferred_index()  # no transaction committed (nothing to import)
        self.conn.execute("PRAGMA synchronous = FULL")
        self.conn.execute("PRAGMA journal_mode = WAL")
        fd = os.open(self.path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def _make_deferred_index(self) -> None:
        if self._deferred_index is not None:
            self.conn.execute(self._deferred_index)
            self._deferred_index = None

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """One read snapshot: a report during an import sees it before or after, never between."""
        if self.conn.in_transaction:
            yield
            return
        self.conn.execute("BEGIN")
        try:
            yield
        finally:
            self.conn.execute("COMMIT")


def backup(conn: sqlite3.Connection, target: str | Path) -> None:
    """A consistent copy through SQLite's online backup API, safe while others write.

    The copy is taken in one step (pages=-1), so it is one snapshot.  `target`
    is written as it is: the caller makes it a temp file published only when
    this succeeded (tracker.output.output_path).
    """
    dest = sqlite3.connect(file_name(str(target)))
    try:
        conn.backup(dest, pages=-1)
        dest.execute("PRAGMA journal_mode = DELETE")  # a single self-contained file
    finally:
        dest.close()
