"""What a request would do to the schedule and stock, shown on the request page before anyone
decides, and told to the people concerned once an approved request is applied.

The schedule part runs the production scheduler without writing (``projected_finishes``): once
as things stand and once as if the order's priority and due date were already changed. Orders
whose projected finish moves later are the ones the change pushes back."""

import contextlib
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from zhongshu.core.actors import Actor
from zhongshu.orders.models import Order

from .models import Kind, Request, RequestStatus


@dataclass
class Pushed:
    order_id: int
    number: str
    owner_id: int | None
    due_date: dt.date
    finish_before: dt.datetime | None
    finish_after: dt.datetime | None


@dataclass
class Impact:
    finish_before: dt.datetime | None = None
    finish_after: dt.datetime | None = None
    pushed: list[Pushed] = field(default_factory=list)
    stock: list[dict] = field(default_factory=list)

    @property
    def has_schedule(self) -> bool:
        return self.finish_before is not None or self.finish_after is not None


def schedule_change(request: Request) -> dict:
    """The priority/due date the request would give its order (empty when it changes neither)."""
    if request.kind not in (Kind.RUSH, Kind.DESIGN_CHANGE):
        return {}
    payload = request.payload or {}
    out = {}
    if payload.get("priority"):
        out["priority"] = payload["priority"]
    if payload.get("due_date"):
        with contextlib.suppress(ValueError):
            out["due_date"] = dt.date.fromisoformat(str(payload["due_date"]))
    return out


def _later(a: dt.datetime | None, b: dt.datetime | None) -> bool:
    if a is None:
        return False
    return b is None or b > a


def compare(order_id: int, before: dict, after: dict) -> Impact:
    """The order's finish before and after, and every other order now finishing later."""
    moved = [oid for oid in after.keys() | before.keys()
             if oid != order_id and _later(before.get(oid), after.get(oid))]  # fmt: skip
    orders = Order.objects.filter(pk__in=moved).order_by("due_date", "pk")
    pushed = [
        Pushed(
            order_id=o.pk,
            number=o.number,
            owner_id=o.sales_owner_id,
            due_date=o.due_date,
            finish_before=before.get(o.pk),
            finish_after=after.get(o.pk),
        )
        for o in orders
    ]
    return Impact(finish_before=before.get(order_id), finish_after=after.get(order_id),
                  pushed=pushed)  # fmt: skip


def preview(request: Request, *, actor: Actor, now: dt.datetime | None = None) -> Impact:
    """For a pending request: what approving it would do (schedule, and the stock of the lines
    whose quantity it changes). Nothing is written."""
    from zhongshu.production.services import projected_finishes

    impact = Impact()
    change = schedule_change(request)
    if request.status == RequestStatus.PENDING and change:
        now = now or timezone.localtime()
        before = projected_finishes(now=now)
        if request.order_id in before:
            after = projected_finishes(overrides={request.order_id: change}, now=now)
            impact = compare(request.order_id, before, after)
    if request.status == RequestStatus.PENDING and request.kind == Kind.DESIGN_CHANGE:
        impact.stock = _stock_rows(request, actor)
    return impact


def _stock_rows(request: Request, actor: Actor) -> list[dict]:
    """Stock lines whose quantity the change raises: available now against the extra needed
    (shown to whoever may see stock)."""
    from zhongshu.accounts import permissions
    from zhongshu.inventory.selectors import material_totals

    if not permissions.can(actor, "inventory.view"):
        return []
    lines = {ln.line_no: ln for ln in request.the_order().lines.select_related("material")}
    rows = []
    for item in (request.payload or {}).get("lines", []):
        line_no = item.get("line_no") if isinstance(item, dict) else None
        line = lines.get(line_no) if line_no is not None else None
        if line is None or line.fulfilment != "stock" or item.get("quantity") in (None, ""):
            continue
        try:
            extra = Decimal(str(item["quantity"])) - line.quantity
        except ArithmeticError:
            continue
        if extra > 0:
            available = material_totals(actor=actor, material=line.material)["available"]
            rows.append({"material": line.material.code, "extra": extra,
                         "available": available, "short": available < extra})  # fmt: skip
    return rows
