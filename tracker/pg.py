"""PostgreSQL connections: opening one, speaking the store's SQL on it, and retrying.

The store's statements are written once, in the SQL both engines share, with
SQLite's ``?`` placeholders; :func:`translate` rewrites the few spellings that
differ (placeholders, ``ifnull``, ``IS ?``, ``COLLATE NOCASE``, ``INSERT OR
IGNORE``) and :class:`Connection` gives a psycopg connection the small part of
sqlite3's interface the store uses (``execute``, ``executemany``,
``in_transaction``).  One definition of every query, so the
two backends cannot drift apart; what truly differs (creating the schema, bulk
loading, locking) lives in tracker.pgstore.

Credentials are libpq's business: the URL's password, PGPASSWORD, ~/.pgpass
(or PGPASSFILE), client certificates, ``sslmode`` and every other libpq
parameter in the URL's query pass through untouched.  Messages never show a
password (tracker.dburl.redact).
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Any, TypeVar

from tracker.dburl import redact, shown
from tracker.errors import TrackerError

T = TypeVar("T")

CONNECT_TIMEOUT_S = 10  # libpq waits forever by default on an unreachable host
APPLICATION_NAME = "tracker"


class ServerError(TrackerError):
    """A PostgreSQL error, explained for the user (no password in it)."""


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        raise TrackerError(
            "a postgresql:// database needs psycopg: pip install 'tracker[postgresql]'"
        ) from None
    return psycopg


def connect(url: str) -> Connection:
    """An open connection to `url` (autocommit: the store says BEGIN and COMMIT itself).

    libpq reads the password from the URL, PGPASSWORD or ~/.pgpass, in that order,
    and takes `sslmode`, `sslrootcert`, `options`... from the URL's query.
    """
    psycopg = _psycopg()
    kwargs: dict[str, Any] = {"autocommit": True}
    if "connect_timeout" not in url:
        kwargs["connect_timeout"] = CONNECT_TIMEOUT_S
    if "application_name" not in url:
        kwargs["application_name"] = APPLICATION_NAME
    try:
        raw = psycopg.connect(url, **kwargs)
    except psycopg.Error as e:
        line = _first_line(redact(str(e), url))
        raise ServerError(f"{shown(url)}: cannot connect: {line}{_hint(line)}") from None
    return Connection(raw, url)


def _hint(line: str) -> str:
    """What to do about the commonest refusals (libpq's words are precise but terse)."""
    if "database" in line and "does not exist" in line:
        return "; the tracker makes its tables but not the database: createdb it first"
    if "no password supplied" in line or "password authentication failed" in line:
        return "; give the password in the URL, PGPASSWORD or ~/.pgpass"
    return ""


def _first_line(text: str) -> str:
    """libpq's message without its 'connection failed:' prefixes and detail lines."""
    line = text.strip().splitlines()[0] if text.strip() else "unknown error"
    for prefix in ("connection failed: ", "connection is bad: "):
        line = line.removeprefix(prefix)
    return re.sub(r"FATAL:\s+", "", line)


# --- the SQL both engines share, made PostgreSQL's -----------------------------------------

_LITERAL = re.compile(r"('(?:[^']|'')*')")
_IS_NOT = re.compile(r"\bIS\s+NOT\s+(?!NULL\b|DISTINCT\b|TRUE\b|FALSE\b)", re.I)
_IS = re.compile(r"\bIS\s+(?!NOT\b|NULL\b|DISTINCT\b|TRUE\b|FALSE\b)", re.I)
_NOCASE = re.compile(r"([\w.]+)\s*=\s*(%s|[\w.]+)\s+COLLATE\s+NOCASE", re.I)
_CROSS_ON = re.compile(r"\bCROSS\s+JOIN(\s+\w+(?:\s+\w+)?\s+ON\b)", re.I)
# x IN (p.a, p.b): as = ANY (ARRAY[...]) an index can take it from the outer row
_IN_COLUMNS = re.compile(r"\bIN\s*\((\s*[A-Za-z_]\w*\.\w+(?:\s*,\s*[A-Za-z_]\w*\.\w+)+\s*)\)")
_INTO_OBSERVATIONS = re.compile(r"^\s*INSERT\s+INTO\s+observations\b", re.I)
_NOTHING = re.compile(r"\bON\s+CONFLICT\s+DO\s+NOTHING\b", re.I)
_OR_IGNORE = re.compile(r"^\s*INSERT\s+OR\s+IGNORE\s+INTO\b", re.I)


@lru_cache(maxsize=512)
def translate(sql: str, params: bool = True) -> str:
    """SQLite's spelling of a statement in PostgreSQL's (string literals left alone)."""
    parts = _LITERAL.split(sql)
    out = []
    for i, part in enumerate(parts):
        if i % 2:  # a literal: only psycopg's own % needs doubling
            out.append(part.replace("%", "%%") if params else part)
            continue
        if params:
            part = part.replace("%", "%%").replace("?", "%s")
        part = re.sub(r"\bifnull\(", "coalesce(", part, flags=re.I)
        part = re.sub(r"\binstr\(", "strpos(", part, flags=re.I)
        part = re.sub(r"\bAS\s+REAL\)", "AS double precision)", part, flags=re.I)
        part = _IS_NOT.sub("IS DISTINCT FROM ", part)
        part = _IS.sub("IS NOT DISTINCT FROM ", part)
        part = _NOCASE.sub(r"lower(\1) = lower(\2)", part)
        part = _CROSS_ON.sub(r"JOIN\1", part)  # SQLite's join-order hint; PostgreSQL plans
        part = _IN_COLUMNS.sub(r"= ANY (ARRAY[\1])", part)
        out.append(part)
    text = "".join(out)
    if _INTO_OBSERVATIONS.match(text):
        # only a duplicate observation is skipped: an id clash (a writer without the
        # tracker's lock) is an error, not a row silently counted as "already there"
        from tracker.pgschema import IDENTITY

        text = _NOTHING.sub(f"ON CONFLICT ({IDENTITY}) DO NOTHING".replace("%", "%%"), text)
    if _OR_IGNORE.match(text):
        text = _OR_IGNORE.sub("INSERT INTO", text) + " ON CONFLICT DO NOTHING"
    return text


class Connection:
    """A psycopg connection with the slice of sqlite3.Connection the store uses."""

    def __init__(self, raw: Any, url: str) -> None:
        self.raw = raw
        self.url = url

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        cur = self.raw.cursor()
        cur.execute(translate(sql, params is not None), params)
        return cur

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> Any:
        cur = self.raw.cursor()
        cur.executemany(translate(sql), rows)
        return cur

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        return bool(self.raw.info.transaction_status != TransactionStatus.IDLE)

    def close(self) -> None:
        self.raw.close()


# --- retrying what the server asks to be retried ---------------------------------------------

RETRY_SQLSTATES = ("40001", "40P01")  # serialization_failure, deadlock_detected
RETRIES = 8


def retryable(e: BaseException) -> bool:
    """Whether the server rolled `e`'s transaction back and asks for it to be run again."""
    return getattr(e, "sqlstate", None) in RETRY_SQLSTATES


def retrying(work: Callable[[], T], tries: int = RETRIES, pause: float = 0.02) -> T:
    """`work()`, run again (after a short random pause) while the server reports a
    serialization failure or a deadlock: those roll the whole transaction back, so
    running the whole unit again is exactly right.  Any other error passes through,
    and so does the last one when every try failed."""
    for attempt in range(tries):
        try:
            return work()
        except Exception as e:
            if not retryable(e) or attempt == tries - 1:
                raise
            time.sleep(pause * (2**attempt) * (0.5 + random.random()))
    raise AssertionError("unreachable")


# --- errors, for the user --------------------------------------------------------------------


def explain(e: Exception, url: str, outcome: str = "nothing was changed") -> ServerError:
    """One line for a PostgreSQL error met while working on `url`, password-free."""
    where = shown(url)
    state = getattr(e, "sqlstate", None) or ""
    diag = getattr(e, "diag", None)
    text = (getattr(diag, "message_primary", None) or str(e)).strip()
    text = redact(text.splitlines()[0] if text else type(e).__name__, url)
    if state == "42501":  # insufficient_privilege
        return ServerError(
            f"{where}: permission denied: this role may read the tracker database but not "
            f"change it ({text}); {outcome}"
        )
    if state == "25006":  # read_only_sql_transaction (a hot standby, default_transaction_read_only)
        return ServerError(f"{where}: the server accepts no writes here ({text}); {outcome}")
    if state.startswith("08") or state == "57P01" or type(e).__name__ == "OperationalError":
        return ServerError(f"{where}: the connection failed: {text}; {outcome}")
    if state in RETRY_SQLSTATES:
        return ServerError(f"{where}: the server kept refusing the change ({text}); {outcome}; "
                           "run the command again")  # fmt: skip
    return ServerError(f"{where}: {text}; {outcome}")
