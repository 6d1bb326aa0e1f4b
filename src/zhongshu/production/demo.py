"""Demo production: three lines, a routing and a BOM for every make-to-order product.

Seeded before the orders (SEED_ORDER 15), so the demo orders confirmed by the planner get their
task sheets through the real confirm hook; orders the supervisor started have their first
operations running, and the schedule is computed once the whole demo has committed.
"""

from collections import defaultdict
from decimal import Decimal

from zhongshu.core.bulk import Inserter, copy_history
from zhongshu.core.demo import on_backdate, on_history

from . import services
from .estimates import operation_hours
from .models import Operation, Task, TaskSheet

SEED_ORDER = 15

LINES = [
    # code, name, hours per shift, shifts per day
    ("CNC", "CNC 加工线", "8", 2),
    ("TURN", "车削线", "8", 2),
    ("ASSY", "装配线", "8", 1),
]

# how each kind of part is made: (line, operation, setup hours, run hours per unit)
ROUTES = {
    "shaft": [
        ("TURN", "粗车", "1.0", "0.050"),
        ("CNC", "精加工", "1.5", "0.060"),
        ("ASSY", "检验包装", "0.5", "0.010"),
    ],
    "gear": [
        ("TURN", "车坯", "1.0", "0.040"),
        ("CNC", "滚齿/磨齿", "2.0", "0.080"),
        ("ASSY", "清洗包装", "0.5", "0.010"),
    ],
    "housing": [
        ("CNC", "加工中心精加工", "2.0", "0.070"),
        ("ASSY", "去毛刺包装", "0.5", "0.015"),
    ],
    "flange": [
        ("TURN", "车削", "0.5", "0.030"),
        ("CNC", "钻孔", "0.5", "0.020"),
        ("ASSY", "包装", "0.2", "0.005"),
    ],
}

# make-to-order product → (route, raw material, kg per unit)
PRODUCTS = {
    "FL-DN150": ("flange", "RM-45-100", "4.2"),
    "FL-DN200": ("flange", "RM-SS304", "6.5"),
    "ZT-80": ("shaft", "RM-45-100", "2.1"),
    "CL-M3-30": ("gear", "RM-20CRMNTI", "1.8"),
    "CL-M4-50": ("gear", "RM-20CRMNTI", "5.6"),
    "CL-WG-40": ("gear", "RM-ZCUSN", "3.9"),
    "LJG-500": ("shaft", "RM-40CR-50", "1.2"),
    "CDZ-40": ("shaft", "RM-40CR-50", "5.8"),
    "CDZ-60": ("shaft", "RM-42CRMO", "20.5"),
    "ZCZ-SN517": ("housing", "RM-QT450", "18.0"),
    "LZQ-LX3": ("gear", "RM-45-60", "2.6"),
    "DG-180": ("housing", "RM-HT250", "3.1"),
    "ZJ-A": ("housing", "RM-Q345-16", "6.8"),
    "ZJ-B": ("housing", "RM-HT250", "9.5"),
    "HLB-250": ("flange", "RM-HT250", "7.2"),
    "TB-300": ("shaft", "RM-45-100", "8.4"),
    "HSG-63": ("shaft", "RM-45-60", "4.3"),
    "BXS-01": ("housing", "RM-HT250", "48.0"),
    "FM-DN50": ("housing", "RM-WCB", "9.0"),
}


def date_tasks(ctx, order, dated: dict) -> None:
    """Work on the order's task sheets ran from its start to its finish."""
    if "start" not in dated:
        return
    started = dated["start"]
    Task.objects.filter(order=order, actual_start__isnull=False).update(actual_start=started)
    if "finish" in dated:
        Task.objects.filter(order=order, actual_end__isnull=False).update(
            actual_end=max(dated["finish"], started)
        )


def write_tasks(ctx, written: list) -> None:
    """The closed history's task sheets, set-based: one sheet per confirmed order with a task
    per routing operation, worked from the order's start to its last finish (done), or
    cancelled with the order."""
    confirmed = [w for w in written if "confirm" in w.dated]
    if not confirmed:
        return
    ops = defaultdict(list)
    for op in Operation.objects.select_related("routing").order_by("routing_id", "sequence"):
        ops[op.routing.material_id].append(op)
    Inserter(
        TaskSheet, ("number", "order", "order_line", "material", "quantity", "status", "created_at")
    ).insert([
        (f"{w.number}-{w.line_no}", w.order_id, w.line_id, w.material_id, w.quantity,
         "done" if "ship" in w.dated else "cancelled", w.dated["confirm"])
        for w in confirmed
    ])  # fmt: skip
    sheets = dict(
        TaskSheet.objects.filter(order_id__in=[w.order_id for w in confirmed]).values_list(
            "order_id", "id"
        )
    )
    rows = []
    for w in confirmed:
        done = "ship" in w.dated
        start = w.dated.get("start")
        finish = max((at for a, at in w.actions if a == "finish"), default=None)
        for op in ops[w.material_id]:
            hours = operation_hours(
                setup_hours=op.setup_hours, run_hours_per_unit=op.run_hours_per_unit,
                quantity=w.quantity,
            ).quantize(Decimal("0.001"))  # fmt: skip
            rows.append((
                sheets[w.order_id], w.order_id, op.sequence, op.name, op.work_center_id,
                op.default_owner_id, hours, "done" if done else "cancelled",
                start if done else None, finish if done and finish else None,
                finish or w.dated["confirm"],
            ))  # fmt: skip
    Inserter(
        Task, ("sheet", "order", "sequence", "name", "work_center", "owner", "estimated_hours",
               "status", "actual_start", "actual_end", "updated_at"),
    ).insert(rows)  # fmt: skip
    admin = ctx.users.get("admin")
    copy_history(Task, "order_id", list(sheets), "+", admin.pk if admin else None)


def seed(ctx) -> None:
    on_backdate(ctx, date_tasks)
    on_history(ctx, write_tasks)
    operator = ctx.users_by_name.get("operator")
    lines = {}
    for code, name, hours, shifts in LINES:
        lines[code] = services.work_center_create(
            actor=None,
            code=code,
            name=name,
            hours_per_shift=Decimal(hours),
            shifts_per_day=shifts,
            members=[operator.username] if operator else [],
        )
    codes = {m.code for m in ctx.materials}
    routings = 0
    for code, (route, raw, kg) in PRODUCTS.items():
        if code not in codes:
            continue
        services.routing_set(
            actor=None,
            material_code=code,
            operations=[
                {
                    "work_center": line,
                    "name": name,
                    "setup_hours": setup,
                    "run_hours_per_unit": run,
                    "default_owner": operator.username if operator else None,
                }
                for line, name, setup, run in ROUTES[route]
            ],
        )
        if raw in codes:
            services.bom_set(
                actor=None, material_code=code, lines=[{"component": raw, "quantity_per_unit": kg}]
            )
        routings += 1
    ctx.work_centers = lines
    ctx.counts["production_lines"] = len(lines)
    ctx.counts["routings"] = routings
    ctx.say(f"  {len(lines)} production lines, {routings} routings")
