"""The order search finds an external number by any fragment of four characters or more (the tail
of a platform's long number): ``UPPER(external_no) LIKE '%…%'``. No b-tree serves that, and at a
million orders each such search read the whole table (~300 ms). On PostgreSQL a trigram index
serves it (pg_trgm, shipped with PostgreSQL and a trusted extension since 13: the database's
owner may create it). Where the extension cannot be created the search still works, by a scan,
and the migration logs the two statements an administrator can run instead. SQLite has no such
index and needs none at its sizes.

Also drops ``order_number_prefix``: PostgreSQL already has a ``varchar_pattern_ops`` index for the
unique number (Django's ``…_like``), so it was a second copy of it written on every insert.
"""

import logging

from django.db import DatabaseError, migrations, transaction

log = logging.getLogger("zhongshu.migrations")

INDEX = "order_external_no_trgm"
CREATE_INDEX = (
    f"CREATE INDEX IF NOT EXISTS {INDEX} ON orders_order USING gin (UPPER(external_no) gin_trgm_ops)"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        try:
            with transaction.atomic(using=schema_editor.connection.alias):
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except DatabaseError as exc:
            log.warning(
                "pg_trgm could not be created (%s): searching orders by a fragment of an external "
                "number reads the whole order table; ask the database's administrator to run "
                "CREATE EXTENSION pg_trgm; %s;",
                exc,
                CREATE_INDEX,
            )
            return
        cursor.execute(CREATE_INDEX)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("orders", "0006_perf2_due_keyset")]

    operations = [
        migrations.RemoveIndex(model_name="order", name="order_number_prefix"),
        migrations.RunPython(create, drop, elidable=False),
    ]
