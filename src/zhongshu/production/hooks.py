"""Production's part in the order status machine (registered from ``ProductionConfig.ready``).

* ``confirm`` is refused while a make-to-order line's product has no routing; once confirmed,
  every make line gets its task sheet (in the same transaction).
* ``cancel`` cancels the open tasks.
* ``start`` / ``finish`` fired by hand (a supervisor, not a task on the floor) start the first
  operation of every sheet / record the open tasks as done.
* The schedule reflows after every change that affects it (on commit, once per transaction).
"""

from zhongshu.orders import hooks

from . import services
from .exceptions import RoutingMissing
from .models import OPEN_TASK, Task


def _by_task(ctx: hooks.TransitionContext) -> bool:
    return ctx.data.get("source") == "task"


@hooks.guard("confirm")
def routing_required_on_confirm(ctx: hooks.TransitionContext) -> None:
    missing = services.missing_routings(ctx.order)
    if missing:
        raise RoutingMissing(missing)


@hooks.effect("confirm")
def sheets_on_confirm(ctx: hooks.TransitionContext) -> None:
    services.create_sheets(order=ctx.order, routings_checked=True)


@hooks.effect("cancel")
def cancel_tasks_on_cancel(ctx: hooks.TransitionContext) -> None:
    services.cancel_tasks(order=ctx.order)


@hooks.effect("start")
def first_operations_on_manual_start(ctx: hooks.TransitionContext) -> None:
    if not _by_task(ctx):
        services.start_first_tasks(order=ctx.order)


@hooks.effect("finish")
def close_tasks_on_manual_finish(ctx: hooks.TransitionContext) -> None:
    if not _by_task(ctx):
        services.close_open_tasks(order=ctx.order)


@hooks.on_commit("updated")
def reflow_on_order_change(ctx: hooks.TransitionContext) -> None:
    # due date and priority order the schedule; only orders with open tasks matter
    if Task.objects.filter(order_id=ctx.order.pk, status__in=OPEN_TASK).exists():
        services.request_reflow()
