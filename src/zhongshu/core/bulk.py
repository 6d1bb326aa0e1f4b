"""Writing many rows at once without the ORM's per-value machinery (imports, channel sync).

``bulk_create`` prepares every value of every object through the SQL compiler (≈ 30 columns ×
thousands of orders), and on PostgreSQL psycopg then merges thousands of parameters into the
statement text client-side. Here the columns that are the same for every row (defaults, the actor,
the time) are prepared once, only the varying values of each row go through their field's
``get_db_prep_save``, and the rows travel as one ``COPY`` stream on PostgreSQL or as multi-row
``INSERT`` statements elsewhere. The rows written are the ones ``save()``/``bulk_create`` would
write.

Which columns exist is read from the model, so a column added to a model later is written too
(its default, or the value a caller passes by name).
"""

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any, TypeVar

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import AutoField, BigAutoField, SmallAutoField
from django.utils import timezone
from simple_history.models import HistoricalRecords

from zhongshu.core.actors import AnyUser, recorded
from zhongshu.core.rows import placeholders

AUTO = (AutoField, BigAutoField, SmallAutoField)
T = TypeVar("T")
BATCH = 500
COPY_FROM = 20  # rows from which insert_rows streams them with COPY on PostgreSQL


def max_params() -> int:
    """Bound parameters one statement may carry (SQLite's compile-time limit, read at run time)."""
    if connection.vendor == "sqlite":
        import sqlite3

        connection.ensure_connection()
        try:
            limit: int = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
            return limit
        except AttributeError:  # Python < 3.11
            return 999
    return 60_000


