"""Components of make-to-order lines: checked at submit, held from confirmation, issued to production.

A make line needs the leaf components of its product's bill of materials (``production.bom``,
multi-level, scrap % included) for its quantity plus what was reported scrapped at an operation.
What is *held* for a line is its active component reservations plus what was already issued
(consumed) for it, so an order in production never reserves again what it took from the shelf.

* ``shortages`` — per order, every component whose outstanding need exceeds what the default
  warehouse has available (on hand less every reservation, other orders' components included).
  The rules read it as the ``component_shortage`` fact, exactly like the stock lines' shortage.
* ``ComponentDelta`` — what re-reservation changes for components; ``reservations.rereserve_order``
  locks its levels together with the stock lines' (one ``lock_levels``: id order) so the order's
  holds are all or nothing.
* ``issue_order`` — production started: the held components leave stock (material issue).
* ``components_adjust_for_scrap`` — scrap reported: more is needed; what is available is held at
  once, the rest stays a shortage the rules see.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.catalog.models import Fulfilment, Material
from zhongshu.core.actors import Actor
from zhongshu.core.errors import NotFound, ValidationFailed
from zhongshu.core.validation import parse_decimal
from zhongshu.orders.models import Order, OrderLine
from zhongshu.production.bom import explode_by_root

from .. import ledger
from ..exceptions import InsufficientStock
from ..ledger import Change, fmt
from ..models import ZERO, ComponentScrap, MovementKind, Reservation, ReservationStatus, StockLevel
from .stock import default_level_ids, order_reservations

Key = tuple[int, int]  # (order line id, component material id)
# (material id, due date, quantity, reference) of a receipt on its way
Receipt = tuple[int, dt.date, Decimal, str]
ReceiptSource = Callable[[dt.date, set[int]], Iterable[Receipt]]


def line_needs(
    order_ids: Iterable[int], *, loaded: Iterable[OrderLine] | None = None
) -> dict[int, dict[Key, Decimal]]:
    """``{order id: {(line id, component id): quantity}}`` for the make lines of the orders;
    ``loaded``: all the lines of those orders, as the caller already read them."""
    lines = (
        [
            (ln.id, ln.order_id, ln.material_id, ln.quantity)
            for ln in loaded
            if ln.fulfilment == Fulfilment.MAKE
        ]
        if loaded is not None
        else list(
            OrderLine.objects.filter(
                order_id__in=list(order_ids), fulfilment=Fulfilment.MAKE
            ).values_list("id", "order_id", "material_id", "quantity")
        )
    )
    scrapped: dict[int, Decimal] = defaultdict(Decimal)
    if lines:
        for line_id, qty in (
            ComponentScrap.objects.filter(order_line_id__in=[ln[0] for ln in lines])
            .values("order_line_id")
            .annotate(q=Sum("quantity"))
            .values_list("order_line_id", "q")
        ):
            scrapped[line_id] = qty
    explosion = explode_by_root(
        {line_id: {material: qty + scrapped[line_id]} for line_id, _o, material, qty in lines}
    )
    out: dict[int, dict[Key, Decimal]] = defaultdict(dict)
    for line_id, order_id, _m, _q in lines:
        for comp, qty in explosion.by_root.get(line_id, {}).items():
            out[order_id][(line_id, comp)] = qty
    return out


def held(order_ids: Iterable[int]) -> tuple[dict[Key, Decimal], dict[Key, list[Reservation]]]:
    """What the orders hold or took per (line, component), and their active holds."""
    total: dict[Key, Decimal] = defaultdict(Decimal)
    active: dict[Key, list[Reservation]] = defaultdict(list)
    kept = [s for s in ReservationStatus.values if s != ReservationStatus.RELEASED]
    for r in order_reservations(list(order_ids), for_component=True, statuses=kept):
        key = (r.order_line_id or 0, r.level.material_id)
        total[key] += r.quantity + r.consumed
        if r.status == ReservationStatus.ACTIVE:
            active[key].append(r)
    return total, active


def outstanding(order_ids: Iterable[int]) -> dict[int, dict[int, Decimal]]:
    """``{order id: {component id: still to hold}}`` (positive entries only)."""
    needs = line_needs(order_ids)
    have, _active = held(order_ids)
    out: dict[int, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for order_id, keys in needs.items():
        for key, qty in keys.items():
            missing = qty - have.get(key, ZERO)
            if missing > 0:
                out[order_id][key[1]] += missing
    return out


# Who knows of receipts on their way (planning's open purchase orders): ``fn(today, material
# ids)`` → ``[(material id, due date, quantity, reference)]``. Registered by the supplying app.
_receipt_sources: list[ReceiptSource] = []


def receipts_from(fn: ReceiptSource) -> ReceiptSource:
    if fn not in _receipt_sources:
        _receipt_sources.append(fn)
    return fn


def _due_receipts(order_ids: Iterable[int], comps: Iterable[int]) -> dict[int, dict[int, Decimal]]:
    """Per order, per component: what arrives before the order's production starts (its due
    date less the longest make lead time of its make lines, in calendar days)."""
    if not _receipt_sources:
        return {}
    today = timezone.localdate()
    start: dict[int, dt.date] = {}
    for order_id, due, lead in OrderLine.objects.filter(
        order_id__in=list(order_ids), fulfilment=Fulfilment.MAKE
    ).values_list("order_id", "order__due_date", "material__lead_time_days"):
        day = due - dt.timedelta(days=lead or 0)
        start[order_id] = min(start.get(order_id, day), day)
    arriving = [row for fn in _receipt_sources for row in fn(today, set(comps))]
    out: dict[int, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for order_id, day in start.items():
        for material_id, due, qty, _ref in arriving:
            if due <= day:
                out[order_id][material_id] += qty
    return out


def shortages(order_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """``{order id: [{"material": code, "short": quantity}]}``: the components each order still
    needs beyond what the default warehouse has available plus what is due to arrive before the
    order's production starts, sorted by code."""
    missing = outstanding(order_ids)
    comps = {m for per in missing.values() for m in per}
    if not comps:
        return {}
    available = {
        m: on_hand - reserved
        for m, on_hand, reserved in StockLevel.objects.filter(
            material_id__in=comps, warehouse__is_default=True
        ).values_list("material_id", "on_hand", "reserved")
    }
    due = _due_receipts(list(missing), comps)
    codes = dict(Material.objects.filter(pk__in=comps).values_list("id", "code"))
    out: dict[int, list[dict[str, Any]]] = {}
    for order_id, per in missing.items():
        arriving = due.get(order_id, {})
        there = {m: max(available.get(m, ZERO), ZERO) + arriving.get(m, ZERO) for m in per}
        rows = [
            {"material": codes[m], "short": q - there[m]} for m, q in per.items() if q > there[m]
        ]
        if rows:
            out[order_id] = sorted(rows, key=lambda s: s["material"])
    return out


