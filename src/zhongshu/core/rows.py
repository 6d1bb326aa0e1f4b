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
"""

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connections
from django.db.models import Model

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
        values = list(row[start : start + self.width])
        if self.converters:
            connection = connections[self.using]
            for i, col, funcs in self.converters:
                value = values[i]
                for fn in funcs:
                    value = fn(value, col, connection)
                values[i] = value
        return self.model.from_db(self.using, None, values)  # type: ignore[arg-type]


def rows_of(model: type[M], alias: str, *, using: str = "default") -> Rows[M]:
    """The ``Rows`` of ``model`` selected under the table alias ``alias`` (built once)."""
    return _rows_of(model, alias, using, connections[using].vendor)  # type: ignore[return-value]


@functools.cache
def _rows_of(model: type[Model], alias: str, using: str, _vendor: str) -> Rows[Model]:
    connection = connections[using]
    qn = connection.ops.quote_name
    fields = model._meta.concrete_fields
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
