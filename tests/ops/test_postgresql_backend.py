"""The site's PostgreSQL backend: a kept connection's health check, on the real server.

A full restart under gunicorn is in tests/deploy/test_gunicorn.py; here one connection is kept
as a web worker keeps it between requests, and the server ends its session.
"""

from collections.abc import Iterator

import pytest
from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper

from ops.postgresql import base as postgresql_backend
from tests.support.postgres import require_postgresql

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def kept_connection() -> Iterator[BaseDatabaseWrapper]:
    """A connection of its own, outside the test's transaction, that has served a request."""
    require_postgresql()
    kept = connections.create_connection(DEFAULT_DB_ALIAS)
    with kept.cursor() as cursor:
        cursor.execute("SELECT 'the last request'")
    try:
        yield kept
    finally:
        kept.close()


def next_request(kept: BaseDatabaseWrapper) -> None:
    """What the end of a request does to a connection it keeps: due for a check again."""
    kept.close_if_unusable_or_obsolete()
    assert kept.connection is not None
    assert kept.health_check_done is False


def last_statement_of(kept: BaseDatabaseWrapper) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT query FROM pg_stat_activity WHERE pid = %s",
            [kept.connection.get_backend_pid()],
        )
        return cursor.fetchone()[0]


def end_session_of(kept: BaseDatabaseWrapper) -> None:
    """The server ends the session, as a restart or an administrator would, and waits (up to
    10 s) until it is gone."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(%s, 10000)", [kept.connection.get_backend_pid()]
        )
        assert cursor.fetchone()[0] is True


def test_the_site_runs_on_its_own_backend_with_health_checks_on(kept_connection):
    assert kept_connection.settings_dict["ENGINE"] == "ops.postgresql"
    assert kept_connection.health_check_enabled is True


def test_a_live_connection_passes_its_health_check_without_a_statement(kept_connection):
    pid = kept_connection.connection.get_backend_pid()
    next_request(kept_connection)

    kept_connection.close_if_health_check_failed()

    assert kept_connection.health_check_done is True
    assert kept_connection.connection.get_backend_pid() == pid
    # Django's own check would have left "SELECT 1" here.
    assert last_statement_of(kept_connection) == "SELECT 'the last request'"


@pytest.mark.parametrize("why", ["idle for a while", "inside a transaction"])
def test_a_connection_that_may_have_died_in_silence_gets_the_real_check(
    kept_connection, monkeypatch, why
):
    next_request(kept_connection)
    if why == "idle for a while":
        monkeypatch.setattr(postgresql_backend, "BUSY_SECONDS", 0.0)
    else:
        kept_connection.connection.autocommit = False
        kept_connection.connection.cursor().execute("SELECT 'in a transaction'")

    kept_connection.close_if_health_check_failed()

    assert last_statement_of(kept_connection) == "SELECT 1"


def test_a_connection_the_server_ended_is_replaced_before_the_first_query(kept_connection):
    pid = kept_connection.connection.get_backend_pid()
    next_request(kept_connection)
    end_session_of(kept_connection)

    with kept_connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        new_pid = cursor.fetchone()[0]

    assert new_pid != pid


def test_without_the_health_check_the_ended_session_would_fail_the_query(kept_connection):
    """The control for the test above: ending the session really breaks the kept connection."""
    next_request(kept_connection)
    end_session_of(kept_connection)
    kept_connection.health_check_enabled = False

    with pytest.raises(OperationalError), kept_connection.cursor() as cursor:
        cursor.execute("SELECT 1")