def insert_rows(
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    skip_conflicts: bool = False,
    returning: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """Insert ``rows`` (database-ready values, in the order of ``columns``) into ``table``.

    ``skip_conflicts``: rows that would break a unique constraint are left out (``ON CONFLICT DO
    NOTHING``) instead of failing the statement. ``returning``: columns to return for the rows
    really inserted (a skipped row returns nothing)."""
    rows = rows if isinstance(rows, list) else list(rows)
    if not rows:
        return []
    qn = connection.ops.quote_name
    cols = ", ".join(map(qn, columns))
    with connection.cursor() as cur:
        # COPY streams many rows cheaply but costs more than an INSERT for a few (its own
        # protocol round: start, data, end), as for the single timeline event of a move
        if (
            connection.vendor == "postgresql"
            and not skip_conflicts
            and not returning
            and len(rows) >= COPY_FROM
        ):
            sql = f"COPY {qn(table)} ({cols}) FROM STDIN"
            # the debug cursor (tests, DEBUG) records the COPY like any other statement
            log = getattr(cur, "debug_sql", None)
            if log is not None:
                with log(sql):
                    _copy(cur, sql, rows)
            else:
                _copy(cur, sql, rows)
            return []
        head = f"INSERT INTO {qn(table)} ({cols}) VALUES "
        tail = " ON CONFLICT DO NOTHING" if skip_conflicts else ""
        if returning:
            tail += f" RETURNING {', '.join(map(qn, returning))}"
        one = f"({placeholders(len(columns))})"
        size = max(1, min(BATCH, max_params() // len(columns)))
        out: list[tuple[Any, ...]] = []
        for i in range(0, len(rows), size):
            part = rows[i : i + size]
            cur.execute(
                head + ", ".join([one] * len(part)) + tail, [v for row in part for v in row]
            )
            if returning:
                out.extend(tuple(r) for r in cur.fetchall())
        return out


def _copy(cur: Any, sql: str, rows: list[Sequence[Any]]) -> None:
    with cur.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


INTEGERS = {
    "AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField",
    "SmallIntegerField", "PositiveIntegerField", "PositiveBigIntegerField",
    "PositiveSmallIntegerField",
}  # fmt: skip
TEXTS = {"CharField", "TextField", "SlugField"}


Prep = Callable[[Any, BaseDatabaseWrapper], Any]


def preparer(field: Any) -> Prep:  # a concrete field: a plain one or a foreign key
    """``field.get_db_prep_save`` with a shortcut for the plain values it would pass through
    unchanged (a str for a text column, a Decimal for a decimal one, an int for an integer or a
    foreign key, a date for a date column): tens of thousands of values per chunk make the ORM's
    layers of calls the largest cost of a bulk insert. For inserts only: psycopg is given a plain
    int where Django would wrap it in a typed one, which only matters to expressions."""
    slow: Prep = field.get_db_prep_save
    exact: type
    fast: Callable[[Any], Any] | None
    target = field.target_field if field.is_relation else field
    kind = target.get_internal_type()
    if kind in TEXTS:
        exact, fast = str, None
    elif kind == "DecimalField":
        exact, fast = Decimal, None
    elif kind in INTEGERS:
        exact, fast = int, None
    elif kind == "DateField":
        exact, fast = dt.date, connection.ops.adapt_datefield_value
    elif kind == "DateTimeField":
        return _memo(slow)
    else:
        return slow

    if fast is None:

        def prep(value: Any, conn: BaseDatabaseWrapper) -> Any:
            return value if type(value) is exact else slow(value, conn)

    else:
        convert: Callable[[Any], Any] = fast

        def prep(value: Any, conn: BaseDatabaseWrapper) -> Any:
            return convert(value) if type(value) is exact else slow(value, conn)

    return prep


def _memo(slow: Prep) -> Prep:
    """An aware datetime prepared once per distinct value: imported rows stamp thousands of
    values from a few hundred days, and each preparation converts the time zone."""
    done: dict[dt.datetime, Any] = {}

    def prep(value: Any, conn: BaseDatabaseWrapper) -> Any:
        if type(value) is not dt.datetime or value.tzinfo is None:
            return slow(value, conn)
        try:
            return done[value]
        except KeyError:
            done[value] = out = slow(value, conn)
            return out

    return prep


class Inserter:
    """``Inserter(Model, ("number", "customer"), created_by_id=1).insert([("SO-…", 7), …])``.

    ``varying``: the fields (by name or attname) each row gives, in that order. Keyword arguments
    are fixed values by field name; every other field takes its default (``auto_now`` and
    ``auto_now_add`` fields: now, the same instant for the whole call).
    """

    def __init__(self, model: Any, varying: tuple[str, ...], **fixed: Any) -> None:
        self.model = model
        proto = model(**fixed)
        fields = [f for f in model._meta.concrete_fields if not isinstance(f, AUTO)]
        by_name = {f.name: f for f in fields} | {f.attname: f for f in fields}
        self.varying = [by_name[n] for n in varying]
        vary = {f.name for f in self.varying}
        self.fixed = [f for f in fields if f.name not in vary]
        # the Python values of the fixed fields, as the written rows have them
        self.fixed_python = {f.attname: f.pre_save(proto, True) for f in self.fixed}
        self.fixed_values = [
            f.get_db_prep_save(self.fixed_python[f.attname], connection) for f in self.fixed
        ]
        self.columns = [f.column for f in (*self.varying, *self.fixed)]

    def insert(
        self,
        rows: Iterable[tuple[Any, ...]],
        *,
        skip_conflicts: bool = False,
        returning: Sequence[str] = (),
    ) -> list[tuple[Any, ...]]:
        """``rows``: one tuple per record, values in the order of ``varying`` (Python values).
        ``skip_conflicts`` and ``returning`` (field names) as in ``insert_rows``."""
        fixed = self.fixed_values
        prep = [preparer(f) for f in self.varying]
        meta = self.model._meta
        return insert_rows(
            meta.db_table,
            self.columns,
            [[*(p(v, connection) for p, v in zip(prep, row, strict=True)), *fixed] for row in rows],
            skip_conflicts=skip_conflicts,
            returning=[meta.get_field(n).column for n in returning],
        )


def update_rows(model: Any, objs: Sequence[Any], fields: Sequence[str]) -> None:
    """Save ``fields`` of each of ``objs`` by primary key, in one statement per ``BATCH`` objects:
    ``UPDATE … SET … FROM (VALUES (pk, …), …) v WHERE pk = v.column1``, which the database joins
    by key. ``bulk_update`` builds one ``CASE WHEN`` per field with a branch per object instead,
    evaluated for every row (quadratic in the batch size); ``executemany`` ran one statement per
    object, and psycopg's pipeline around them cost more CPU than the statements for the two or
    three levels of a confirmation. (``VALUES`` names its columns column1, column2, … on both
    databases; SQLite takes ``UPDATE … FROM`` since 3.33.)"""
    if not objs:
        return
    meta = model._meta
    targets = [meta.get_field(n) for n in fields]
    key = [meta.pk, *targets]
    qn = connection.ops.quote_name
    table = qn(meta.db_table)
    sets = ", ".join(f"{qn(f.column)} = v.column{i}" for i, f in enumerate(targets, start=2))
    row = f"({_typed_placeholders(tuple(key))})"
    size = max(1, min(BATCH, max_params() // len(key)))
    with connection.cursor() as cur:
        for part in chunks(objs, size):
            values = ", ".join([row] * len(part))
            cur.execute(
                f"UPDATE {table} SET {sets} FROM (VALUES {values}) v "
                f"WHERE {table}.{qn(meta.pk.column)} = v.column1",
                [
                    v
                    for o in part
                    for v in (
                        o.pk,
                        *(f.get_db_prep_save(getattr(o, f.attname), connection) for f in targets),
                    )
                ],
            )


def _typed_placeholders(fields: tuple[Any, ...]) -> str:
    """One ``VALUES`` row of placeholders for ``fields``. On PostgreSQL each is cast to its
    column's type: a column whose values are all NULL would otherwise be text, which no column
    of another type takes. (Not on SQLite, where a cast to a date type would turn the text of a
    date into a number.)"""
    if connection.vendor != "postgresql":
        return placeholders(len(fields))
    return ", ".join(f"%s::{f.cast_db_type(connection)}" for f in fields)


def insert_objects(
    objs: Sequence[Any], *, skip_conflicts: bool = False, key: str = ""
) -> list[Any]:
    """Insert unsaved model instances of one model, every concrete field as ``save()`` would
    write it (``auto_now`` fields stamped), and set their primary keys. With ``skip_conflicts``
    an instance that would break a unique constraint is not inserted and not returned; ``key``
    (a field unique among ``objs``) matches the inserted rows back to their instances."""
    if not objs:
        return []
    meta = type(objs[0])._meta
    fields = [f for f in meta.concrete_fields if not isinstance(f, AUTO)]
    match = meta.get_field(key) if key else None
    preps = [(f.pre_save, preparer(f)) for f in fields]
    rows = [[prep(pre(o, True), connection) for pre, prep in preps] for o in objs]
    returned = insert_rows(
        meta.db_table,
        [f.column for f in fields],
        rows,
        skip_conflicts=skip_conflicts,
        returning=[meta.pk.column, match.column] if match else [meta.pk.column],
    )
    if match is None:
        if len(returned) != len(objs):
            raise ValueError("skip_conflicts needs a key to match the inserted rows")
        pairs: Iterable[tuple[Any, tuple[Any, ...]]] = zip(objs, returned, strict=True)
    else:
        by_key = {getattr(o, match.attname): o for o in objs}
        pairs = ((by_key[r[1]], r) for r in returned)
    inserted = []
    for obj, row in pairs:
        obj.pk = row[0]
        obj._state.adding, obj._state.db = False, connection.alias
        inserted.append(obj)
    return inserted


def chunks(seq: Iterable[T], n: int = BATCH) -> Iterator[list[T]]:
    """``seq`` in lists of ``n`` (ids for an ``IN (...)`` list, rows for one statement)."""
    seq = list(seq)
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


def history_user_id(actor: AnyUser) -> int | None:
    """Who a history row names for ``actor``: the user when it is one saved, else what
    ``save()`` would record (``implicit_history_user``). A system move passes ``None``."""
    who = recorded(actor)
    return who.pk if who is not None else implicit_history_user()


def implicit_history_user() -> int | None:
    """The history user ``save()`` records for an instance nobody stamped: the signed-in user of
    the current request, if any (simple_history's default)."""
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user.pk if user is not None and user.is_authenticated else None


def copy_history(
    model: Any,
    key: str,
    ids: Iterable[Any],
    history_type: str,
    user_id: int | None,
    *,
    override: dict[str, Any] | None = None,
    date: dt.datetime | None = None,
) -> None:
    """simple_history's rows for records just written, copied by the database itself
    (``INSERT … SELECT``, one statement per ``BATCH`` records): the same rows ``save()`` would add.
    ``override``: fixed values for some fields (a state the record had earlier in the same
    transaction); ``date``: the history date (now)."""
    override = override or {}
    head, fixed_fields, order_by = _history_sql(model, key, tuple(sorted(override)))
    fixed = [override[name] for name in fixed_fields]
    now = connection.ops.adapt_datetimefield_value(date or timezone.now())
    with connection.cursor() as cur:
        for part in chunks(ids):
            sql = head + f"({placeholders(len(part))}) ORDER BY {order_by}"
            cur.execute(sql, [*fixed, now, history_type, user_id, *part])


@functools.cache
def _history_sql(model: Any, key: str, overridden: tuple[str, ...]) -> tuple[str, list[str], str]:
    """The ``INSERT … SELECT … WHERE key IN`` head of ``copy_history`` for a model (built once
    per process: the columns do not change while it runs), the overridden fields in the order
    of their placeholders, and the primary key column to order by."""
    history = model.history.model
    own = {f.column for f in model._meta.concrete_fields}
    cols, exprs, fixed = [], [], []
    for f in history._meta.concrete_fields:
        if f.column in own:
            cols.append(f.column)
            exprs.append("%s" if f.name in overridden else qn(f.column))
            if f.name in overridden:
                fixed.append(f.name)
    head = (
        f"INSERT INTO {qn(history._meta.db_table)} "
        f"({', '.join(map(qn, cols))}, history_date, history_change_reason, history_type, "
        f"history_user_id) SELECT {', '.join(exprs)}, %s, NULL, %s, %s "
        f"FROM {qn(model._meta.db_table)} WHERE {qn(key)} IN "
    )
    return head, fixed, qn(model._meta.pk.column)


def qn(name: str) -> str:
    return connection.ops.quote_name(name)
