"""What both bulk paths share: chunking, history copied by the database, hooks after commit."""

import logging
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .. import hooks
from ..models import Order

T = TypeVar("T")

log = logging.getLogger(__name__)

CHUNK = 500  # ids per IN (...) list
TOTALS = ("subtotal", "tax_amount", "total_amount")


def _chunks(seq: Iterable[T], n: int = CHUNK) -> Iterator[list[T]]:
    seq = list(seq)
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


def _ids_by_number(numbers: list[str]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for part in _chunks(numbers, 2000):
        ids.update(Order.objects.filter(number__in=part).values_list("number", "id"))
    return ids


def _implicit_history_user() -> int | None:
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
) -> None:
    """simple_history's rows for records just written, copied by the database itself
    (``INSERT … SELECT``, one statement per 500 records): the same rows ``save()`` would add.
    ``override``: fixed values for some fields (a state the record had earlier in the same
    transaction)."""
    history = model.history.model
    override = override or {}
    own = {f.column for f in model._meta.concrete_fields}
    cols, exprs = [], []
    for f in history._meta.concrete_fields:
        if f.column in own:
            cols.append(f.column)
            exprs.append("%s" if f.name in override else qn(f.column))
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    head = (
        f"INSERT INTO {qn(history._meta.db_table)} "
        f"({', '.join(map(qn, cols))}, history_date, history_change_reason, history_type, "
        f"history_user_id) SELECT {', '.join(exprs)}, %s, NULL, %s, %s "
        f"FROM {qn(model._meta.db_table)} WHERE {qn(key)} IN "
    )
    fixed = [override[f.name] for f in history._meta.concrete_fields if f.name in override]
    with connection.cursor() as cur:
        for part in _chunks(ids):
            sql = head + f"({', '.join(['%s'] * len(part))}) ORDER BY {qn(model._meta.pk.column)}"
            cur.execute(sql, [*fixed, now, history_type, user_id, *part])


def qn(name: str) -> str:
    return connection.ops.quote_name(name)


def after_commit_many(ctxs: list[hooks.TransitionContext]) -> None:
    """The after-commit hooks of many orders, once the caller's transaction committed. The
    batchable ones (``hooks.on_commit_many``: rules checks, activity counters) get the whole list
    at once; listeners that are not batchable run per order, each in a savepoint, so a failing one
    is logged and undone alone, as after a single order. All of it in one transaction instead of
    one autocommit (one disk flush) per statement of every listener."""
    if ctxs:
        transaction.on_commit(lambda: _run_after_commit(ctxs))


def _run_after_commit(ctxs: list[hooks.TransitionContext]) -> None:
    per_order = {ctx.action for ctx in ctxs if hooks.has_per_order_hooks(ctx.action)}
    with transaction.atomic(), hooks.batch():
        for ctx in ctxs:
            if ctx.action not in per_order:
                hooks.run_after_commit(ctx)  # only collects the context for the batch
                continue
            try:
                with transaction.atomic():
                    hooks.run_after_commit(ctx)
            except DatabaseError:
                log.exception("order hooks failed for order %s", ctx.order.pk)
