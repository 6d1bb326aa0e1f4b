"""Quality-control use cases: inspection plans, inspections, nonconformances.

Each service checks permissions first, runs in one transaction, and reports every bad input at
once (422). A failed inspection sends the order back to production through the order status
machine (``qc_fail``); the nonconformance and the rework task are written by the ``qc_fail``
effect in ``hooks`` inside that same transaction, so an order is never back in production without
them (and a rework refused by production leaves no failed record behind).
"""

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.catalog.models import Material
from zhongshu.core.actors import Actor
from zhongshu.core.errors import NotFound, StaleVersion, ValidationFailed
from zhongshu.core.signals import user_activity
from zhongshu.core.text import normalize_code, normalize_text
from zhongshu.core.validation import Errors, clean_choice, clean_decimal, clean_text
from zhongshu.orders.models import Order
from zhongshu.orders.services import order_transition
from zhongshu.orders.statuses import OrderStatus

from .exceptions import NonconformanceClosed, NotAwaitingQc
from .models import (
    Disposition,
    InspectionItem,
    InspectionPlan,
    InspectionRecord,
    ItemKind,
    Measurement,
    NcStatus,
    Nonconformance,
    Result,
)

MAX_ITEMS = 100
MAX_NOTE = 2000
PLACES = 4


# --- inspection plans -----------------------------------------------------------------------------


def _clean_items(errors: Errors, raw: Any) -> list[dict]:
    if not isinstance(raw, list | tuple):
        errors.add("items", _("Enter a list of inspection items."))
        return []
    if len(raw) > MAX_ITEMS:
        errors.add("items", _("At most %(n)d items.") % {"n": MAX_ITEMS})
        return []
    cleaned = []
    for i, item in enumerate(raw):
        f = f"items[{i}]"
        if not isinstance(item, dict):
            errors.add(f, _("Enter an inspection item."))
            continue
        kind = clean_choice(errors, f"{f}.kind", item.get("kind") or ItemKind.MEASURE, ItemKind)
        row = {
            "sequence": i + 1,
            "name": clean_text(errors, f"{f}.name", item.get("name"), max_length=80, required=True),
            "method": clean_text(errors, f"{f}.method", item.get("method"), max_length=120),
            "unit": clean_text(errors, f"{f}.unit", item.get("unit"), max_length=12),
            "kind": kind,
            "target": None,
            "lower_tolerance": None,
            "upper_tolerance": None,
        }
        row["operation_sequence"] = _clean_operation(
            errors, f"{f}.operation", item.get("operation")
        )
        if kind == ItemKind.MEASURE:
            row["target"] = clean_decimal(errors, f"{f}.target", item.get("target"), places=PLACES)
            for side in ("lower_tolerance", "upper_tolerance"):
                row[side] = clean_decimal(
                    errors, f"{f}.{side}", item.get(side), places=PLACES, min_value=Decimal(0)
                )
        cleaned.append(row)
    names = [r["name"] for r in cleaned if r["name"]]
    for i, row in enumerate(cleaned):
        if row["name"] and names.count(row["name"]) > 1:
            errors.add(f"items[{i}].name", _("Each item name may appear only once."))
    return cleaned


def _clean_operation(errors: Errors, field: str, value: Any) -> int | None:
    """The routing operation (sequence number, e.g. 20) producing a characteristic, or none."""
    if value in (None, ""):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        number = 0
    if not 0 < number < 100000:
        errors.add(field, _("Enter the operation's sequence number (e.g. 20)."))
        return None
    return number


