"""Multi-row INSERTs for the commit of large imports, without the ORM's per-value machinery.

``bulk_create`` prepares every value of every object through the SQL compiler (≈ 30 columns ×
thousands of orders); here the columns that are the same for every row (defaults, the actor, the
time) are prepared once per chunk, and only the few varying values per row go through their
field's ``get_db_prep_save``. The result is the same rows ``save()``/``bulk_create`` would write.
"""

from django.db import connection
from django.db.models import AutoField, BigAutoField, SmallAutoField

AUTO = (AutoField, BigAutoField, SmallAutoField)
BATCH = 500


def max_params() -> int:
    """Bound parameters one statement may carry (SQLite's compile-time limit, read at run time)."""
    if connection.vendor == "sqlite":
        import sqlite3

        connection.ensure_connection()
        try:
            return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        except AttributeError:  # Python < 3.11
            return 999
    return 60_000


class Inserter:
    """``Inserter(Model, actor_id=1, status="draft").insert([{"number": …}, …])``.

    Keyword arguments are fixed values by field name; every other field that no row provides
    takes its default (``auto_now``/``auto_now_add`` fields: now).
    """

    def __init__(self, model, varying: tuple[str, ...], **fixed):
        self.model = model
        proto = model(**fixed)
        fields = [f for f in model._meta.concrete_fields if not isinstance(f, AUTO)]
        by_name = {f.name: f for f in fields} | {f.attname: f for f in fields}
        self.varying = [by_name[n] for n in varying]
        vary = {f.name for f in self.varying}
        self.fixed = [f for f in fields if f.name not in vary]
        self.fixed_values = [
            f.get_db_prep_save(f.pre_save(proto, True), connection) for f in self.fixed
        ]
        qn = connection.ops.quote_name
        cols = [qn(f.column) for f in (*self.varying, *self.fixed)]
        self.head = f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(cols)}) VALUES "
        self.row_sql = f"({', '.join(['%s'] * len(cols))})"
        self.batch = max(1, min(BATCH, max_params() // len(cols)))

    def insert(self, rows: list[tuple]) -> None:
        """``rows``: one tuple per record, values in the order of ``varying`` (Python values)."""
        fixed = self.fixed_values
        prep = [(f.get_db_prep_save, f) for f in self.varying]
        with connection.cursor() as cur:
            for i in range(0, len(rows), self.batch):
                part = rows[i : i + self.batch]
                params = []
                for row in part:
                    params.extend(p(v, connection) for (p, _f), v in zip(prep, row, strict=True))
                    params.extend(fixed)
                cur.execute(self.head + ", ".join([self.row_sql] * len(part)), params)
