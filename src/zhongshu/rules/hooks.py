"""The rules engine's part in order transitions, edits and stock movements (registered from
``RulesConfig.ready``)."""

import logging

from django.core.signals import request_finished
from django.dispatch import receiver

from zhongshu.core.signals import stock_changed, work_finished
from zhongshu.orders import hooks
from zhongshu.orders.statuses import TRANSITIONS

from . import services
from .models import Trigger

log = logging.getLogger(__name__)


@hooks.guard_many("submit")
def block_by_rules(ctxs: list[hooks.TransitionContext]) -> dict[int, Exception]:
    refused = services.check_submissions([ctx.order for ctx in ctxs])
    return {i: refused[ctx.order.pk] for i, ctx in enumerate(ctxs) if ctx.order.pk in refused}


@hooks.on_commit_many("*")
def check_after_commit(ctxs: list[hooks.TransitionContext]) -> None:
    """One ``check_event`` per trigger for all the orders of a batch (one order outside one)."""
    by_trigger: dict[str, list[int]] = {}
    for ctx in ctxs:
        for trigger in _triggers(ctx.action):
            by_trigger.setdefault(trigger, []).append(ctx.order.pk)
    for trigger, order_ids in by_trigger.items():
        ids = list(dict.fromkeys(order_ids))
        for i in range(0, len(ids), CHECK_CHUNK):
            services.check_event(trigger, ids[i : i + CHECK_CHUNK])


CHECK_CHUNK = 1000  # order ids per check (SQL parameter limits)


def _triggers(action: str) -> tuple[str, ...]:
    if action == "created":
        return (Trigger.ORDER_CREATED,)
    if action == "updated":
        return (Trigger.ORDER_UPDATED,)
    if action == "submit":
        return (Trigger.ORDER_SUBMITTED, Trigger.ORDER_STATUS_CHANGED)
    if action in TRANSITIONS:
        return (Trigger.ORDER_STATUS_CHANGED,)
    return ()


@receiver(stock_changed, dispatch_uid="zs_rules.stock_changed")
def check_stock(sender, material_ids=(), **kwargs) -> None:
    try:
        services.check_stock_change(set(material_ids))
    except Exception:  # the stock movement is committed; a failing rule must not undo it
        log.exception("stock.changed rules failed")


@receiver(request_finished, dispatch_uid="zs_rules.run_deferred")
@receiver(work_finished, dispatch_uid="zs_rules.run_deferred_after_work")
def run_deferred_after_request(sender, **kwargs) -> None:
    try:
        services.run_deferred()
    except Exception:
        log.exception("deferred rule actions failed")
