"""Database URLs: which values name a server, and how to show one without its password.

Light on purpose (`tracker --help` imports it through tracker.paths): no psycopg here.

A password may reach the tracker three ways (the URL, PGPASSWORD, ~/.pgpass); only the
first two can be echoed back by libpq or psycopg (an error such as `invalid
percent-encoded token: "pw%zz"` quotes the URL's text), so every message about a
connection goes through :func:`redact` with the URL it was about.
"""

from __future__ import annotations

import os
import re
from urllib.parse import unquote

SCHEMES = ("postgresql", "postgres")  # libpq accepts both spellings
MASK = "***"

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):")  # 2+ letters: C:\\ is a drive, not a URL
# the password of a URL: after '//user:' up to the last '@' of the URL (a password may
# hold a raw '/', which libpq then misreads, quoting a piece of it back)
_URL_PASSWORD = re.compile(r"(//[^/:@\s]*:)(\S*)@")
# a password given as a parameter: ?password=... or &password=...
_PARAM_PASSWORD = re.compile(r"([?&]password=)([^&#\s]*)", re.IGNORECASE)


def scheme_of(value: str) -> str | None:
    """The URL scheme of `value` in lower case, None for a path (C:\\x is a path)."""
    m = _SCHEME.match(value)
    return m[1].lower() if m else None


def is_server_url(value: str | os.PathLike[str] | None) -> bool:
    """Whether `value` names a PostgreSQL server (postgresql://...) rather than a file."""
    return isinstance(value, str) and scheme_of(value) in SCHEMES


def password_of(url: str) -> str | None:
    """The password written in a URL (as written, percent-encoding kept), or None."""
    for pattern in (_URL_PASSWORD, _PARAM_PASSWORD):
        m = pattern.search(url)
        if m and m[2]:
            return m[2]
    return None


def _secrets_of(url: str) -> set[str]:
    """Every text of `url` that is a password or a piece libpq may quote back of one: as
    written, percent-decoded, and each piece of one holding '/' (read as host and port)."""
    out: set[str] = set()
    for pattern in (_URL_PASSWORD, _PARAM_PASSWORD):
        for m in pattern.finditer(url):
            pw = m[2]
            if pw:
                out |= {pw, unquote(pw)} | {p for p in pw.split("/") if p}
    return out


def redact(text: str, url: str | None = None) -> str:
    """`text` with every password it could hold replaced by ***.

    Replaced: a URL's password wherever a URL appears in the text, the password of
    `url` (as written and percent-decoded, which is how libpq quotes it back), and
    PGPASSWORD's value.  Short secrets are replaced too: a leaked password of any
    length is a leak.
    """
    out = _URL_PASSWORD.sub(lambda m: m[1] + (MASK if m[2] else "") + "@", text)
    out = _PARAM_PASSWORD.sub(lambda m: m[1] + (MASK if m[2] else ""), out)
    secrets = _secrets_of(url) if url else set()
    env = os.environ.get("PGPASSWORD")
    if env:
        secrets.add(env)
    for s in sorted(secrets, key=len, reverse=True):
        out = out.replace(s, MASK)
    return out


def shown(url: str) -> str:
    """A URL as messages print it: the password masked, the rest as given."""
    return redact(url, url)
