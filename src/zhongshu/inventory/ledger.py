"""The one way stock figures change: lock the levels in id order, plan, check, write level + movement.

Locks are taken with ``SELECT … FOR UPDATE ORDER BY id`` so two transactions touching the same
levels always queue in the same order and can never deadlock (PostgreSQL). On SQLite the write
transaction is IMMEDIATE, so writers are serialised at BEGIN and the lock is a no-op.

Arithmetic happens in Python on ``Decimal`` and exact figures are written back: SQLite keeps
decimals as binary floats, and ``reserved + 0.1`` computed in SQL could drift past ``on_hand``.
The database check constraints stay as the last line of defence.
"""

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from zhongshu.core.actors import Actor, recorded
from zhongshu.core.bulk import copy_history, history_user_id, insert_objects, update_rows
from zhongshu.core.rows import lock_of, placeholders, rows_of
from zhongshu.core.signals import stock_changed

from . import erp
from .erp import config as erp_config
from .exceptions import NegativeStock, StockBelowReserved
from .models import ZERO, MovementKind, StockLevel, StockMovement


@dataclass
class Change:
    level_id: int
    kind: str
    on_hand: Decimal = ZERO
    reserved: Decimal = ZERO
    order_id: int | None = None
    order_line_id: int | None = None
    shipment_id: int | None = None
    reason: str = ""
    document: str = ""  # the ERP document a receipt becomes (purchase/production), if not "other"


@dataclass
class Plan:
    """Locked levels and their running figures while changes are planned; ``extra`` holds
    other level fields to write along (the T+ figures)."""

    levels: dict[int, StockLevel]
    on_hand: dict[int, Decimal] = field(default_factory=dict)
    reserved: dict[int, Decimal] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)
    extra: dict[int, dict[str, Any]] = field(default_factory=dict)
    # whether an ERP owns on-hand stock, when the lock read it (``erp.config.address_column``);
    # None: ``write`` asks
    erp_connected: bool | None = None

    def available(self, level_id: int) -> Decimal:
        return self.on_hand[level_id] - self.reserved[level_id]

    def add(self, change: Change) -> None:
        self.on_hand[change.level_id] += change.on_hand
        self.reserved[change.level_id] += change.reserved
        self.changes.append(change)


def lock_levels(ids: Iterable[int | None]) -> Plan:
    """Lock the levels in id order and plan over them. Written out (decision 32): every stock
    move starts here."""
    ids = sorted({i for i in ids if i is not None})
    if not ids:
        return plan_for([])
    rows = rows_of(StockLevel, "l")
    with connection.cursor() as cur:
        cur.execute(_lock_sql(len(ids)), ids)
        found = cur.fetchall()
    # the ERP's address came with the levels (none found: ``write`` asks, if it is called)
    connected = erp_config.configured_by(found[0][rows.width]) if found else None
    return plan_for([rows.load(row) for row in found], erp_connected=connected)


@functools.lru_cache(maxsize=64)
def _lock_sql(n: int) -> str:
    table = connection.ops.quote_name(StockLevel._meta.db_table)
    lock = lock_of("l")
    return (
        f"SELECT {rows_of(StockLevel, 'l').columns}, {erp_config.address_column()} FROM {table} l"
        f" WHERE l.id IN ({placeholders(n)}) ORDER BY l.id{lock}"
    )


def plan_for(levels: Iterable[StockLevel], *, erp_connected: bool | None = None) -> Plan:
    """A plan over levels the caller has already locked (``SELECT … FOR UPDATE ORDER BY id``);
    ``erp_connected`` when the caller's lock read it."""
    by_id = {lv.id: lv for lv in levels}
    return Plan(
        levels=by_id,
        on_hand={i: lv.on_hand for i, lv in by_id.items()},
        reserved={i: lv.reserved for i, lv in by_id.items()},
        erp_connected=erp_connected,
    )


def _quantity(change: Change) -> Decimal:
    if change.kind in (MovementKind.RESERVE, MovementKind.RELEASE):
        return change.reserved
    return change.on_hand