@dataclass
class ComponentDelta:
    """What an order's component holds change by (see ``reservations._rereserve``)."""

    order_id: int
    needs: dict[Key, Decimal] = field(default_factory=dict)
    releases: list[tuple[Reservation, Decimal]] = field(default_factory=list)
    by_key: dict[Key, list[Reservation]] = field(default_factory=dict)
    level_ids: dict[int, int] = field(default_factory=dict)
    # after a partial plan: what each (line, component) still lacks
    missing: dict[Key, Decimal] = field(default_factory=dict)
    _released: bool = False
    _names: dict[int, tuple[str, str]] | None = None  # component id → (code, unit), read once

    def __bool__(self) -> bool:
        return bool(self.needs or self.releases)

    def lock_ids(self) -> list[int]:
        return [*self.level_ids.values(), *(r.level_id for r, _q in self.releases)]

    def plan(self, plan: ledger.Plan, *, partial: bool = False) -> list[dict[str, str]]:
        """Add the releases and reservations to ``plan``. All or nothing (``InsufficientStock``
        listing every short component with what is missing) unless ``partial``: then hold what
        is there, note what each line still lacks in ``missing`` and return the shortages."""
        self.release(plan)
        short = self.shortages(plan)
        if short and not partial:
            raise refusal(short)
        for (line_id, comp), qty in sorted(self.needs.items()):
            level_id = self.level_ids.get(comp)
            take = min(qty, max(plan.available(level_id), ZERO)) if level_id else ZERO
            self.needs[(line_id, comp)] = take
            self.missing[(line_id, comp)] = qty - take
            if take > 0 and level_id is not None:
                plan.add(Change(level_id, MovementKind.RESERVE, reserved=take,
                                order_id=self.order_id, order_line_id=line_id))  # fmt: skip
        return short

    def release(self, plan: ledger.Plan) -> None:
        """Add the releases to ``plan`` (once): what they free counts for the needs."""
        if self._released:
            return
        self._released = True
        for r, qty in self.releases:
            plan.add(Change(r.level_id, MovementKind.RELEASE, reserved=-qty, order_id=self.order_id,
                            order_line_id=r.order_line_id, reason=_("Component re-reservation")))  # fmt: skip

    def shortages(self, plan: ledger.Plan) -> list[dict[str, str]]:
        """Every component the needs exceed what ``plan`` has available, by code:
        ``{"material", "unit", "requested", "available", "short"}``."""
        wanted: dict[int, Decimal] = defaultdict(Decimal)
        for (_line, comp), qty in self.needs.items():
            wanted[comp] += qty
        if self._names is None or not set(wanted) <= set(self._names):  # read once per delta
            self._names = {m: (code, unit) for m, code, unit in Material.objects.filter(
                pk__in=list(wanted)).values_list("id", "code", "unit")}  # fmt: skip
        names = self._names
        short = []
        for comp in sorted(wanted, key=lambda m: names[m][0]):
            level_id = self.level_ids.get(comp)
            available = max(plan.available(level_id), ZERO) if level_id else ZERO
            if wanted[comp] > available:
                short.append({"material": names[comp][0], "unit": names[comp][1],
                              "requested": fmt(wanted[comp]), "available": fmt(available),
                              "short": fmt(wanted[comp] - available)})  # fmt: skip
        return short

    def save(self) -> None:
        for r, qty in self.releases:
            r.quantity -= qty
            r.released += qty
            if r.quantity == 0:
                r.status = ReservationStatus.RELEASED
            r.save(update_fields=["quantity", "released", "status", "updated_at"])
        new = []
        for (line_id, comp), qty in self.needs.items():
            if qty <= 0:
                continue
            level_id = self.level_ids[comp]
            same = [r for r in self.by_key.get((line_id, comp), []) if r.level_id == level_id]
            if same:
                same[0].quantity += qty
                same[0].save(update_fields=["quantity", "updated_at"])
            else:
                new.append(Reservation(order_id=self.order_id, order_line_id=line_id,
                                       level_id=level_id, quantity=qty, for_component=True))  # fmt: skip
        Reservation.objects.bulk_create(new)


