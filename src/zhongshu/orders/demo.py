"""Demo orders: eight months of order book in every state, made the way users make them.

Every order is created through ``order_create`` and moved along the status machine with
``order_transition`` by the role that does it in the factory. Afterwards the timestamps are moved
back in time so the history reads like real months of work (some of it delivered late, as the
factory did before). A transition another part of the system refuses (not enough stock, a
blocking rule) leaves that order where it stopped, as it would in real life.
"""

import datetime as dt
import random
from decimal import Decimal
from typing import Any, Protocol

from django.utils import timezone

from zhongshu.catalog.models import Material
from zhongshu.core.actors import Actor
from zhongshu.core.demo import DemoContext
from zhongshu.core.errors import DomainError
from zhongshu.orders.demo_history import is_closed, write_closed
from zhongshu.orders.models import Order, OrderEvent
from zhongshu.orders.services import order_create, order_transition
from zhongshu.orders.statuses import OrderStatus

SEED_ORDER = 50
ORDER_COUNT = 320
HISTORY_DAYS = 240
OPEN_DESK_ORDERS = 24  # with a simulated history: the last days' orders, in every open state

S = OrderStatus
OPEN_STATES = [
    S.DRAFT, S.PENDING_REVIEW, S.CONFIRMED, S.SCHEDULING, S.IN_PRODUCTION, S.AWAITING_QC,
]  # fmt: skip
PRODUCTION_PATH = ["submit", "confirm", "schedule", "start", "finish", "ship", "complete"]
STOCK_PATH = ["submit", "confirm", "ship", "complete"]
REACHED_BY: dict[str, int] = {
    S.DRAFT: 0,
    S.PENDING_REVIEW: 1,
    S.CONFIRMED: 2,
    S.SCHEDULING: 3,
    S.IN_PRODUCTION: 4,
    S.AWAITING_QC: 5,
    S.SHIPPED: 6,
    S.COMPLETED: 7,
}
STAMP_FIELD = {
    "submit": "submitted_at",
    "confirm": "confirmed_at",
    "schedule": "scheduled_at",
    "start": "production_started_at",
    "finish": "production_finished_at",
    "ship": "shipped_at",
    "complete": "completed_at",
    "cancel": "cancelled_at",
}
NOTES = {
    "reject": "交期需与客户再确认",
    "qc_fail": "外径超差 0.02mm，返工",
    "cancel": "客户取消订单",
}
# stock parts sell in small lots from the shelf; made-to-order parts in production batches
STOCK_QUANTITIES = [2, 4, 5, 6, 8, 10, 12, 15, 20, 24, 30]
MAKE_QUANTITIES = [20, 30, 50, 80, 100, 150, 200, 300, 500, 1000]


def _target_status(rng: random.Random, age_days: int) -> str:
    """Old orders are mostly done; recent ones are spread over the open states."""
    if age_days > 75:
        table = [(S.COMPLETED, 82), (S.CANCELLED, 8), (S.SHIPPED, 10)]
    elif age_days > 30:
        table = [
            (S.COMPLETED, 35), (S.SHIPPED, 20), (S.AWAITING_QC, 8), (S.IN_PRODUCTION, 15),
            (S.SCHEDULING, 6), (S.CONFIRMED, 6), (S.CANCELLED, 10),
        ]  # fmt: skip
    else:
        table = [
            (S.DRAFT, 14), (S.PENDING_REVIEW, 18), (S.CONFIRMED, 14), (S.SCHEDULING, 12),
            (S.IN_PRODUCTION, 18), (S.AWAITING_QC, 8), (S.SHIPPED, 6), (S.COMPLETED, 2),
            (S.CANCELLED, 8),
        ]  # fmt: skip
    return rng.choices([s for s, _w in table], weights=[w for _s, w in table])[0]


def _actor(ctx: DemoContext, action: str, owner: Actor) -> Actor:
    role = {
        "submit": None,
        "reject": "planner",
        "confirm": "planner",
        "schedule": "planner",
        "start": "supervisor",
        "finish": "supervisor",
        "qc_fail": "qc",
        "ship": "warehouse",
        "complete": "finance",
        "cancel": "planner",
    }[action]
    if role == "planner" and action == "confirm" and ctx.rng.random() < 0.2:
        role = "manager"
    actor: Actor = owner if role is None else ctx.users[role]
    return actor


