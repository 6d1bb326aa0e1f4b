"""Django's PostgreSQL backend, but a connection used a moment ago is not asked ``SELECT 1``,
and a rollback keeps the statements the connection has prepared.

With ``CONN_HEALTH_CHECKS`` (on: a restarted database or an idle timeout must not fail the next
request) Django asks a kept connection ``SELECT 1`` before the first statement of every request.
That round trip bypasses the cursor wrappers, so no statement count saw it: every API request
paid it, one statement in four of an order list, one in sixteen of a confirmation. Here a
connection that sent a statement less than ``FRESH`` seconds ago skips the question: under load
that is every request, and a connection idle for longer is asked as before. A connection that
failed is not concerned: Django checks it after the error (``errors_occurred``) and closes it.
What remains is a database that goes away within ``FRESH`` seconds of a statement: the next
request on that connection fails once, as it would without health checks.
"""

import time
from typing import Any

from django.db.backends.postgresql import base
from psycopg import errors, pq

FRESH = 1.0  # seconds


class DatabaseWrapper(base.DatabaseWrapper):
    used_at = float("-inf")  # time.monotonic() of the last cursor

    def create_cursor(self, name: Any = None) -> Any:
        self.used_at = time.monotonic()
        return super().create_cursor(name)

    def close_if_health_check_failed(self) -> None:
        if self.connection is not None and time.monotonic() - self.used_at < FRESH:
            self.health_check_done = True  # (a flag only this check reads)
            return
        super().close_if_health_check_failed()

    def _rollback(self) -> None:
        """ROLLBACK, keeping what the connection has prepared (decision 34).

        psycopg's ``rollback()`` also drops every prepared statement of the connection
        (``DEALLOCATE ALL``), to be safe after DDL undone. PostgreSQL itself keeps prepared
        statements through a rollback, and re-plans one whose table changed; what would clear
        them — ``DROP``, ``ALTER``, ``DISCARD`` — still clears psycopg's cache where it runs,
        through a cursor. Every refused confirmation (too little stock) rolls back: with
        psycopg's rollback the connections forgot their statements every few requests and
        PostgreSQL planned most statements every time."""
        conn = self.connection
        if conn is None:
            return
        with self.wrap_database_errors:
            if conn.closed:
                conn.rollback()  # psycopg's own error for a closed connection
                return
            if conn.pgconn.transaction_status == pq.TransactionStatus.IDLE:
                return
            with conn.lock:
                result = conn.pgconn.exec_(b"ROLLBACK")
            if result.status != pq.ExecStatus.COMMAND_OK:
                raise errors.error_from_result(result, encoding=conn.info.encoding)