@transaction.atomic
def plan_save(
    *,
    actor: Actor,
    material: Any,
    items: Any,
    note: Any = "",
    version: int | None = None,
    rework_repeats_following: bool = False,
) -> InspectionPlan:
    """Create or replace the inspection plan of a product. The items are replaced as a whole (in
    the order given); records taken earlier keep the limits they were measured against."""
    permissions.require(actor, "qc.manage_plans")
    code = normalize_code(material)
    errors = Errors()
    product = Material.objects.filter(code=code).first() if code else None
    if product is None:
        errors.add("material", _("No material %(code)s.") % {"code": code or "—"})
    note = clean_text(errors, "note", note, max_length=200)
    rows = _clean_items(errors, items)
    errors.raise_if_any()
    plan = InspectionPlan.objects.select_for_update().filter(material=product).first()
    if plan is None:
        plan = InspectionPlan.objects.create(
            material=product, note=note, updated_by=actor,
            rework_repeats_following=bool(rework_repeats_following),
        )  # fmt: skip
    else:
        if version is not None and plan.version != version:
            raise StaleVersion(details={"current_version": plan.version, "your_version": version})
        plan.note = note
        plan.version += 1
        plan.updated_by = actor
        plan.rework_repeats_following = bool(rework_repeats_following)
        plan.save(update_fields=["note", "version", "updated_by", "updated_at",
                                 "rework_repeats_following"])  # fmt: skip
        plan.items.all().delete()
    InspectionItem.objects.bulk_create(InspectionItem(plan=plan, **row) for row in rows)
    return plan


def plan_errors(*, actor: Actor, material: Any, items: Any, note: Any = "") -> list[dict]:
    """What ``plan_save`` would refuse, without writing anything (an import's check)."""
    permissions.require(actor, "qc.manage_plans")
    code = normalize_code(material)
    errors = Errors()
    if not code or not Material.objects.filter(code=code).exists():
        errors.add("material", _("No material %(code)s.") % {"code": code or "—"})
    clean_text(errors, "note", note, max_length=200)
    _clean_items(errors, items)
    return errors.items


@transaction.atomic
def plan_delete(*, actor: Actor, material: Any) -> None:
    permissions.require(actor, "qc.manage_plans")
    deleted, _rows = InspectionPlan.objects.filter(material__code=normalize_code(material)).delete()
    if not deleted:
        raise NotFound()


# --- inspections ----------------------------------------------------------------------------------


def order_items(order: Order) -> list[InspectionItem]:
    """The plan items that apply to an order: those of every product on its lines, in line order."""
    material_ids = list(order.lines.order_by("line_no").values_list("material_id", flat=True))
    items = list(
        InspectionItem.objects.filter(plan__material_id__in=material_ids).select_related(
            "plan__material"
        )
    )
    rank = {m: i for i, m in reversed(list(enumerate(material_ids)))}
    items.sort(key=lambda it: (rank[it.plan.material_id], it.sequence, it.pk))
    return items