def _plan(ctx: DemoContext, target: str, has_make: bool) -> list[str]:
    """The actions that take a fresh draft to ``target``, with the odd detour real orders take."""
    rng = ctx.rng
    path = PRODUCTION_PATH if has_make else STOCK_PATH
    if target == S.CANCELLED:
        stop = rng.choice([0, 1, 1, 2, 3])
        actions = path[: min(stop, len(path) - 2)]
        return [*actions, "cancel"]
    reached = REACHED_BY[target]
    if has_make:
        actions = PRODUCTION_PATH[:reached]
    else:
        # stock-only orders skip production: confirmed → shipped
        actions = STOCK_PATH[: {0: 0, 1: 1, 2: 2, 6: 3, 7: 4}.get(reached, 2)]
    if "confirm" in actions and rng.random() < 0.06:
        i = actions.index("confirm")
        actions[i:i] = ["reject", "submit"]  # returned to sales once, then resubmitted
    if "ship" in actions and has_make and rng.random() < 0.1:
        i = actions.index("ship")
        actions[i:i] = ["qc_fail", "finish"]  # failed QC once, reworked
    return actions


def _lines(ctx: DemoContext, products: list[Material], target: str) -> list[dict[str, str]]:
    rng = ctx.rng
    chosen = rng.sample(products, k=rng.choices([1, 2, 3, 4], weights=[45, 30, 15, 10])[0])
    needs_production = target in (S.SCHEDULING, S.IN_PRODUCTION, S.AWAITING_QC)
    if needs_production and all(m.fulfilment != "make" for m in chosen):
        chosen[0] = rng.choice([m for m in products if m.fulfilment == "make"])
        chosen = list({m.pk: m for m in chosen}.values())
    return [
        {
            "material": m.code,
            "quantity": str(
                rng.choice(MAKE_QUANTITIES if m.fulfilment == "make" else STOCK_QUANTITIES)
            ),
        }
        for m in chosen
    ]


def _backdate(
    ctx: DemoContext, order: Order, created: dt.datetime, due: dt.date, actions: list[str]
) -> None:
    """Move the order's history back to when it would have happened."""
    rng = ctx.rng
    now = timezone.now()
    moment = created
    stamps: dict[str, dt.datetime] = {}
    dated: dict[str, dt.datetime] = {}
    times = [created]
    for action in actions:
        if action == "ship":
            # about a third of the old orders shipped after their due date
            target = dt.datetime.combine(due, dt.time(15), tzinfo=created.tzinfo)
            target += dt.timedelta(days=rng.choice([-6, -4, -3, -2, -1, 0, 0, 2, 4, 7, 12]))
            moment = max(moment + dt.timedelta(hours=2), target)
        else:
            moment += dt.timedelta(hours=rng.randint(2, 60))
        moment = min(moment, now)
        times.append(moment)
        dated.setdefault(action, moment)
        if action in STAMP_FIELD:
            stamps.setdefault(STAMP_FIELD[action], moment)
    events = list(
        OrderEvent.objects.filter(order=order).order_by("id").values_list("id", flat=True)
    )
    for event_id, at in zip(events, times, strict=False):
        OrderEvent.objects.filter(pk=event_id).update(at=at)
    Order.objects.filter(pk=order.pk).update(
        created_at=created, updated_at=times[-1], due_date=due, **stamps
    )
    for fn in ctx.get("on_backdate") or ():
        fn(ctx, order, dated)


def seed(ctx: DemoContext) -> None:
    plan = ctx.get("order_plan")
    if plan:
        seed_planned(ctx, plan)
        # and the order desk's last few days: orders in every open state, nothing due yet
        seed_random(ctx, count=OPEN_DESK_ORDERS, history_days=4, targets=OPEN_STATES)
    else:
        seed_random(ctx, count=ORDER_COUNT, history_days=HISTORY_DAYS)
    _custom_values(ctx)


def _custom_values(ctx: DemoContext) -> None:
    """The custom field values a seed before this one asked for (``ctx["order_custom"]``)."""
    values = ctx.get("order_custom")
    if values is None:
        return
    orders = list(Order.objects.order_by("id").only("id", "custom"))
    tagged = []
    for i, order in enumerate(orders):
        custom = values(i)
        if custom is None:
            break
        order.custom = custom
        tagged.append(order)
    Order.objects.bulk_update(tagged, ["custom"])


