"""What both bulk paths share: hooks after commit (chunking and the history copied by the
database are core.bulk's)."""

import logging

from django.db import DatabaseError, transaction

from zhongshu.core.bulk import chunks

from .. import hooks
from ..models import Order

log = logging.getLogger(__name__)

TOTALS = ("subtotal", "tax_amount", "total_amount")


def _ids_by_number(numbers: list[str]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for part in chunks(numbers, 2000):
        ids.update(Order.objects.filter(number__in=part).values_list("number", "id"))
    return ids


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
