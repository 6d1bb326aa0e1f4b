"""The PostgreSQL connection's health check (zhongshu.core.postgresql): a connection that sent a
statement a moment ago is not asked ``SELECT 1`` again; one idle for longer is asked, and one the
database closed meanwhile is replaced instead of failing the request."""

import pytest
from django.db import connection, connections

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the health check is PostgreSQL's backend's"
    ),
]


def _a_second_connection():
    """A connection of its own to the test database, with health checks on, as the server's
    kept connections have them."""
    other = connections.create_connection("default")
    other.settings_dict["CONN_HEALTH_CHECKS"] = True
    with other.cursor() as cur:
        cur.execute("SELECT 1")
    return other


def _closed_by_the_database(other) -> None:
    """As a restart or an idle timeout does: the database ends the connection's backend (and,
    with a timeout, waits until it has ended)."""
    with connection.cursor() as cur:
        cur.execute("SELECT pg_terminate_backend(%s, 5000)", [other.connection.info.backend_pid])
        assert cur.fetchone()[0] is True


def test_the_server_uses_the_backend_with_this_health_check():
    from zhongshu.core.postgresql.base import DatabaseWrapper

    assert isinstance(connections["default"], DatabaseWrapper)
    assert connections["default"].settings_dict["CONN_HEALTH_CHECKS"] is True


def test_a_connection_used_a_moment_ago_is_not_asked_again():
    other = _a_second_connection()
    try:
        asked = []
        real = other.is_usable
        other.is_usable = lambda: asked.append(1) or real()
        other.health_check_done = False  # a new request
        with other.cursor() as cur:
            cur.execute("SELECT 2")
        assert asked == []
    finally:
        other.close()


def test_an_idle_connection_closed_by_the_database_is_replaced_before_the_request_uses_it():
    from zhongshu.core.postgresql import base

    other = _a_second_connection()
    try:
        old_pid = other.connection.info.backend_pid
        _closed_by_the_database(other)
        other.used_at -= base.FRESH + 1  # idle for longer than a moment
        other.health_check_done = False  # a new request
        with other.cursor() as cur:  # asked SELECT 1, found closed, connected anew
            cur.execute("SELECT pg_backend_pid()")
            assert cur.fetchone()[0] != old_pid
    finally:
        other.close()


def test_within_the_moment_a_closed_connection_is_not_asked_and_fails_once():
    """The trade made: a database gone within ``FRESH`` seconds of a statement fails the next
    statement on that connection (as without health checks); Django closes it after the error and
    the request after is served on a new one."""
    from django.db.utils import OperationalError

    other = _a_second_connection()
    try:
        _closed_by_the_database(other)
        other.health_check_done = False
        with pytest.raises(OperationalError), other.cursor() as cur:
            cur.execute("SELECT 1")
        other.close_if_unusable_or_obsolete()  # what the end of the request runs
        assert other.connection is None
        with other.cursor() as cur:
            cur.execute("SELECT 3")
            assert cur.fetchone()[0] == 3
    finally:
        other.close()