def describe(short: Iterable[dict[str, str]]) -> str:
    """``BAR-45 缺 64 kg；PIN-6 缺 5 件``: each short component and what it lacks."""
    return (
        _("; ")
        .join(
            _("%(material)s short by %(short)s %(unit)s")
            % {"material": s["material"], "short": s["short"], "unit": s.get("unit", "")}
            for s in short
        )
        .strip()
    )


def refusal(
    short: list[dict[str, str]], stock: list[dict[str, str]] | None = None
) -> InsufficientStock:
    """The confirmation's refusal: every short stock material and component in one error whose
    message names each component and the quantity it lacks."""
    return InsufficientStock(
        [*(stock or []), *short],
        message=_("Not enough components for the make-to-order lines: %(list)s.")
        % {"list": describe(short)},
    )


def delta_for(order: Order) -> ComponentDelta:
    """Compare what the order's make lines need with what they hold (cancelled orders: none)."""
    from .reservations import HOLDING

    loaded = getattr(order, "_prefetched_objects_cache", {}).get("lines")
    needs = (
        line_needs([order.pk], loaded=loaded).get(order.pk, {}) if order.status in HOLDING else {}
    )
    have, active = held([order.pk])
    delta = ComponentDelta(order_id=order.pk, by_key=active)
    for key, qty in needs.items():
        diff = qty - have.get(key, ZERO)
        if diff > 0:
            delta.needs[key] = diff
    for key, rows in active.items():
        excess = have[key] - needs.get(key, ZERO)
        for r in reversed(rows):
            take = min(excess, r.quantity)
            if take > 0:
                delta.releases.append((r, take))
                excess -= take
    delta.level_ids = default_level_ids({comp for _line, comp in delta.needs})
    return delta


