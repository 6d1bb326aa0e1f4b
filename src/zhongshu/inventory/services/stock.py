"""Warehouses, stock levels, receipts and adjustments."""

from collections.abc import Collection
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.catalog.models import Material
from zhongshu.core.actors import Actor
from zhongshu.core.errors import ValidationFailed
from zhongshu.core.text import normalize_code
from zhongshu.core.validation import Errors, clean_decimal, clean_text

from .. import ledger
from ..exceptions import NoDefaultWarehouse
from ..ledger import Change
from ..models import MovementKind, StockLevel, Warehouse

# --- warehouses and levels ---------------------------------------------------------------------


@transaction.atomic
def warehouse_create(
    *, actor: Actor | None, code: str, name: str, is_default: bool = False
) -> Warehouse:
    """Create a warehouse; ``actor=None`` is the system (seeding, T+ sync)."""
    if actor is not None:
        permissions.require(actor, "inventory.adjust")
    errors = Errors()
    code = clean_text(errors, "code", normalize_code(code), max_length=20, required=True)
    name = clean_text(errors, "name", name, max_length=80, required=True)
    errors.raise_if_any()
    if Warehouse.objects.filter(code=code).exists():
        raise ValidationFailed({"code": _("Warehouse %(code)s already exists.") % {"code": code}})
    if is_default:
        Warehouse.objects.filter(is_default=True).update(is_default=False)
    return Warehouse.objects.create(code=code, name=name, is_default=is_default)


def default_warehouse() -> Warehouse | None:
    return Warehouse.objects.filter(is_default=True).first()


def default_level_ids(material_ids: Collection[int]) -> dict[int, int]:
    """Level ids at the default warehouse per material id (only the levels that exist)."""
    if not material_ids:
        return {}
    # the warehouse by its flag in the same statement (there is one default at most)
    return dict(
        StockLevel.objects.filter(warehouse__is_default=True, material_id__in=set(material_ids))
        .order_by()
        .values_list("material_id", "id")
    )


def level_for(material: Material, warehouse: Warehouse) -> StockLevel:
    """The level row of (material, warehouse), created empty the first time it is needed."""
    level = StockLevel.objects.filter(material=material, warehouse=warehouse).first()
    if level is not None:
        return level
    try:
        with transaction.atomic():
            return StockLevel.objects.create(material=material, warehouse=warehouse)
    except IntegrityError:  # created by a concurrent transaction meanwhile
        return StockLevel.objects.get(material=material, warehouse=warehouse)


def _clean_target(
    errors: Errors, material: Any, warehouse: Any
) -> tuple[Material | None, Warehouse | None]:
    code = normalize_code(material)
    material_obj = Material.objects.filter(code=code).first() if code else None
    if not code:
        errors.add("material", _("This field is required."))
    elif material_obj is None:
        errors.add("material", _("Unknown material: %(code)s") % {"code": code})
    wh_code = normalize_code(warehouse)
    if wh_code:
        wh = Warehouse.objects.filter(code=wh_code, is_active=True).first()
        if wh is None:
            errors.add("warehouse", _("Unknown warehouse: %(code)s") % {"code": wh_code})
    else:
        wh = default_warehouse()
        if wh is None:
            raise NoDefaultWarehouse()
    return material_obj, wh


# --- receipts and adjustments --------------------------------------------------------------------


@transaction.atomic
def stock_receive(
    *,
    actor: Actor,
    material: str,
    quantity: Any,
    warehouse: str | None = None,
    reason: str = "",
    document: str = "",
) -> StockLevel:
    """Book goods into stock (purchase receipt, production output, return). ``document`` says
    which T+ document the receipt becomes when T+ is connected: ``purchase_receipt``,
    ``production_receipt``, or (empty) an other receipt."""
    if document not in ("", "purchase_receipt", "production_receipt", "other_receipt"):
        raise ValueError(f"unknown receipt document {document!r}")
    permissions.require(actor, "inventory.receive")
    errors = Errors()
    material_obj, wh = _clean_target(errors, material, warehouse)
    qty = clean_decimal(errors, "quantity", quantity, places=3, strictly_positive=True)
    reason = clean_text(errors, "reason", reason, max_length=200)
    errors.raise_if_any()
    assert qty is not None  # a missing quantity was refused just above
    assert material_obj is not None and wh is not None  # so was an unknown material or warehouse
    level = level_for(material_obj, wh)
    plan = ledger.lock_levels([level.id])
    plan.add(Change(level.id, MovementKind.RECEIPT, on_hand=qty, reason=reason, document=document))
    ledger.write(plan, actor=actor)
    return plan.levels[level.id]


@transaction.atomic
def stock_adjust(
    *, actor: Actor, material: str, quantity: Any, reason: str, warehouse: str | None = None
) -> StockLevel:
    """Correct the quantity on hand by a signed amount (count difference, breakage, scrap).

    A reason is required. The result may not go below zero nor below what confirmed orders have
    reserved (409 ``stock_below_reserved``): release or ship those first.
    """
    permissions.require(actor, "inventory.adjust")
    errors = Errors()
    material_obj, wh = _clean_target(errors, material, warehouse)
    qty = clean_decimal(errors, "quantity", quantity, places=3)
    if qty is not None and qty == 0:
        errors.add("quantity", _("Enter a change other than 0."))
    reason = clean_text(errors, "reason", reason, max_length=200, required=True)
    errors.raise_if_any()
    assert qty is not None  # a missing quantity was refused just above
    assert material_obj is not None and wh is not None  # so was an unknown material or warehouse
    level = level_for(material_obj, wh)
    plan = ledger.lock_levels([level.id])
    plan.add(Change(level.id, MovementKind.ADJUST, on_hand=qty, reason=reason))
    ledger.write(plan, actor=actor)
    return plan.levels[level.id]
