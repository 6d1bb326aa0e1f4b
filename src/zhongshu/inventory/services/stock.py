"""Warehouses, stock levels, receipts and adjustments."""

import functools
from collections.abc import Collection
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.catalog.models import Material
from zhongshu.core.actors import Actor
from zhongshu.core.errors import ValidationFailed
from zhongshu.core.rows import placeholders, rows_of
from zhongshu.core.text import normalize_code
from zhongshu.core.validation import Errors, clean_decimal, clean_text

from .. import ledger
from ..exceptions import NoDefaultWarehouse
from ..ledger import Change
from ..models import MovementKind, Reservation, StockLevel, Warehouse

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
    """Level ids at the default warehouse per material id (only the levels that exist); the
    warehouse by its flag in the same statement (there is one default at most). Written out
    (decision 32): every make-to-order confirmation asks."""
    if not material_ids:
        return {}
    ids = sorted(set(material_ids))
    with connection.cursor() as cur:
        cur.execute(_default_levels_sql(len(ids)), ids)
        return dict(cur.fetchall())


@functools.lru_cache(maxsize=64)
def _default_levels_sql(n: int) -> str:
    qn = connection.ops.quote_name
    level, warehouse = qn(StockLevel._meta.db_table), qn(Warehouse._meta.db_table)
    return (
        f"SELECT l.{qn('material_id')}, l.id FROM {level} l"
        f" JOIN {warehouse} w ON w.id = l.{qn('warehouse_id')}"
        f" WHERE w.{qn('is_default')} AND l.{qn('material_id')} IN ({placeholders(n)})"
    )


def order_reservations(
    order_ids: Collection[int], *, for_component: bool, statuses: Collection[str]
) -> list[Reservation]:
    """The orders' reservations for stock lines (``for_component=False``) or for the make
    lines' components, in ``statuses``, in id order, each with its level. Written out
    (decision 32): every confirmation and every change of an order's lines reads them."""
    ids, states = sorted(set(order_ids)), sorted(set(statuses))
    if not ids or not states:
        return []
    rows, levels = rows_of(Reservation, "r"), rows_of(StockLevel, "l")
    level = Reservation._meta.get_field("level")
    out = []
    with connection.cursor() as cur:
        cur.execute(_reservations_sql(len(ids), len(states)), [*ids, for_component, *states])
        for row in cur.fetchall():
            reservation = rows.load(row)
            level.set_cached_value(reservation, levels.load(row, rows.width))
            out.append(reservation)
    return out


@functools.lru_cache(maxsize=64)
def _reservations_sql(n: int, m: int) -> str:
    qn = connection.ops.quote_name
    reservation, level = qn(Reservation._meta.db_table), qn(StockLevel._meta.db_table)
    return (
        f"SELECT {rows_of(Reservation, 'r').columns}, {rows_of(StockLevel, 'l').columns}"
        f" FROM {reservation} r JOIN {level} l ON l.id = r.{qn('level_id')}"
        f" WHERE r.{qn('order_id')} IN ({placeholders(n)})"
        f" AND r.{qn('for_component')} = %s AND r.{qn('status')} IN ({placeholders(m)})"
        " ORDER BY r.id"
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
