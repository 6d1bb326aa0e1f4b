"""What if a new order came in? The planner adds a hypothetical order (material, quantity, due date,
priority) and sees the date it could ship and which open orders would turn late — computed by the
same finite-capacity scheduler (``scheduler.schedule``) on the same open tasks and calendars as
``services.reschedule``, run once without and once with the hypothetical order. Nothing is
written: the function only reads.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.catalog.models import Fulfilment, Material
from zhongshu.core.actors import Actor
from zhongshu.core.text import normalize_code, normalize_text
from zhongshu.core.validation import Errors, clean_choice, clean_decimal
from zhongshu.orders.models import Order
from zhongshu.orders.statuses import Priority

from . import scheduler
from .calendar import hours_to_minutes
from .models import OPEN_TASK, Operation, Task, TaskStatus, WorkCenter
from .services import line_calendars

HYPOTHETICAL = -1  # order and sheet id of the order that does not exist
MAX_QUANTITY = Decimal("1000000")


def _clean_date(errors: Errors, field: str, value: Any) -> dt.date | None:
    if value in (None, ""):
        errors.add(field, _("This field is required."))
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(normalize_text(str(value)))
    except ValueError:
        errors.add(field, _("Enter a date as YYYY-MM-DD."))
        return None


def _clean(data: dict[str, Any], today: dt.date) -> tuple[Material, Decimal, dt.date, str]:
    errors = Errors()
    code = normalize_code(data.get("material"))
    material = None
    if not code:
        errors.add("material", _("This field is required."))
    else:
        material = Material.objects.filter(code=code, is_active=True).first()
        if material is None:
            errors.add("material", _("Unknown material %(code)s.") % {"code": code})
        elif material.fulfilment != Fulfilment.MAKE:
            errors.add("material", _("%(code)s is not made to order.") % {"code": code})
        elif not Operation.objects.filter(routing__material=material).exists():
            errors.add("material", _("%(code)s has no routing.") % {"code": code})
    qty = clean_decimal(
        errors, "quantity", data.get("quantity"), places=3, strictly_positive=True,
        max_value=MAX_QUANTITY,
    )  # fmt: skip
    due = _clean_date(errors, "due_date", data.get("due_date"))
    if due is not None and due < today:
        errors.add("due_date", _("The date is in the past."))
    priority = clean_choice(errors, "priority", data.get("priority") or Priority.NORMAL, Priority)
    errors.raise_if_any()
    assert material is not None and qty is not None  # a missing or unknown value was refused above
    assert due is not None and priority is not None
    return material, qty, due, priority


def _open_items() -> tuple[list[scheduler.TaskIn], dict[int, dt.date]]:
    rows = Task.objects.filter(status__in=OPEN_TASK).values_list(
        "pk", "order_id", "sheet_id", "sequence", "work_center_id", "pinned_work_center_id",
        "estimated_hours", "status", "pinned_date", "order__priority", "order__due_date",
    )  # fmt: skip
    items, due = [], {}
    for pk, order_id, sheet_id, seq, wc, pinned_wc, hours, status, pinned, prio, due_date in rows:
        items.append(
            scheduler.TaskIn(
                id=pk, order_id=order_id, sheet_id=sheet_id, sequence=seq,
                line_id=pinned_wc or wc, minutes=hours_to_minutes(hours), priority=prio,
                due=due_date, in_progress=status == TaskStatus.IN_PROGRESS, pinned_date=pinned,
            )
        )  # fmt: skip
        due[order_id] = due_date
    return items, due


def _late(result: scheduler.Result, due: dict[int, dt.date], tz) -> set[int]:
    return {
        order_id
        for order_id, finish in result.order_finish.items()
        if order_id in due
        and (finish is None or timezone.localtime(finish, tz).date() > due[order_id])
    }


def what_if(
    *, actor: Actor, data: dict[str, Any], now: dt.datetime | None = None
) -> dict[str, Any]:
    """The promise date of a hypothetical order and the open orders it would make late."""
    permissions.require(actor, "production.what_if")
    now = now or timezone.localtime()
    tz = timezone.get_current_timezone()
    material, qty, due, priority = _clean(data, timezone.localdate(now))
    items, due_by_order = _open_items()
    cals = line_calendars(list(WorkCenter.objects.all()), since=now.date())
    base = scheduler.schedule(items, cals, now=now)
    ops = Operation.objects.filter(routing__material=material).order_by("sequence")
    extra = [
        scheduler.TaskIn(
            id=-(k + 1), order_id=HYPOTHETICAL, sheet_id=HYPOTHETICAL, sequence=op.sequence,
            line_id=op.work_center_id, minutes=hours_to_minutes(op.setup_hours + qty * op.run_hours_per_unit),
            priority=priority, due=due,
        )
        for k, op in enumerate(ops)
    ]  # fmt: skip
    trial = scheduler.schedule(items + extra, cals, now=now)
    finish = trial.order_finish.get(HYPOTHETICAL)
    promise = timezone.localtime(finish, tz).date() if finish is not None else None
    turned = sorted(_late(trial, due_by_order, tz) - _late(base, due_by_order, tz))
    orders = {
        o.pk: o
        for o in permissions.scope_orders(actor, Order.objects.select_related("customer")).filter(
            pk__in=turned
        )
    }
    late = []
    for order_id in turned:
        order = orders.get(order_id)
        if order is None:  # outside the planner's scope: counted, not named
            continue
        before, after = base.order_finish.get(order_id), trial.order_finish.get(order_id)
        late.append(
            {
                "order_id": order_id, "number": order.number, "customer": order.customer.name,
                "priority": order.priority, "due_date": order.due_date,
                "finish_before": before, "finish_after": after,
            }
        )  # fmt: skip
    return {
        "material": material.code, "quantity": qty, "due_date": due, "priority": priority,
        "promise_date": promise, "projected_finish": finish,
        "on_time": promise is not None and promise <= due,
        "turn_late": late, "turn_late_count": len(turned),
    }  # fmt: skip