def seed_random(
    ctx: DemoContext, *, count: int, history_days: int, targets: list[OrderStatus] | None = None
) -> None:
    """``count`` orders over the last ``history_days``, each taken to a state drawn by its age
    (or to ``targets`` in turn)."""
    # seeds that run before this one may ask to act on an order before a transition:
    # ctx["before_transition"] = {"ship": [fn(ctx, order), ...]}
    before_transition = ctx.get("before_transition") or {}
    rng = ctx.rng
    products = [m for m in ctx.materials if m.kind == "finished"]
    customers = ctx.customers
    weights = [
        {"key": 6, "growing": 3, "regular": 2, "new": 1, "at_risk": 1}[c.tier] for c in customers
    ]
    tz = timezone.get_current_timezone()
    created_count, stuck = 0, 0
    by_status: dict[str, int] = {}
    now = timezone.now()
    for i in range(count):
        customer = rng.choices(customers, weights=weights)[0]
        owner = ctx.sales_by_region[customer.region.name]
        age = int(history_days * (1 - i / count) ** 1.3)  # more orders lately
        created = dt.datetime.combine(
            ctx.today - dt.timedelta(days=age), dt.time(rng.randint(8, 17), rng.randint(0, 59)), tz
        )
        created = min(created, now - dt.timedelta(hours=rng.randint(3, 9)))
        priority = rng.choices(["normal", "urgent", "critical"], weights=[75, 18, 7])[0]
        lead = rng.randint(5, 15) if priority != "normal" else rng.randint(15, 45)
        due = created.date() + dt.timedelta(days=lead)
        if history_days < 30:  # the last days' orders: none of them due yet
            due = max(due, ctx.today)
        target = targets[i % len(targets)] if targets else _target_status(rng, age)
        lines = _lines(ctx, products, target)
        channel, external_no = "direct", ""
        if rng.random() < 0.12:
            channel = "agent"
            external_no = f"AG{created:%Y%m%d}{i:04d}"
        order = order_create(
            actor=owner,
            customer=customer.code,
            # history is made today and dated back afterwards (_backdate): a past due date now
            # would stop it at submit, exactly as the service should
            due_date=max(due, ctx.today + dt.timedelta(days=1)),
            lines=lines,
            priority=priority,
            channel=channel,
            external_no=external_no,
            note=rng.choice(["", "", "", "请随货附材质证明", "包装需防锈处理", "分批交货"]),
            discount_rate=Decimal(rng.choice([0, 0, 0, 2, 3, 5])),
        )
        created_count += 1
        has_make = order.lines.filter(fulfilment="make").exists()
        done = []
        for action in _plan(ctx, target, has_make):
            try:
                # what other apps' people do before this step (QC inspects before shipping)
                for before in before_transition.get(action, ()):
                    before(ctx, order)
                order = order_transition(
                    actor=_actor(ctx, action, owner),
                    order_id=order.pk,
                    action=action,
                    note=NOTES.get(action, ""),
                )
            except DomainError:
                stuck += 1  # e.g. not enough stock to confirm: the order waits, as it would
                break
            done.append(action)
        _backdate(ctx, order, created, due, done)
        by_status[order.status] = by_status.get(order.status, 0) + 1
    ctx.counts["orders"] = ctx.counts.get("orders", 0) + created_count
    ctx.counts["orders_stopped"] = ctx.counts.get("orders_stopped", 0) + stuck
    summary = ", ".join(f"{S(s).label} {n}" for s, n in sorted(by_status.items()))
    ctx.say(f"  {created_count} orders ({summary})")
    if stuck:
        ctx.say(f"  {stuck} orders stopped early (e.g. not enough stock to confirm)")


# --- history from the factory simulation ---------------------------------------------------------
# A seed that runs before this one may put ``ctx["order_plan"]``: records with ``customer``,
# ``product``, ``qty``, ``priority``, ``created``, ``due`` and ``times`` (when each step happened,
# up to now: confirm, start, finish, qc_fail, qc_pass, ship, cancel). The orders below replay
# that plan through the services and are then dated as planned; seeds that keep dated records
# of their own put ``fn(ctx, order, stamps)`` into ``ctx["on_backdate"]`` to date them too.


class PlannedOrder(Protocol):
    """One order of ``ctx["order_plan"]``, as this seed reads it."""

    @property
    def customer(self) -> int: ...
    @property
    def product(self) -> int: ...
    @property
    def qty(self) -> int: ...
    @property
    def priority(self) -> str: ...
    @property
    def created(self) -> dt.datetime: ...
    @property
    def due(self) -> dt.date: ...
    @property
    def times(self) -> dict[str, dt.datetime]: ...  # action → when it happened
    @property
    def approval_minutes(self) -> float | None: ...


COMPLETE_AFTER = dt.timedelta(days=10)  # the finance desk closes a shipped order once paid
DRAFT_HOURS = 6  # the newest entries: some still drafts on the order desk