def _parse_ok(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = normalize_text(str(value) if value is not None else "").lower()
    return {"1": True, "true": True, "ok": True, "pass": True, "yes": True,
            "0": False, "false": False, "ng": False, "fail": False, "no": False}.get(text)  # fmt: skip


def _readings(errors: Errors, items: list[InspectionItem], raw: Any) -> list[Measurement]:
    """One measurement per plan item; every missing or unreadable value is reported."""
    by_item: dict[int, dict] = {}
    if not isinstance(raw, list | tuple):
        errors.add("measurements", _("Enter a list of measurements."))
        return []
    known = {it.pk for it in items}
    for i, m in enumerate(raw):
        item_id = m.get("item") if isinstance(m, dict) else None
        if not isinstance(item_id, int) or isinstance(item_id, bool) or item_id not in known:
            errors.add(f"measurements[{i}].item", _("Not an item of this order's plan."))
            continue
        if item_id in by_item:
            errors.add(f"measurements[{i}].item", _("Measured twice."))
            continue
        by_item[item_id] = m
    readings = []
    for it in items:
        field = f"item_{it.pk}"
        m = by_item.get(it.pk)
        if m is None:
            errors.add(field, _("This item has not been inspected."))
            continue
        reading = Measurement(
            item=it,
            sequence=len(readings) + 1,
            name=it.name,
            kind=it.kind,
            unit=it.unit,
            lower_limit=it.lower_limit,
            upper_limit=it.upper_limit,
        )
        if it.kind == ItemKind.MEASURE:
            value = clean_decimal(errors, field, m.get("value"), places=PLACES)
            if value is None:
                continue
            reading.value = value
            reading.passed = reading.lower_limit <= value <= reading.upper_limit
        else:
            ok = _parse_ok(m.get("ok"))
            if ok is None:
                errors.add(field, _("Choose OK or NG."))
                continue
            reading.ok = ok
            reading.passed = ok
        readings.append(reading)
    return readings


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _failure_summary(readings: list[Measurement]) -> str:
    parts = []
    for r in readings:
        if r.passed:
            continue
        if r.kind == ItemKind.MEASURE:
            parts.append(
                _("%(name)s %(value)s%(unit)s outside %(low)s–%(high)s")
                % {
                    "name": r.name,
                    "value": _plain(r.value),
                    "unit": r.unit,
                    "low": _plain(r.lower_limit),
                    "high": _plain(r.upper_limit),
                }
            )
        else:
            parts.append(_("%(name)s NG") % {"name": r.name})
    return "; ".join(parts)


@transaction.atomic
def record_inspection(
    *,
    actor: Actor,
    order_id: Any,
    measurements: Any,
    note: Any = "",
    result: Any = None,
    rework_line: Any = None,
) -> InspectionRecord:
    """Record the inspection of an order awaiting QC.

    Every plan item of the order's products must be measured; pass/fail per item comes from its
    tolerance. All pass → the record passes and the order may ship. Any fail (or a ``result`` of
    "fail" the inspector chose for a defect the plan does not list) → the record fails and, in the
    same transaction, the order goes back to production (``qc_fail``) with a nonconformance and a
    rework task — on the line of the operation that produced the failed characteristic, or on
    ``rework_line`` (a line id) when the inspector chose one. An order whose products have no
    plan needs an explicit ``result``.
    """
    permissions.require(actor, "qc.view")
    permissions.require(actor, "qc.inspect")
    qs = permissions.scope_orders(actor, Order.objects.select_for_update())
    order = permissions.get_in_scope(qs, pk=order_id)
    if order.status != OrderStatus.AWAITING_QC:
        raise NotAwaitingQc(details={"status": order.status})
    errors = Errors()
    items = order_items(order)
    readings = _readings(errors, items, measurements if measurements is not None else [])
    note = clean_text(errors, "note", note, max_length=MAX_NOTE)
    chosen = None
    if result not in (None, ""):
        chosen = clean_choice(errors, "result", result, Result)
    elif not items:
        errors.add("result", _("This product has no inspection plan: choose pass or fail."))
    errors.raise_if_any()
    computed = Result.PASS if all(r.passed for r in readings) else Result.FAIL
    if chosen == Result.PASS and computed == Result.FAIL:
        errors.add("result", _("Some items are out of tolerance: the inspection cannot pass."))
        errors.raise_if_any()
    final = chosen or computed
    if final == Result.FAIL and not note and computed == Result.PASS:
        errors.add("note", _("Describe the defect when failing an inspection."))
        errors.raise_if_any()
    line = _rework_line(errors, rework_line, final)
    record = InspectionRecord.objects.create(
        order=order, inspector=actor, at=timezone.now(), result=final, note=note
    )
    for r in readings:
        r.record = record
    Measurement.objects.bulk_create(readings)
    if final == Result.FAIL:
        summary = _failure_summary(readings)
        reason = "; ".join(p for p in (summary, note) if p)
        order_transition(
            actor=actor,
            order_id=order.pk,
            action="qc_fail",
            note=reason[:MAX_NOTE],
            data={"inspection_record": record.pk, "rework_line": line},
        )
    transaction.on_commit(
        lambda: user_activity.send(
            sender=InspectionRecord, user=actor, kind="qc.inspected", obj=record
        )
    )
    return record


def _rework_line(errors: Errors, value: Any, final: str) -> int | None:
    """The line the inspector chose for the rework (validated by production), if any."""
    from zhongshu.production.services import rework_line_choice

    if value in (None, ""):
        return None
    if final != Result.FAIL:
        errors.add("rework_line", _("A rework line is chosen only when the inspection fails."))
        errors.raise_if_any()
    try:
        wc = rework_line_choice(value)
    except ValidationFailed as exc:
        for item in exc.errors:
            errors.add(item["field"], item["message"])
        errors.raise_if_any()
        raise
    return wc.pk if wc else None


def rework_place(record_id: Any) -> dict:
    """Where a failed inspection's rework belongs: the operation producing its first failed
    characteristic that names one (``add_rework_task`` arguments), or nothing known."""
    if record_id is None:
        return {}
    failed = (
        Measurement.objects.filter(record_id=record_id, passed=False, item__isnull=False)
        .exclude(item__operation_sequence=None)
        .order_by("sequence", "id")
        .values_list(
            "item__operation_sequence",
            "item__plan__material_id",
            "item__plan__rework_repeats_following",
        )
        .first()
    )
    if failed is None:
        return {}
    return {"at_sequence": failed[0], "product_id": failed[1], "repeat_following": failed[2]}


def open_nonconformance(
    *, actor: Actor | None, order: Order, description: str, record_id: Any = None
):
    """Called from the ``qc_fail`` effect (inside the transition's transaction)."""
    record = None
    if record_id is not None:
        record = InspectionRecord.objects.filter(pk=record_id, order=order).first()
    return Nonconformance.objects.create(
        order=order,
        record=record,
        description=description or _("QC failed"),
        opened_by=actor,
        opened_at=timezone.now(),
    )


def open_scrap_nonconformance(
    *,
    actor: Actor,
    task_id: int,
    order_id: int,
    scrap_quantity,
    good_quantity,
    threshold_percent,
    **_kw,
) -> Nonconformance:
    """Scrap above the threshold on one task (called from the ``scrap_reported`` receiver)."""
    total = scrap_quantity + good_quantity
    share = (scrap_quantity * 100 / total).quantize(Decimal("0.1")) if total else Decimal(0)
    description = _(
        "Scrap reported on the floor: %(scrap)s of %(total)s (%(share)s%%, threshold "
        "%(threshold)s%%)."
    ) % {
        "scrap": _plain(scrap_quantity),
        "total": _plain(total),
        "share": _plain(share),
        "threshold": _plain(threshold_percent),
    }
    return Nonconformance.objects.create(
        order_id=order_id,
        description=description,
        disposition=Disposition.SCRAP,
        scrap_task_id=task_id,
        opened_by=actor,
        opened_at=timezone.now(),
    )


def close_scrap_nonconformance(*, actor: Actor, task_id: int) -> int:
    """Close the open nonconformances a task's scrap opened (its finish was undone)."""
    return Nonconformance.objects.filter(scrap_task_id=task_id, status=NcStatus.OPEN).update(
        status=NcStatus.CLOSED,
        closed_by=actor,
        closed_at=timezone.now(),
        close_note=_("The finish that reported the scrap was undone."),
    )


@transaction.atomic
def nonconformance_close(*, actor: Actor, nc_id: Any, note: Any = "") -> Nonconformance:
    """Close a nonconformance once the rework is verified."""
    permissions.require(actor, "qc.view")
    permissions.require(actor, "qc.inspect")
    qs = permissions.scope_orders(
        actor, Nonconformance.objects.select_for_update(), prefix="order__"
    )
    nc = permissions.get_in_scope(qs, pk=nc_id)
    errors = Errors()
    note = clean_text(errors, "note", note, max_length=500)
    errors.raise_if_any()
    if nc.status == NcStatus.CLOSED:
        raise NonconformanceClosed()
    nc.status = NcStatus.CLOSED
    nc.closed_by = actor
    nc.closed_at = timezone.now()
    nc.close_note = note
    nc.save(update_fields=["status", "closed_by", "closed_at", "close_note"])
    return nc
