"""Purchasing reads: suppliers, supplier prices, one purchase order as a document (its lines and
totals), and the figures of the purchasing page (ageing of open purchase orders, each supplier's
on-time rate)."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor
from zhongshu.core.errors import NotFound
from zhongshu.core.text import normalize_code, normalize_text

from .models import CENT, PurchaseOrder, PurchaseOrderStatus, Supplier, SupplierPrice

ZERO = Decimal("0")


def supplier_list(*, actor: Actor, q: str = "", active: bool | None = None) -> QuerySet:
    permissions.require(actor, "planning.suppliers_view")
    qs = Supplier.objects.all()
    if active is not None:
        qs = qs.filter(active=active)
    q = normalize_text(q)
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(contact__icontains=q))
    return qs.order_by("code")


def supplier_get(*, actor: Actor, code: str) -> Supplier:
    return permissions.get_in_scope(supplier_list(actor=actor), code=normalize_code(code))


def price_list(*, actor: Actor, supplier: str = "", material: str = "") -> QuerySet:
    permissions.require(actor, "planning.suppliers_view")
    qs = SupplierPrice.objects.select_related("supplier", "material")
    if supplier:
        qs = qs.filter(supplier__code=normalize_code(supplier))
    if material:
        qs = qs.filter(material__code=normalize_code(material))
    return qs.order_by("material__code", "-preferred", "price", "id")


@dataclass
class PurchaseDocument:
    """A purchase order as sent: the lines sharing its number, and their totals."""

    number: str
    supplier: Supplier | None
    lines: list[PurchaseOrder]
    currency: str
    created_at: dt.datetime
    net: Decimal = ZERO
    tax: Decimal = ZERO
    priced: bool = True
    due_dates: list[dt.date] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return self.net + self.tax


def purchase_document(*, actor: Actor, number: str) -> PurchaseDocument:
    permissions.require(actor, "planning.po_view")
    lines = list(
        PurchaseOrder.objects.filter(number=normalize_code(number))
        .select_related("material", "supplier")
        .order_by("line_no", "id")
    )
    if not lines:
        raise NotFound()
    doc = PurchaseDocument(
        number=lines[0].number,
        supplier=lines[0].supplier,
        lines=lines,
        currency=lines[0].currency,
        created_at=lines[0].created_at,
    )
    for line in lines:
        if line.amount is None:
            doc.priced = False
            continue
        doc.net += line.amount
        doc.tax += line.tax_amount or ZERO
    doc.net, doc.tax = doc.net.quantize(CENT), doc.tax.quantize(CENT)
    doc.due_dates = sorted({line.due_date for line in lines})
    return doc


AGE_BUCKETS = ((0, 7), (8, 30), (31, 60), (61, None))


def purchasing_figures(*, actor: Actor, today: dt.date | None = None) -> dict:
    """Ageing of open purchase order lines (days since they were ordered, and how many are past
    their due date) and, per supplier, the share of received lines that arrived by their due
    date. Two queries."""
    permissions.require(actor, "planning.po_view")
    today = today or timezone.localdate()
    buckets: list[dict[str, Any]] = [{"low": lo, "high": hi, "count": 0} for lo, hi in AGE_BUCKETS]
    overdue = 0
    for created, due in PurchaseOrder.objects.filter(status=PurchaseOrderStatus.OPEN).values_list(
        "created_at", "due_date"
    ):
        age = (today - timezone.localtime(created).date()).days
        for b in buckets:
            if age >= b["low"] and (b["high"] is None or age <= b["high"]):
                b["count"] += 1
                break
        overdue += due < today
    rates: dict[int, dict] = {}
    received = PurchaseOrder.objects.filter(
        status=PurchaseOrderStatus.RECEIVED, supplier__isnull=False
    ).values_list("supplier_id", "supplier__code", "supplier__name", "due_date", "closed_at")
    for sid, code, name, due, closed in received:
        row = rates.setdefault(sid, {"code": code, "name": name, "received": 0, "on_time": 0})
        row["received"] += 1
        row["on_time"] += closed is not None and timezone.localtime(closed).date() <= due
    suppliers = sorted(rates.values(), key=lambda r: r["code"])
    for row in suppliers:
        row["rate"] = round(100 * row["on_time"] / row["received"], 1)
    return {"ageing": buckets, "overdue": overdue, "suppliers": suppliers}