def _planned_actions(plan: PlannedOrder, now: dt.datetime) -> list[tuple[str, dt.datetime]]:
    times = plan.times
    steps: list[tuple[str, dt.datetime]] = []
    if "confirm" not in times:
        if "cancel" in times:
            return [("cancel", times["cancel"])]
        if now - plan.created < dt.timedelta(hours=DRAFT_HOURS):
            return []  # still a draft
        return [("submit", plan.created + dt.timedelta(minutes=20))]
    confirm = times["confirm"]
    steps += [
        ("submit", min(confirm, plan.created + dt.timedelta(minutes=20))),
        ("confirm", confirm),
    ]
    if "start" in times:
        steps.append(("schedule", min(times["start"], confirm + dt.timedelta(minutes=30))))
        steps.append(("start", times["start"]))
    if "finish" in times:
        steps.append(("finish", times["finish"]))
        if "qc_fail" in times and "qc_pass" in times:
            steps += [("qc_fail", times["qc_fail"]), ("finish", times["qc_pass"])]
    if "ship" in times:
        steps.append(("ship", times["ship"]))
        if now - times["ship"] > COMPLETE_AFTER:
            steps.append(("complete", times["ship"] + COMPLETE_AFTER))
    if "cancel" in times:
        steps = [s for s in steps if s[1] <= times["cancel"]] + [("cancel", times["cancel"])]
    return steps


def _date_planned(
    ctx: DemoContext, order: Order, plan: PlannedOrder, done: list[tuple[str, dt.datetime]]
) -> None:
    stamps: dict[str, dt.datetime] = {}
    for action, at in done:
        if action in STAMP_FIELD:
            stamps.setdefault(STAMP_FIELD[action], at)
    times = [plan.created] + [at for _a, at in done]
    events = list(
        OrderEvent.objects.filter(order=order).order_by("id").values_list("id", flat=True)
    )
    for event_id, at in zip(events, times, strict=False):
        OrderEvent.objects.filter(pk=event_id).update(at=at)
    Order.objects.filter(pk=order.pk).update(
        created_at=plan.created, updated_at=times[-1], due_date=plan.due, **stamps
    )
    dated = {action: at for action, at in done}
    for fn in ctx.get("on_backdate") or ():
        fn(ctx, order, dated)


def seed_planned(ctx: DemoContext, plan: list[PlannedOrder]) -> None:
    before_transition = ctx.get("before_transition") or {}
    products = [m for m in ctx.materials if m.kind == "finished" and m.fulfilment == "make"]
    customers = ctx.customers
    now = timezone.now()
    by_status: dict[str, int] = {}
    stuck = 0
    # what is over is written as it happened, set-based; only the rest goes through the services
    closed: list[tuple[int, Any, list[tuple[str, dt.datetime]]]] = []
    live: list[tuple[int, Any, list[tuple[str, dt.datetime]]]] = []
    for i, p in enumerate(plan):
        actions = _planned_actions(p, now)
        (closed if is_closed(actions) else live).append((i, p, actions))
    written = write_closed(ctx, closed, lambda action, owner: _actor(ctx, action, owner))
    for fn in ctx.get("on_history") or ():
        fn(ctx, written)
    for w in written:
        status = S.CANCELLED if "cancel" in w.dated else S.COMPLETED
        by_status[status] = by_status.get(status, 0) + 1
    for i, p, actions in live:
        customer = customers[p.customer % len(customers)]
        owner = ctx.sales_by_region[customer.region.name]
        order = order_create(
            actor=owner,
            customer=customer.code,
            due_date=max(p.due, ctx.today + dt.timedelta(days=1)),  # dated back afterwards
            lines=[{"material": products[p.product % len(products)].code, "quantity": str(p.qty)}],
            priority=p.priority,
            channel="agent" if i % 9 == 4 else "direct",
            external_no=f"AG{p.created:%Y%m%d}{i:04d}" if i % 9 == 4 else "",
            note=ctx.rng.choice(["", "", "", "请随货附材质证明", "包装需防锈处理", "分批交货"]),
        )
        if p.approval_minutes is not None:
            ctx["approval_minutes"] = {
                **(ctx.get("approval_minutes") or {}),
                order.pk: p.approval_minutes,
            }
        done: list[tuple[str, dt.datetime]] = []
        for action, at in actions:
            try:
                ctx["moment"] = at
                for before in before_transition.get(action, ()):
                    before(ctx, order)
                order = order_transition(
                    actor=_actor(ctx, action, owner), order_id=order.pk, action=action,
                    note=NOTES.get(action, ""),
                )  # fmt: skip
            except DomainError:
                stuck += 1
                break
            done.append((action, at))
        _date_planned(ctx, order, p, done)
        by_status[order.status] = by_status.get(order.status, 0) + 1
    ctx.counts["orders"] = len(plan)
    ctx.counts["orders_written"] = len(written)
    ctx.counts["orders_stopped"] = stuck
    summary = ", ".join(f"{S(s).label} {n}" for s, n in sorted(by_status.items()))
    ctx.say(f"  {len(plan)} orders from the factory simulation ({summary})")
    if stuck:
        ctx.say(f"  {stuck} orders stopped early (e.g. not enough stock to confirm)")
