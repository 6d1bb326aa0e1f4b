"""Opening balances: the stock a warehouse holds on the day the system starts, booked once per
material and warehouse as an ``opening`` movement in the ledger (not an adjustment: nothing was
counted wrong, and it is not sent to T+, which already holds these figures).

Booking the same balance again changes nothing; a different figure for a balance already booked
is refused — a later difference is a stock count, booked as an adjustment.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.catalog.models import Material
from zhongshu.core.actors import Actor
from zhongshu.core.errors import ValidationFailed
from zhongshu.core.validation import Errors, clean_decimal

from . import ledger
from .ledger import Change, fmt
from .models import MovementKind, StockMovement, Warehouse
from .services import level_for
from .services.stock import _clean_target

REASON = "期初"


def _booked(material: Material, warehouse: Warehouse) -> Decimal | None:
    """The opening balance already booked for this material and warehouse, if any."""
    return (
        StockMovement.objects.filter(
            material=material, warehouse=warehouse, kind=MovementKind.OPENING
        )
        .values_list("quantity", flat=True)
        .first()
    )


def _check(
    errors: Errors, material: Any, warehouse: Any, quantity: Any
) -> tuple[Material | None, Warehouse | None, Decimal | None, Decimal | None]:
    material_obj, wh = _clean_target(errors, material, warehouse)
    qty = clean_decimal(errors, "quantity", quantity, places=3, min_value=Decimal(0))
    booked = _booked(material_obj, wh) if material_obj and wh else None
    if booked is not None and qty is not None and booked != qty:
        errors.add(
            "quantity",
            _(
                "An opening balance of %(booked)s is already booked here; book a later "
                "difference as a stock count."
            )
            % {"booked": fmt(booked)},
        )
    return material_obj, wh, qty, booked


def opening_balance_errors(
    *, actor: Actor, material: Any, quantity: Any, warehouse: Any = None
) -> tuple[list[dict[str, str]], bool]:
    """What ``opening_balance_set`` would refuse (nothing written), and whether this very
    balance is already booked (then setting it again changes nothing)."""
    permissions.require(actor, "inventory.adjust")
    errors = Errors()
    _m, _w, qty, booked = _check(errors, material, warehouse, quantity)
    return errors.items, booked is not None and booked == qty


@transaction.atomic
def opening_balance_set(
    *,
    actor: Actor,
    material: Any,
    quantity: Any,
    warehouse: Any = None,
    as_of: dt.date | None = None,
) -> StockMovement | None:
    """Book the opening balance of a material in a warehouse (default: the default warehouse),
    as it stood on ``as_of`` (kept in the movement's reason). Returns the movement, or ``None``
    when this balance was booked before (nothing changes)."""
    permissions.require(actor, "inventory.adjust")
    errors = Errors()
    material_obj, wh, qty, _booked_qty = _check(errors, material, warehouse, quantity)
    errors.raise_if_any()
    # a missing or unknown material, warehouse or quantity was refused just above
    assert material_obj is not None and wh is not None and qty is not None
    level = level_for(material_obj, wh)
    plan = ledger.lock_levels([level.id])
    # checked again under the level's lock: two imports of the same file book it once
    booked = _booked(material_obj, wh)
    if booked is not None:
        if booked == qty:
            return None
        raise ValidationFailed({"quantity": _("An opening balance is already booked here.")})
    reason = f"{REASON} {as_of.isoformat()}" if as_of else REASON
    plan.add(Change(level.id, MovementKind.OPENING, on_hand=qty, reason=reason))
    return ledger.write(plan, actor=actor)[0]
