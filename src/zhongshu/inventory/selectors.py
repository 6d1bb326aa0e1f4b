"""Inventory reads: levels, the ledger, availability with its T+ freshness, shipments."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import (
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from zhongshu.accounts import permissions
from zhongshu.catalog.models import Material
from zhongshu.core.actors import Actor
from zhongshu.core.text import normalize_code, normalize_text
from zhongshu.orders.models import Order

from . import tplus
from .models import (
    ZERO,
    Reservation,
    ReservationStatus,
    Shipment,
    StockLevel,
    StockMovement,
    Warehouse,
)


def level_list(
    *, actor: Actor, q: str = "", warehouse: str = "", below_safety: bool = False
) -> QuerySet[StockLevel]:
    permissions.require(actor, "inventory.view")
    qs = StockLevel.objects.select_related("material", "warehouse").annotate(
        available_qty=ExpressionWrapper(
            F("on_hand") - F("reserved"), output_field=DecimalField(max_digits=14, decimal_places=3)
        )
    )
    q = normalize_text(q)
    if q:
        qs = qs.filter(Q(material__code__icontains=q) | Q(material__name__icontains=q))
    if warehouse:
        qs = qs.filter(warehouse__code=normalize_code(warehouse))
    if below_safety:
        qs = qs.filter(available_qty__lt=F("material__safety_stock"))
    return qs.order_by("material__code", "warehouse__code", "id")


@dataclass
class MovementFilters:
    material: str = ""
    warehouse: str = ""
    kind: str = ""
    order: str = ""
    since: dt.date | None = None
    until: dt.date | None = None


def movement_list(
    *, actor: Actor, filters: MovementFilters | None = None
) -> QuerySet[StockMovement]:
    """The ledger, newest first (ordered by id, so keyset paging is stable)."""
    permissions.require(actor, "inventory.view")
    f = filters or MovementFilters()
    qs = permissions.scope_order_linked(
        actor, StockMovement.objects.select_related("material", "warehouse", "actor", "order")
    )
    if f.material:
        qs = qs.filter(material__code=normalize_code(f.material))
    if f.warehouse:
        qs = qs.filter(warehouse__code=normalize_code(f.warehouse))
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.order:
        qs = qs.filter(order__number=normalize_code(f.order))
    tz = timezone.get_current_timezone()
    if f.since:
        qs = qs.filter(created_at__gte=dt.datetime.combine(f.since, dt.time.min, tzinfo=tz))
    if f.until:
        end = dt.datetime.combine(f.until + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        qs = qs.filter(created_at__lt=end)
    return qs.order_by("-id")


def availability(
    *, actor: Actor, material: str, warehouse: str = "", refresh: bool = True
) -> dict[str, Any] | None:
    """What can still be promised of a material, with where the figure came from.

    Without ``warehouse``: the default warehouse, the one orders reserve from. With T+ set up the
    figure is refreshed first (short timeout); when T+ does not answer the last synced figure is
    returned with ``stale: true`` and its age. ``None`` for an unknown material.
    """
    permissions.require(actor, "inventory.view")
    material_obj = Material.objects.filter(code=normalize_code(material)).first()
    if material_obj is None:
        return None
    wh_code = normalize_code(warehouse)
    wh = (
        Warehouse.objects.filter(code=wh_code).first()
        if wh_code
        else Warehouse.objects.filter(is_default=True).first()
    )
    if wh_code and wh is None:
        return None
    answered = tplus.refresh_material(material_obj.code) if refresh else False
    level = (
        StockLevel.objects.filter(material=material_obj, warehouse=wh).first()
        if wh is not None
        else None
    )
    on_hand = level.on_hand if level else ZERO
    reserved = level.reserved if level else ZERO
    synced_at = level.synced_at if level else None
    configured = tplus.configured()
    stale = False
    if configured:
        too_old = synced_at is None or (
            timezone.now() - synced_at > dt.timedelta(seconds=settings.TPLUS_STALE_AFTER)
        )
        stale = (refresh and not answered) or too_old
    return {
        "material": material_obj.code,
        "material_name": material_obj.name,
        "unit": material_obj.unit,
        "warehouse": wh.code if wh else None,
        "on_hand": on_hand,
        "reserved": reserved,
        "available": on_hand - reserved,
        "safety_stock": material_obj.safety_stock,
        "source": "tplus" if synced_at else "local",
        "synced_at": synced_at,
        "stale": stale,
        "oversold_risk": bool(level and level.oversold_risk),
    }


def material_totals(*, actor: Actor, material: Material) -> dict[str, Decimal]:
    permissions.require(actor, "inventory.view")
    agg = StockLevel.objects.filter(material=material).aggregate(
        on_hand=Sum("on_hand"), reserved=Sum("reserved")
    )
    on_hand, reserved = agg["on_hand"] or ZERO, agg["reserved"] or ZERO
    return {"on_hand": on_hand, "reserved": reserved, "available": on_hand - reserved}


def shipment_list(*, actor: Actor, order: str = "") -> QuerySet[Shipment]:
    permissions.require(actor, "shipments.view")
    qs = permissions.scope_orders(actor, Shipment.objects.all(), prefix="order__")
    if order:
        qs = qs.filter(order__number=normalize_code(order))
    return qs.select_related("order", "order__customer", "shipped_by").order_by("-id")


def shipment_get(*, actor: Actor, shipment_id: int) -> Shipment:
    qs = shipment_list(actor=actor).prefetch_related("lines", "lines__order_line__material")
    shipment: Shipment = permissions.get_in_scope(qs, pk=shipment_id)
    return shipment


def warehouse_list(*, actor: Actor) -> QuerySet[Warehouse]:
    permissions.require(actor, "inventory.view")
    return Warehouse.objects.filter(is_active=True).order_by("code")


_QTY = DecimalField(max_digits=14, decimal_places=3)


def _sum_of(qs: QuerySet[Any], group: str, field: str) -> Coalesce:
    """``SUM(field)`` of the rows of ``qs`` (already tied to the outer row), 0 when none."""
    sums = qs.order_by().values(group).annotate(s=Sum(field)).values("s")[:1]
    return Coalesce(Subquery(sums, output_field=_QTY), Value(ZERO), output_field=_QTY)


def order_line_stock(*, actor: Actor, order: Order) -> list[dict[str, Any]]:
    """Each line of ``order`` with the stock of its material over every warehouse (on hand,
    reserved, available) and what is held for that line right now: one statement whatever the
    number of lines (the lines, with the grouped levels and holds as subqueries)."""
    permissions.require(actor, "inventory.view")
    levels = StockLevel.objects.filter(material_id=OuterRef("material_id"))
    holds = Reservation.objects.filter(
        order_line_id=OuterRef("pk"), status=ReservationStatus.ACTIVE
    )
    lines = (
        order.lines.select_related("material")
        .annotate(
            on_hand_sum=_sum_of(levels, "material_id", "on_hand"),
            reserved_sum=_sum_of(levels, "material_id", "reserved"),
            held_sum=_sum_of(holds, "order_line_id", "quantity"),
        )
        .order_by("line_no", "id")
    )
    return [
        {
            "line": line,
            "on_hand": line.on_hand_sum,
            "reserved": line.reserved_sum,
            "available": line.on_hand_sum - line.reserved_sum,
            "held": line.held_sum,
        }
        for line in lines
    ]


def order_shipments(*, actor: Actor, order: Order) -> list[Shipment]:
    """The shipments of ``order`` (in the actor's scope), oldest first, with who shipped them."""
    permissions.require(actor, "shipments.view")
    qs = permissions.scope_orders(actor, Shipment.objects.filter(order=order), prefix="order__")
    return list(qs.select_related("shipped_by").order_by("shipped_at", "id"))
