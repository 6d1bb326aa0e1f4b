"""On PostgreSQL the parameters travel apart from the statement and a statement a connection runs
again and again is kept prepared, so the database parses and plans it once (decision 34); behind
a pooler in transaction mode ``ZHONGSHU_DB_PREPARED=0`` turns the keeping off."""

import pytest
from django.db import connection

from zhongshu import settings as zs_settings

PG_URL = "postgres://postgres@127.0.0.1:5432/anything"


def test_a_postgresql_url_binds_on_the_server_and_keeps_statements_prepared(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", PG_URL)
    monkeypatch.delenv("ZHONGSHU_DB_PREPARED", raising=False)
    options = zs_settings._database()["OPTIONS"]
    assert options["server_side_binding"] is True
    assert options["prepare_threshold"] == 5


@pytest.mark.parametrize("value", ["0", "false", "off"])
def test_behind_a_transaction_pooler_statements_are_not_kept_prepared(monkeypatch, value):
    monkeypatch.setenv("DATABASE_URL", PG_URL)
    monkeypatch.setenv("ZHONGSHU_DB_PREPARED", value)
    options = zs_settings._database()["OPTIONS"]
    assert options["server_side_binding"] is True
    # Django's backend turns a missing threshold into None: psycopg prepares nothing
    assert "prepare_threshold" not in options


def test_sqlite_is_left_as_it_was(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    options = zs_settings._database()["OPTIONS"]
    assert "server_side_binding" not in options
    assert "prepare_threshold" not in options


def _prepared(cur) -> list[str]:
    cur.execute("SELECT statement FROM pg_prepared_statements")
    return [row[0] for row in cur.fetchall()]


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
def test_a_statement_run_five_times_is_prepared_with_its_parameters_apart():
    from zhongshu.orders.models import Order

    table = Order._meta.db_table
    sql = f'SELECT COUNT(*) FROM "{table}" WHERE id = %s'
    with connection.cursor() as cur:
        for n in range(5):
            cur.execute(sql, [n])
            assert not [s for s in _prepared(cur) if table in s]
        cur.execute(sql, [5])
        kept = [s for s in _prepared(cur) if table in s]
    assert kept == [f'SELECT COUNT(*) FROM "{table}" WHERE id = $1']


def _run_five_times_and_once_more(cur, sql: str) -> None:
    for n in range(6):
        cur.execute(sql, [n])


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
def test_a_rollback_undoes_the_writes_and_keeps_what_was_prepared():
    """A refused confirmation rolls back; the connection's prepared statements must survive it
    (psycopg's own rollback drops them all), and the rollback must still undo everything."""
    from django.db import transaction

    from zhongshu.accounts.models import Region

    sql = f'SELECT COUNT(*) FROM "{Region._meta.db_table}" WHERE id = %s'

    class Refused(Exception):
        pass

    with pytest.raises(Refused), transaction.atomic():
        Region.objects.create(name="回滚区")
        with connection.cursor() as cur:
            _run_five_times_and_once_more(cur, sql)
        raise Refused
    assert not Region.objects.filter(name="回滚区").exists()
    with connection.cursor() as cur:
        assert [s for s in _prepared(cur) if Region._meta.db_table in s]
        cur.execute(sql, [7])  # and psycopg still runs it as prepared
        assert cur.fetchone() == (0,)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
def test_a_transaction_a_failed_statement_aborted_is_rolled_back_and_the_connection_goes_on():
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("SELECT 1 / 0")
    with connection.cursor() as cur:
        cur.execute("SELECT 2")
        assert cur.fetchone() == (2,)
    from psycopg import pq

    assert connection.connection.pgconn.transaction_status == pq.TransactionStatus.IDLE