def write(plan: Plan, *, actor: Actor | None) -> list[StockMovement]:
    """Check the planned figures against the invariants, then write levels and movements."""
    for level_id in {c.level_id for c in plan.changes}:
        if plan.on_hand[level_id] < 0:
            raise NegativeStock(details=_figures(plan, level_id))
        if plan.reserved[level_id] > plan.on_hand[level_id]:
            raise StockBelowReserved(details=_figures(plan, level_id))
        if plan.reserved[level_id] < 0:  # a release of more than was held: a bug, not input
            raise AssertionError(f"reserved would go negative on level {level_id}")
    now = timezone.now()
    running = {i: (lv.on_hand, lv.reserved) for i, lv in plan.levels.items()}
    movements = []
    for c in plan.changes:
        level = plan.levels[c.level_id]
        on_hand, reserved = running[c.level_id]
        after = (on_hand + c.on_hand, reserved + c.reserved)
        movements.append(
            StockMovement(
                level_id=c.level_id,
                material_id=level.material_id,
                warehouse_id=level.warehouse_id,
                kind=c.kind,
                quantity=_quantity(c),
                on_hand_delta=c.on_hand,
                reserved_delta=c.reserved,
                on_hand_before=on_hand,
                on_hand_after=after[0],
                reserved_before=reserved,
                reserved_after=after[1],
                actor=recorded(actor),
                order_id=c.order_id,
                order_line_id=c.order_line_id,
                shipment_id=c.shipment_id,
                reason=c.reason,
                created_at=now,
            )
        )
        running[c.level_id] = after
    touched = {c.level_id for c in plan.changes} | set(plan.extra)
    _write_levels(plan, sorted(touched), now)
    # written without the ORM's statement building (every confirmation, receipt and shipment
    # comes through here): the history rows copied by the database, the movements inserted as
    # ``bulk_create`` would
    copy_history(StockLevel, "id", sorted(touched), "~", history_user_id(actor), date=now)
    insert_objects(movements)
    from . import posting

    if erp.connected() if plan.erp_connected is None else plan.erp_connected:
        posting.enqueue(plan, movements)
    materials = {plan.levels[c.level_id].material_id for c in plan.changes}
    transaction.on_commit(lambda: stock_changed.send(sender=write, material_ids=materials))
    gained: dict[int, Decimal] = {}
    for c in plan.changes:
        gained[c.level_id] = gained.get(c.level_id, ZERO) + c.on_hand - c.reserved
    if any(g > 0 for g in gained.values()):
        # more is available: components flagged short are held now, under these same locks
        from .services.shortfalls import top_up

        top_up(plan, [i for i, g in gained.items() if g > 0], actor=actor)
    return movements


def _write_levels(plan: Plan, touched: list[int], now: dt.datetime) -> None:
    """Write the planned figures (and the other fields some levels carry along, the T+
    figures) of the locked levels: one prepared ``UPDATE`` run for each level."""
    extra = sorted({k for i in touched for k in plan.extra.get(i, {})})
    levels = []
    for level_id in touched:
        level = plan.levels[level_id]
        level.on_hand, level.reserved = plan.on_hand[level_id], plan.reserved[level_id]
        for k, v in plan.extra.get(level_id, {}).items():
            setattr(level, k, v)
        level.updated_at = now
        levels.append(level)
    # a level without extra fields writes back the values it was locked with
    update_rows(StockLevel, levels, ["on_hand", "reserved", "updated_at", *extra])


def _figures(plan: Plan, level_id: int) -> dict[str, Any]:
    level = plan.levels[level_id]
    return {
        "material_id": level.material_id,
        "warehouse_id": level.warehouse_id,
        "on_hand": fmt(plan.on_hand[level_id]),
        "reserved": fmt(plan.reserved[level_id]),
    }


def fmt(value: Decimal) -> str:
    """A quantity as plain text without trailing zeros: 25, 2.5, 0.125."""
    text = format(Decimal(value).normalize(), "f")
    return "0" if text in ("-0", "") else text
