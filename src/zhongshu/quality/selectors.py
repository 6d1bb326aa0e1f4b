"""Quality-control reads, always scoped to the orders the user may see (QC sees its stages)."""

from django.db.models import Prefetch, QuerySet

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor
from zhongshu.core.text import normalize_code
from zhongshu.orders.models import Order
from zhongshu.orders.statuses import OrderStatus

from .models import InspectionItem, InspectionPlan, InspectionRecord, Measurement, Nonconformance
from .services import order_items


def plan_list(*, actor: Actor) -> QuerySet:
    permissions.require(actor, "qc.view")
    return InspectionPlan.objects.select_related("material", "updated_by").prefetch_related(
        Prefetch("items", queryset=InspectionItem.objects.order_by("sequence", "id"))
    )


def plan_get(*, actor: Actor, material: str) -> InspectionPlan:
    return permissions.get_in_scope(plan_list(actor=actor), material__code=normalize_code(material))


def awaiting_orders(*, actor: Actor) -> QuerySet:
    """Orders waiting for inspection that the user may see, oldest finished first."""
    permissions.require(actor, "qc.view")
    qs = permissions.scope_orders(actor, Order.objects.filter(status=OrderStatus.AWAITING_QC))
    return qs.select_related("customer").order_by("production_finished_at", "id")


def order_get(*, actor: Actor, order_id) -> Order:
    permissions.require(actor, "qc.view")
    qs = permissions.scope_orders(actor, Order.objects.select_related("customer"))
    return permissions.get_in_scope(qs, pk=order_id)


def checklist(*, actor: Actor, order: Order) -> list[InspectionItem]:
    permissions.require(actor, "qc.view")
    return order_items(order)


def record_list(*, actor: Actor, order_id=None, order_number: str = "") -> QuerySet:
    """Inspection records, newest first (ordered by id so keyset paging is stable)."""
    permissions.require(actor, "qc.view")
    qs = permissions.scope_orders(actor, InspectionRecord.objects.all(), prefix="order__")
    if order_id is not None:
        qs = qs.filter(order_id=order_id)
    if order_number:
        qs = qs.filter(order__number=normalize_code(order_number))
    return (
        qs.select_related("order", "inspector")
        .prefetch_related(
            Prefetch("measurements", queryset=Measurement.objects.order_by("sequence"))
        )
        .order_by("-id")
    )


def record_get(*, actor: Actor, record_id) -> InspectionRecord:
    return permissions.get_in_scope(record_list(actor=actor), pk=record_id)


def nonconformance_list(*, actor: Actor, status: str = "", order_id=None) -> QuerySet:
    permissions.require(actor, "qc.view")
    qs = permissions.scope_orders(actor, Nonconformance.objects.all(), prefix="order__")
    if status:
        qs = qs.filter(status=status)
    if order_id is not None:
        qs = qs.filter(order_id=order_id)
    return qs.select_related("order", "opened_by", "closed_by", "record").order_by("-id")


def nonconformance_get(*, actor: Actor, nc_id) -> Nonconformance:
    return permissions.get_in_scope(nonconformance_list(actor=actor), pk=nc_id)
