"""Purchasing writes: suppliers, their prices per material, and purchase orders with a supplier
and prices — MRP suggestions accepted together become one purchase order per supplier."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.catalog.models import Material
from zhongshu.core.actors import Actor
from zhongshu.core.errors import NotFound, ValidationFailed
from zhongshu.core.text import is_valid_code, normalize_code, normalize_text
from zhongshu.core.validation import code_charset_message, parse_decimal

from .models import PurchaseOrder, PurchaseSuggestion, SuggestionStatus, Supplier, SupplierPrice
from .services import _date  # the one date parser of planning inputs

MAX_PRICE = Decimal("9999999999")
SUPPLIER_TEXT = {"name": 100, "contact": 50, "phone": 30, "address": 200, "payment_terms": 100}


def _decimal(value, field: str, *, places: int, upper: Decimal = MAX_PRICE) -> Decimal:
    """A price, rate or quantity through the one decimal parser (NaN, Infinity, overflow and more
    decimals than kept are refused, never rounded)."""
    try:
        return parse_decimal(value, places=places, min_value=Decimal(0), max_value=upper)
    except ValueError as exc:
        raise ValidationFailed({field: str(exc)}) from None


def _days(value, field: str) -> int:
    try:
        days = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationFailed({field: _("Enter a whole number of days.")}) from None
    if not 0 <= days <= 3650:
        raise ValidationFailed({field: _("Between 0 and 3650 days.")})
    return days


def _currency(value) -> str:
    code = str(value or "CNY").strip().upper()
    if len(code) != 3 or not code.isalpha() or not code.isascii():
        raise ValidationFailed({"currency": _("A three-letter currency code, e.g. CNY.")})
    return code


# --- suppliers ------------------------------------------------------------------------------------


def _apply_supplier_fields(supplier: Supplier, data: dict) -> None:
    for field, limit in SUPPLIER_TEXT.items():
        if field in data and data[field] is not None:
            value = normalize_text(str(data[field]))
            if len(value) > limit:
                raise ValidationFailed({field: _("At most %(n)d characters.") % {"n": limit}})
            setattr(supplier, field, value)
    if data.get("lead_time_days") is not None:
        supplier.lead_time_days = _days(data["lead_time_days"], "lead_time_days")
    if data.get("active") is not None:
        supplier.active = bool(data["active"])
    if not supplier.name:
        raise ValidationFailed({"name": _("Enter the supplier's name.")})


def clean_supplier(data: dict) -> dict:
    """The supplier fields of ``data`` as ``supplier_create`` would store them, or
    ``ValidationFailed`` with the first problem (an import checks its rows with this)."""
    probe = Supplier(code="")
    _apply_supplier_fields(probe, data)
    return {f: getattr(probe, f) for f in (*SUPPLIER_TEXT, "lead_time_days")}


@transaction.atomic
def supplier_create(*, actor: Actor, code: str, name: str, **fields) -> Supplier:
    permissions.require(actor, "planning.suppliers_edit")
    code = normalize_code(code or "")
    if not code or len(code) > 32:
        raise ValidationFailed({"code": _("Enter a code of at most 32 characters.")})
    if not is_valid_code(code):
        raise ValidationFailed({"code": code_charset_message()})
    if Supplier.objects.filter(code=code).exists():
        raise ValidationFailed({"code": _("A supplier with this code already exists.")})
    supplier = Supplier(code=code)
    _apply_supplier_fields(supplier, {"name": name, **fields})
    supplier.save()
    return supplier


@transaction.atomic
def supplier_update(*, actor: Actor, code: str, **fields) -> Supplier:
    permissions.require(actor, "planning.suppliers_edit")
    supplier = Supplier.objects.select_for_update().filter(code=normalize_code(code)).first()
    if supplier is None:
        raise NotFound()
    _apply_supplier_fields(supplier, fields)
    supplier.save()
    return supplier


def supplier_deactivate(*, actor: Actor, code: str) -> Supplier:
    """Deactivated suppliers keep their purchase orders but get no new ones from MRP."""
    return supplier_update(actor=actor, code=code, active=False)


# --- supplier prices ------------------------------------------------------------------------------


def _apply_price_fields(price: SupplierPrice, data: dict) -> None:
    if data.get("price") is not None:
        price.price = _decimal(data["price"], "price", places=4)
    if data.get("currency") is not None:
        price.currency = _currency(data["currency"])
    if data.get("tax_rate") is not None:
        price.tax_rate = _decimal(data["tax_rate"], "tax_rate", places=4, upper=Decimal("0.9999"))
    if data.get("min_order_qty") is not None:
        price.min_order_qty = _decimal(data["min_order_qty"], "min_order_qty", places=3)
    if data.get("lead_time_days") is not None:
        price.lead_time_days = _days(data["lead_time_days"], "lead_time_days")
    if data.get("valid_from") is not None:
        price.valid_from = _date(data["valid_from"], "valid_from")
    if "valid_to" in data:
        price.valid_to = (
            None if data["valid_to"] in (None, "") else _date(data["valid_to"], "valid_to")
        )
    if data.get("preferred") is not None:
        price.preferred = bool(data["preferred"])
    if price.valid_to is not None and price.valid_to < price.valid_from:
        raise ValidationFailed({"valid_to": _("The end of validity is before its start.")})


PRICE_FIELDS = ("price", "currency", "tax_rate", "min_order_qty", "lead_time_days", "valid_from",
                "valid_to", "preferred")  # fmt: skip


def clean_supplier_price(data: dict) -> dict:
    """A supplier price's fields checked by the rules of the price form (``ValidationFailed``
    names the first bad field): what an import compares with the stored price and saves."""
    row = SupplierPrice(valid_from=timezone.localdate())
    _apply_price_fields(row, data)
    return {f: getattr(row, f) for f in PRICE_FIELDS}


@transaction.atomic
def supplier_price_create(
    *, actor: Actor, supplier: str, material: str, price, **fields
) -> SupplierPrice:
    permissions.require(actor, "planning.suppliers_edit")
    sup = Supplier.objects.filter(code=normalize_code(supplier or "")).first()
    if sup is None:
        raise ValidationFailed({"supplier": _("Unknown supplier.")})
    mat = Material.objects.filter(code=normalize_code(material or "")).first()
    if mat is None:
        raise ValidationFailed({"material": _("Unknown material.")})
    row = SupplierPrice(supplier=sup, material=mat, valid_from=timezone.localdate())
    _apply_price_fields(row, {"price": price, **fields})
    row.save()
    return row


@transaction.atomic
def supplier_price_update(*, actor: Actor, price_id: int, **fields) -> SupplierPrice:
    permissions.require(actor, "planning.suppliers_edit")
    row = SupplierPrice.objects.select_for_update().filter(pk=price_id).first()
    if row is None:
        raise NotFound()
    _apply_price_fields(row, fields)
    row.save()
    return row


def valid_prices(material_ids, on: dt.date) -> dict[int, SupplierPrice]:
    """The price MRP buys each material at on ``on``: of the valid prices of active suppliers,
    the preferred one, else the cheapest (then the oldest row). One query for all materials."""
    rows = (
        SupplierPrice.objects.filter(
            material_id__in=set(material_ids), supplier__active=True, valid_from__lte=on
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .select_related("supplier")
        .order_by("material_id", "-preferred", "price", "id")
    )
    best: dict[int, SupplierPrice] = {}
    for row in rows:
        best.setdefault(row.material_id, row)
    return best


# --- purchase orders from suggestions -------------------------------------------------------------


def _line(suggestion: PurchaseSuggestion, price: SupplierPrice | None, **kw) -> PurchaseOrder:
    quantity = suggestion.quantity
    if price is not None and quantity < price.min_order_qty:
        quantity = price.min_order_qty
    return PurchaseOrder(
        material_id=suggestion.material_id,
        quantity=quantity,
        due_date=suggestion.need_date,
        suggestion=suggestion,
        supplier=price.supplier if price else None,
        unit_price=price.price if price else None,
        currency=price.currency if price else "CNY",
        tax_rate=price.tax_rate if price else Decimal("0"),
        **kw,
    )


@transaction.atomic
def suggestions_accept_grouped(*, actor: Actor, suggestion_ids=None, today=None) -> list[str]:
    """Accept undecided suggestions (the given ones, or all) into purchase orders: one per
    supplier — the preferred supplier of each material at its valid price on the order-by date,
    quantity raised to the price's minimum order quantity — with one line per suggestion.
    Materials without a valid price get a purchase order of their own without supplier. Returns
    the numbers of the purchase orders created; those above the approval amount wait for
    approval (``po_approval``)."""
    from .po_approval import hold_if_above
    from .services import _next_po_number

    permissions.require(actor, "planning.decide")
    qs = PurchaseSuggestion.objects.select_for_update().filter(status=SuggestionStatus.NEW)
    if suggestion_ids is not None:
        qs = qs.filter(pk__in=list(suggestion_ids))
    suggestions = list(qs.order_by("material_id", "need_date", "id"))
    on = today or timezone.localdate()
    prices = valid_prices((s.material_id for s in suggestions), on)
    groups: dict[int | None, list] = defaultdict(list)
    for s in suggestions:
        price = prices.get(s.material_id)
        groups[price.supplier_id if price else None].append((s, price))
    lines: list[PurchaseOrder] = []
    numbers: list[str] = []
    for supplier_id in sorted(groups, key=lambda k: (k is None, k or 0)):
        members = groups[supplier_id]
        batches = [members] if supplier_id is not None else [[m] for m in members]
        for batch in batches:
            number = _next_po_number()
            numbers.append(number)
            for no, (s, price) in enumerate(batch, start=1):
                lines.append(_line(s, price, number=number, line_no=no, created_by=actor))
    PurchaseOrder.objects.bulk_create(lines)
    now = timezone.now()
    PurchaseSuggestion.objects.filter(pk__in=[s.pk for s in suggestions]).update(
        status=SuggestionStatus.ACCEPTED, decided_by=actor, decided_at=now
    )
    hold_if_above(actor=actor, numbers=numbers)
    return numbers


def priced_line(*, suggestion: PurchaseSuggestion, number: str, actor: Actor) -> PurchaseOrder:
    """One suggestion accepted on its own: a one-line purchase order at its supplier price."""
    price = valid_prices([suggestion.material_id], timezone.localdate()).get(suggestion.material_id)
    line = _line(suggestion, price, number=number, created_by=actor)
    line.save()
    return line


def hand_price(*, material: Material, supplier: str | None, unit_price, tax_rate, currency):
    """Supplier and price of a purchase order entered by hand: the supplier named (its valid
    price when no unit price is given), or nothing."""
    if supplier in (None, ""):
        if unit_price not in (None, ""):
            raise ValidationFailed({"supplier": _("Name the supplier the price is from.")})
        return {}
    sup = Supplier.objects.filter(code=normalize_code(supplier), active=True).first()
    if sup is None:
        raise ValidationFailed({"supplier": _("Unknown or inactive supplier.")})
    out: dict[str, Supplier | Decimal | str] = {"supplier": sup}
    today = timezone.localdate()
    listed = (
        SupplierPrice.objects.filter(supplier=sup, material=material, valid_from__lte=today)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .order_by("price", "id")
        .first()
    )
    if unit_price not in (None, ""):
        out["unit_price"] = _decimal(unit_price, "unit_price", places=4)
    elif listed is not None:
        out["unit_price"] = listed.price
        out["tax_rate"], out["currency"] = listed.tax_rate, listed.currency
    if tax_rate not in (None, ""):
        out["tax_rate"] = _decimal(tax_rate, "tax_rate", places=4, upper=Decimal("0.9999"))
    if currency not in (None, ""):
        out["currency"] = _currency(currency)
    return out
