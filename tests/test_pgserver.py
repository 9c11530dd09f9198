"""The test server itself: a real PostgreSQL that demands the test role's password."""

from __future__ import annotations

import pytest


def test_server_answers_with_password_auth(pg_url: str) -> None:
    import psycopg

    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT current_user").fetchone() == ("tracker_test",)
    wrong = pg_url.replace("s3cret-Pw", "wrong-pw")
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(wrong)
