"""The rules engine's part in order transitions, edits and stock movements (registered from
``RulesConfig.ready``)."""

import logging

from django.core.signals import request_finished
from django.dispatch import receiver

from zhongshu.core.signals import stock_changed
from zhongshu.orders import hooks
from zhongshu.orders.statuses import TRANSITIONS

from . import services
from .models import Trigger

log = logging.getLogger(__name__)


@hooks.guard("submit")
def block_by_rules(ctx: hooks.TransitionContext) -> None:
    services.check_submission(ctx.order)


@hooks.on_commit("*")
def check_after_commit(ctx: hooks.TransitionContext) -> None:
    if ctx.action == "created":
        services.check_event(Trigger.ORDER_CREATED, [ctx.order.pk])
    elif ctx.action == "updated":
        services.check_event(Trigger.ORDER_UPDATED, [ctx.order.pk])
    elif ctx.action in TRANSITIONS:
        if ctx.action == "submit":
            services.check_event(Trigger.ORDER_SUBMITTED, [ctx.order.pk])
        services.check_event(Trigger.ORDER_STATUS_CHANGED, [ctx.order.pk])


@receiver(stock_changed, dispatch_uid="zs_rules.stock_changed")
def check_stock(sender, material_ids=(), **kwargs) -> None:
    try:
        services.check_stock_change(set(material_ids))
    except Exception:  # the stock movement is committed; a failing rule must not undo it
        log.exception("stock.changed rules failed")


@receiver(request_finished, dispatch_uid="zs_rules.run_deferred")
def run_deferred_after_request(sender, **kwargs) -> None:
    try:
        services.run_deferred()
    except Exception:
        log.exception("deferred rule actions failed")
