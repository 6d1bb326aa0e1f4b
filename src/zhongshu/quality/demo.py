"""Demo quality control: an inspection plan for every make-to-order product (a dimension with its
tolerance, a surface check and a marking check), seeded after production and before the orders.

Shipping a produced order needs a passing inspection. The orders demo may call the functions in
``ctx["before_transition"]["ship"]`` before it ships an order: ``pass_inspection`` below records a
passing inspection by the demo QC user (every reading in tolerance), as the QC desk would.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from zhongshu.core.demo import on_backdate, on_history

from .models import InspectionItem, InspectionRecord, ItemKind, Measurement, Nonconformance
from .services import order_items, plan_save, record_inspection

SEED_ORDER = 16

# kind of part (first letters of the code) → (dimension name, target, −tol, +tol, unit, method)
DIMENSIONS = {
    "FL": ("密封面平面度", "0.05", "0.05", "0", "mm", "塞尺/平台"),
    "ZT": ("内孔直径", "80", "0", "0.03", "mm", "内径千分尺"),
    "CL": ("齿厚", "4.71", "0.05", "0", "mm", "公法线千分尺"),
    "LJ": ("总长", "500", "0.5", "0.5", "mm", "钢卷尺"),
    "CD": ("轴颈直径", "40", "0.016", "0", "mm", "外径千分尺"),
    "ZC": ("轴承孔直径", "150", "0", "0.04", "mm", "内径量表"),
    "LZ": ("孔径", "48", "0", "0.025", "mm", "塞规"),
    "DG": ("止口直径", "180", "0.04", "0", "mm", "游标卡尺"),
    "ZJ": ("安装孔距", "210", "0.2", "0.2", "mm", "游标卡尺"),
    "HL": ("槽形角", "38", "0.5", "0.5", "°", "角度样板"),
    "TB": ("内孔直径", "80", "0", "0.046", "mm", "内径量表"),
    "HS": ("镀层厚度", "0.03", "0.005", "0.01", "mm", "涂层测厚仪"),
    "BX": ("轴承孔同轴度", "0", "0", "0.02", "mm", "三坐标"),
    "FM": ("密封面粗糙度 Ra", "1.6", "1.6", "0", "μm", "粗糙度仪"),
}


def seed(ctx) -> None:
    admin = ctx.users.get("admin")
    made = 0
    for material in ctx.materials:
        if material.fulfilment != "make":
            continue
        name, target, low, high, unit, method = DIMENSIONS.get(
            material.code[:2], ("外形尺寸", "100", "0.1", "0.1", "mm", "游标卡尺")
        )
        plan_save(
            actor=admin,
            material=material.code,
            items=[
                {"name": name, "method": method, "kind": ItemKind.MEASURE, "target": target,
                 "lower_tolerance": low, "upper_tolerance": high, "unit": unit},
                {"name": "外观（无磕碰、无锈蚀）", "method": "目视", "kind": ItemKind.ATTRIBUTE},
                {"name": "标识与合格证", "method": "目视", "kind": ItemKind.ATTRIBUTE},
            ],
        )  # fmt: skip
        made += 1
    ctx.counts["inspection_plans"] = made
    on_backdate(ctx, date_inspections)
    on_history(ctx, write_inspections)
    hooks = ctx.get("before_transition") or {}
    hooks.setdefault("ship", []).append(pass_inspection)
    ctx["before_transition"] = hooks
    ctx.say(f"  {made} inspection plans")


def pass_inspection(ctx, order) -> None:
    """Record a passing inspection of a produced order (a no-op for stock-only orders)."""
    if order.status != "awaiting_qc":
        return
    readings = []
    for item in order_items(order):
        if item.kind == ItemKind.MEASURE:
            middle = (item.lower_limit + item.upper_limit) / 2
            readings.append({"item": item.pk, "value": middle.quantize(Decimal("0.0001"))})
        else:
            readings.append({"item": item.pk, "ok": True})
    record_inspection(
        actor=ctx.users.get("qc") or ctx.users.get("admin"),
        order_id=order.pk,
        measurements=readings,
        result=None if readings else "pass",
    )


def date_inspections(ctx, order, dated: dict) -> None:
    """The passing inspection is dated just before the order shipped; a failed one (and its
    nonconformance) when QC failed it."""
    if "ship" in dated:
        passed = dated["ship"] - dt.timedelta(minutes=30)
        InspectionRecord.objects.filter(order=order, result="pass").update(at=passed)
    if "qc_fail" in dated:
        failed = dated["qc_fail"]
        InspectionRecord.objects.filter(order=order).exclude(result="pass").update(at=failed)
        Nonconformance.objects.filter(order=order).update(opened_at=failed)


def write_inspections(ctx, written: list) -> None:
    """The closed history's inspections, set-based: a failed one (with its nonconformance,
    closed by the rework) when QC failed the order once, and the passing one half an hour before
    it shipped, every reading in tolerance."""
    inspector = ctx.users.get("qc") or ctx.users.get("admin")
    items: dict[int, list] = {}
    for item in InspectionItem.objects.select_related("plan").order_by("sequence"):
        items.setdefault(item.plan.material_id, []).append(item)
    records: list[tuple[Any, InspectionRecord]] = []
    fails: list[tuple[Any, int]] = []
    for w in written:
        if "ship" not in w.dated:
            continue
        if "qc_fail" in w.dated:
            fails.append((w, len(records)))
            records.append((w, InspectionRecord(order_id=w.order_id, inspector=inspector,
                                                at=w.dated["qc_fail"], result="fail")))  # fmt: skip
        records.append((w, InspectionRecord(order_id=w.order_id, inspector=inspector,
                                            at=w.dated["ship"] - dt.timedelta(minutes=30),
                                            result="pass")))  # fmt: skip
    made = InspectionRecord.objects.bulk_create([r for _w, r in records])
    if any(r.pk is None for r in made):  # pragma: no cover - every supported database returns ids
        raise RuntimeError("inspection ids not returned")
    measurements = []
    for (w, _record), saved in zip(records, made, strict=True):
        for item in items.get(w.material_id, ()):
            measurements.append(_reading(saved, item, failed=saved.result == "fail"))
    Measurement.objects.bulk_create(measurements)
    ncs = []
    for w, k in fails:
        ncs.append(Nonconformance(
            order_id=w.order_id, record=made[k], description=NOTE_FAIL, opened_by=inspector,
            opened_at=w.dated["qc_fail"], status="closed", closed_by=inspector,
            closed_at=w.dated.get("ship", w.dated["qc_fail"]), close_note="返工后复检合格",
        ))  # fmt: skip
    Nonconformance.objects.bulk_create(ncs)
    ctx.counts["inspections"] = len(made)


NOTE_FAIL = "外径超差 0.02mm，返工"


def _reading(record, item, *, failed: bool) -> Measurement:
    measure = item.kind == ItemKind.MEASURE
    value = None
    if measure:
        value = ((item.lower_limit + item.upper_limit) / 2).quantize(Decimal("0.0001"))
        if failed:  # over the upper limit by a little
            value = item.upper_limit + Decimal("0.02")
    return Measurement(
        record=record, item=item, sequence=item.sequence, name=item.name, kind=item.kind,
        unit=item.unit, lower_limit=item.lower_limit, upper_limit=item.upper_limit, value=value,
        ok=None if measure else True, passed=not (failed and measure),
    )  # fmt: skip
