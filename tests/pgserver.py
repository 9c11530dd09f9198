"""A throw-away PostgreSQL server for the tests.

The suite talks to a real server, never a mock: either the one named by
TRACKER_TEST_PG (a `postgresql://` URL of a superuser, for a developer who has one),
or a cluster made here with the machine's `initdb` under a temp dir, listening on
127.0.0.1 and a Unix socket, stopped and removed when the session ends. Where neither
can be had, `why_not` says why, and the PostgreSQL tests skip with that reason.

PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres`
user that Debian's package creates (or `nobody`), and its folder is made outside
pytest's private temp tree so that user can reach it.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path
from urllib.parse import quote

# The role the tests connect as over TCP, with a password, so that credentials are
# exercised the way a team's server uses them (scram-sha-256, not trust).
USER = "tracker_test"
PASSWORD = "s3cret-Pw"  # a test-only secret; tests check it never appears in output


def find_bin() -> Path | None:
    """Folder of pg_ctl/initdb: PATH first, then Debian's versioned folders, newest first."""
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(os.path.realpath(on_path)).parent
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Cluster:
    """One running server; `url(dbname)` gives a URL with the test role's password."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.base = Path(tempfile.mkdtemp(prefix="tracker-pg-"))
        self.data = self.base / "data"
        self.sockets = self.base / "sock"
        self.port = _free_port()
        self.owner: str | None = None
        if os.geteuid() == 0:
            self.owner = "postgres" if _has_user("postgres") else "nobody"

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        cmd = list(args)
        if self.owner:
            cmd = ["runuser", "-u", self.owner, "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=120)

    def start(self) -> None:
        self.sockets.mkdir()
        os.chmod(self.base, 0o755)
        if self.owner:
            pw = pwd.getpwnam(self.owner)
            for p in (self.base, self.sockets):
                os.chown(p, pw.pw_uid, pw.pw_gid)
        pwfile = self.base / "pw"
        pwfile.write_text(PASSWORD + "\n")
        if self.owner:
            os.chown(pwfile, pwd.getpwnam(self.owner).pw_uid, -1)
        r = self._run(
            str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres",
            "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8",
            "--locale=C", f"--pwfile={pwfile}",
        )  # fmt: skip
        if r.returncode:
            raise RuntimeError(f"initdb failed: {r.stderr.strip() or r.stdout.strip()}")
        options = (
            f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=200 -c shared_buffers=64MB"
        )
        r = self._run(
            str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.base / "log"),
            "-o", options, "-w", "-t", "60", "start",
        )  # fmt: skip
        if r.returncode:
            log = (self.base / "log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"pg_ctl start failed: {r.stderr.strip()} {log}")
        self.admin(
            f"CREATE ROLE {USER} LOGIN SUPERUSER PASSWORD '{PASSWORD}'",
        )

    def admin(self, *sql: str, dbname: str = "postgres") -> str:
        """Run SQL as the superuser over the socket (trust), return psql's output."""
        psql = self.bindir / "psql"
        exe = str(psql) if psql.exists() else "psql"
        args = [exe, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h", str(self.sockets),
                "-p", str(self.port), "-U", "postgres", "-d", dbname]  # fmt: skip
        for s in sql:
            args += ["-c", s]
        r = self._run(*args)
        if r.returncode:
            raise RuntimeError(f"psql failed: {r.stderr.strip()}")
        return r.stdout

    def admin_file(self, path: Path, dbname: str = "postgres") -> str:
        """Run an SQL file with psql as the superuser (as a server owner would)."""
        psql = self.bindir / "psql"
        exe = str(psql) if psql.exists() else "psql"
        r = self._run(exe, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", str(self.sockets),
                      "-p", str(self.port), "-U", "postgres", "-d", dbname, "-f", str(path))  # fmt: skip
        if r.returncode:
            raise RuntimeError(f"psql -f {path} failed: {r.stderr.strip()}")
        return r.stdout

    def stop(self) -> None:
        if getattr(self, "_admin", None) is not None:
            self._admin.close()
        if self.data.exists():
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                      "-w", "stop")  # fmt: skip
        shutil.rmtree(self.base, ignore_errors=True)

    def url(self, dbname: str, user: str = USER, password: str | None = PASSWORD) -> str:
        auth = quote(user) + (":" + quote(password, safe="") if password else "")
        return f"postgresql://{auth}@127.0.0.1:{self.port}/{dbname}"

    def new_database(self) -> str:
        """A fresh, empty database; returns its URL (40 ms: one connection kept for it)."""
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        if getattr(self, "_admin", None) is None:
            self._admin = psycopg.connect(self.url("postgres"), autocommit=True)
        self._admin.execute(f"CREATE DATABASE {name} OWNER {USER} TEMPLATE template0")
        return self.url(name)


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


class External:
    """A server the developer named in TRACKER_TEST_PG (a superuser URL)."""

    def __init__(self, url: str) -> None:
        self.base_url = url.rsplit("/", 1)[0]
        self.admin_url = url

    def new_database(self) -> str:
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return f"{self.base_url}/{name}"

    def stop(self) -> None:
        pass


def start() -> tuple[Cluster | External | None, str]:
    """The server for this session, or None and the reason there is none."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return None, "psycopg is not installed (pip install -e '.[test]')"
    url = os.environ.get("TRACKER_TEST_PG")
    if url:
        return External(url), ""
    bindir = find_bin()
    if bindir is None:
        return None, (
            "no PostgreSQL server binaries (apt-get install postgresql, or set "
            "TRACKER_TEST_PG to a superuser URL)"
        )
    cluster = Cluster(bindir)
    try:
        cluster.start()
    except (RuntimeError, OSError, subprocess.SubprocessError) as e:
        cluster.stop()
        return None, f"could not start a PostgreSQL server: {e}"
    return cluster, ""
