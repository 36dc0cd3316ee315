"""cxm.postgresql: the persistent connection's health check asks the server only when the socket has
something to say, and a connection the server closed is still found and replaced."""

import select

import psycopg
import pytest
from django.db import connection
from django.db.backends.postgresql import base as django_backend

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]


def _other_connection():
    return psycopg.connect(**connection.get_connection_params(), autocommit=True)


def _wait_readable(timeout: float = 5) -> None:
    readable, _, _ = select.select([connection.connection.fileno()], [], [], timeout)
    assert readable, "the server did not close the connection"


def test_a_quiet_healthy_connection_is_not_asked(monkeypatch):
    connection.ensure_connection()

    def select_one(self):
        raise AssertionError("SELECT 1 sent to a connection with nothing to read")

    monkeypatch.setattr(django_backend.DatabaseWrapper, "is_usable", select_one)
    assert connection.is_usable()


def test_a_connection_with_something_pending_is_asked_and_kept():
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        cursor.execute("LISTEN cxm_health")
    connection.connection.commit()
    with _other_connection() as other:
        other.execute("NOTIFY cxm_health")
    _wait_readable()
    assert connection.is_usable()


def test_a_connection_the_server_closed_is_replaced():
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    with _other_connection() as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    _wait_readable()
    assert not connection.is_usable()
    connection.health_check_done = False
    connection.close_if_health_check_failed()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid
