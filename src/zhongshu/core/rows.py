"""Model instances from written-out SQL, converted as the ORM converts them.

The statements a hot path runs on every request ask the same shape every time (decision 32).
Django's ``raw()`` works out on every call which column is which field and which converters
apply, and a query set compiles its whole select list again; a ``Rows`` does both once per model,
table alias and database, and then only turns values into instances:

    order_rows = rows_of(Order, "o")
    cur.execute(f"SELECT {order_rows.columns}, c.region_id FROM … o JOIN … c … WHERE o.id = %s")
    row = cur.fetchone()
    order = order_rows.load(row)                 # the first order_rows.width values
    region_id = row[order_rows.width]

The select list is every concrete column of the model in field order, so the instance is the one
``Model.objects.get()`` returns: nothing deferred, ``_state.adding`` false, ``_state.db`` set.
``values_of(Model, alias, names)`` is the same for some fields as plain values, as
``values_list()`` gives them.
"""

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connection, connections
from django.db.models import Field, Model

M = TypeVar("M", bound=Model)
Converter = Callable[[Any, Any, Any], Any]


@dataclass(frozen=True)
class Rows(Generic[M]):
    model: type[M]
    using: str
    columns: str  # the select list: "alias"."column", … in field order
    width: int
    converters: tuple[tuple[int, Any, tuple[Converter, ...]], ...]  # (position, column, funcs)

    def load(self, row: Sequence[Any], start: int = 0) -> M:
        """The instance held by ``row[start:start + width]``."""
        return self.model.from_db(self.using, None, self.values(row, start))  # type: ignore[arg-type]

    def values(self, row: Sequence[Any], start: int = 0) -> list[Any]:
        """The Python values held by ``row[start:start + width]``, converted as the ORM does."""
        values = list(row[start : start + self.width])
        if self.converters:
            connection = connections[self.using]
            for i, col, funcs in self.converters:
                value = values[i]
                for fn in funcs:
                    value = fn(value, col, connection)
                values[i] = value
        return values


def rows_of(model: type[M], alias: str, *, using: str = "default") -> Rows[M]:
    """The ``Rows`` of ``model`` selected under the table alias ``alias`` (built once)."""
    return _rows_of(model, alias, (), using, connections[using].vendor)  # type: ignore[return-value]


def values_of(
    model: type[M], alias: str, names: tuple[str, ...], *, using: str = "default"
) -> Rows[M]:
    """The ``Rows`` of some fields of ``model`` (by name or attname), for their ``values()``;
    ``load`` is not for these."""
    return _rows_of(model, alias, names, using, connections[using].vendor)  # type: ignore[return-value]


def _concrete(field: Any) -> "Field[Any, Any]":
    if not isinstance(field, Field) or field.column is None:
        raise ValueError(f"{field} is not a column")
    return field


@functools.cache
def _rows_of(
    model: type[Model], alias: str, names: tuple[str, ...], using: str, _vendor: str
) -> Rows[Model]:
    connection = connections[using]
    qn = connection.ops.quote_name
    meta = model._meta
    fields: list[Field[Any, Any]] = (
        [_concrete(meta.get_field(n)) for n in names] if names else list(meta.concrete_fields)
    )
    converters = []
    for i, field in enumerate(fields):
        col = field.get_col(alias)
        # what SQLCompiler.get_converters applies: the backend's, then the field's own
        funcs = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
        if funcs:
            converters.append((i, col, tuple(funcs)))
    return Rows(
        model=model,
        using=using,
        columns=", ".join(f"{qn(alias)}.{qn(str(f.column))}" for f in fields),
        width=len(fields),
        converters=tuple(converters),
    )


# --- pieces of written-out statements --------------------------------------------------------


def placeholders(n: int) -> str:
    """``%s, %s, …`` for an ``IN (…)`` list of ``n`` values."""
    return ", ".join(["%s"] * n)


def lock_of(alias: str) -> str:
    """`` FOR UPDATE OF alias`` where the database locks rows (PostgreSQL), else nothing (SQLite
    serialises writers at ``BEGIN IMMEDIATE``)."""
    return f" FOR UPDATE OF {alias}" if connection.features.has_select_for_update_of else ""