def issue_order(*, order: Order, actor: Actor | None = None) -> int:
    """Production started: every held component leaves stock (a material issue per hold, which
    becomes an ERP issue document when an ERP is connected). Returns the holds issued."""
    with transaction.atomic():
        active = list(
            Reservation.objects.filter(
                order=order, for_component=True, status=ReservationStatus.ACTIVE
            ).order_by("id")
        )
        if not active:
            return 0
        plan = ledger.lock_levels(r.level_id for r in active)
        for r in active:
            plan.add(Change(r.level_id, MovementKind.ISSUE, on_hand=-r.quantity,
                            reserved=-r.quantity, order_id=order.pk, order_line_id=r.order_line_id,
                            reason=_("Material issue to production")))  # fmt: skip
        ledger.write(plan, actor=actor)
        for r in active:
            r.consumed += r.quantity
            r.quantity = ZERO
            r.status = ReservationStatus.CONSUMED
            r.save(update_fields=["quantity", "consumed", "status", "updated_at"])
        return len(active)


def components_adjust_for_scrap(
    *, actor: Actor | None, order_line_id: Any, quantity: Any, reason: str = ""
) -> list[dict[str, str]]:
    """Units of a make line were scrapped at an operation: their components are needed again.
    Holds what is available now (issued at once when production is under way) and returns the
    components still short, ``[{"material", "requested", "available"}]``."""
    if actor is not None:
        permissions.require(actor, "production.work")
    try:  # the one decimal parser: NaN, Infinity, overflow and sub-precision amounts refused
        qty = parse_decimal(quantity, places=3, strictly_positive=True)
    except ValueError as exc:
        raise ValidationFailed({"quantity": str(exc)}) from None
    from . import shortfalls

    with transaction.atomic():
        line = (
            OrderLine.objects.select_related("order")
            .filter(pk=order_line_id, fulfilment=Fulfilment.MAKE)
            .first()
        )
        if line is None:
            raise NotFound(_("No such make-to-order line."))
        ComponentScrap.objects.create(order_line=line, quantity=qty, reason=reason[:200])
        delta = delta_for(line.order)
        if not delta:
            return []
        plan = ledger.lock_levels(delta.lock_ids())
        short = delta.plan(plan, partial=True)
        ledger.write(plan, actor=actor)
        delta.save()
        shortfalls.flag(order=line.order, delta=delta, actor=actor)
        if line.order.production_started_at is not None or line.order.status == "in_production":
            issue_order(order=line.order, actor=actor)
        return short


def components_scrap_withdrawn(
    *, actor: Actor | None, order_line_id: Any, quantity: Decimal
) -> None:
    """An undone finish takes its scrap back: the components held again for it are released
    (those already issued to production stay issued)."""
    if actor is not None:
        permissions.require(actor, "production.work")
    from . import shortfalls

    with transaction.atomic():
        row = (
            ComponentScrap.objects.select_related("order_line__order")
            .filter(order_line_id=order_line_id, quantity=quantity)
            .order_by("-id")
            .first()
        )
        if row is None:
            return
        order = row.order_line.order
        row.delete()
        delta = delta_for(order)
        if not delta:
            return
        plan = ledger.lock_levels(delta.lock_ids())
        delta.plan(plan, partial=True)
        ledger.write(plan, actor=actor)
        delta.save()
        shortfalls.flag(order=order, delta=delta, actor=actor)


def orders_short() -> set[int]:
    """Open orders (before shipping) with a component shortage: what scheduled rule scans match
    ``component_shortage`` against."""
    from zhongshu.orders.statuses import OPEN

    ids = set(
        OrderLine.objects.filter(
            fulfilment=Fulfilment.MAKE, order__status__in=list(OPEN)
        ).values_list("order_id", flat=True)
    )
    return set(shortages(ids)) if ids else set()
