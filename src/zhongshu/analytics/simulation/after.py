"""With Zhongshu: the same orders go through the product's own services on a scratch database.

Only the shop floor, the customers and the suppliers are simulated. Each order is created and
submitted by the order desk (``orders.services``), gets its capable-to-promise date
(``planning.promise``), rush orders and orders due sooner than their lead time are approved
(``approvals.services``), the planner confirms it (the confirm hooks create the task sheets), a
part short at entry (drawn by the simulation: the scratch database holds no stock) is bought
at once and the first operation pinned to its arrival (``production.services.task_pin``). The lines take the ready task the product's
finite-capacity scheduler (``production.services.reschedule``) planned first; operators start
and finish tasks through ``task_start`` / ``task_finish``; QC records inspections
(``quality.services.record_inspection``), whose failures add the rework task; the warehouse
ships through the status machine, which refuses to ship before QC passed.

The product's clock (``django.utils.timezone.now``) is the simulation's clock while it runs, and
the reflow the product asks for after each change is run by the simulated planner at most once
per ``REPLAN_MINUTES`` of simulated time, right before a line picks its next task.
"""

import contextlib
import datetime as dt
import math
import random
from collections import Counter
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

from django.utils import timezone

from zhongshu.approvals import services as approval_services
from zhongshu.approvals.exceptions import ApprovalRequired
from zhongshu.orders import services as order_services
from zhongshu.planning import promise as ctp
from zhongshu.production import services as production_services
from zhongshu.production.models import ProductionPlan, Task, TaskStatus
from zhongshu.quality import services as quality_services

from .floor import Arm, FTask, SimOrder
from .model import DAY, Params

TZ = ZoneInfo("Asia/Shanghai")
REPLAN_MINUTES = 30
NEVER = float("inf")


class After(Arm):
    name = "with Zhongshu"
    preempt_rush = False

    def __init__(self, params: Params, actors: dict, products: dict[str, int]):
        self.params = params
        self.actors = actors
        self.material_ids = products
        self.news_delay_hours = params.approval_hours_after
        self.rng = random.Random(params.seed * 37 + 11)
        self.dirty = True
        self.last_plan = -NEVER
        self.planned: dict[int, float] = {}
        self.calls: Counter = Counter()

    # --- clock ---------------------------------------------------------------------------------

    def now_dt(self) -> dt.datetime:
        return self.floor.clock.datetime(self.env.now, TZ).astimezone(dt.UTC)

    def minute(self, value: dt.datetime) -> float:
        base = dt.datetime.combine(self.floor.clock.start, dt.time(), tzinfo=TZ)
        return (value - base).total_seconds() / 60

    def _delay(self, hours: float) -> float:
        sigma = 0.35
        return hours * 60 * self.rng.lognormvariate(-sigma * sigma / 2, sigma)

    # --- the order desk, approvals, the planner ------------------------------------------------

    def order_process(self, order: SimOrder):
        spec, floor, a = order.spec, self.floor, self.actors
        yield floor.wait_until(spec.arrival)
        product = floor.demand.factory.products[spec.product]
        created = order_services.order_create(
            actor=a["sales"], customer=floor.demand.factory.customers[spec.customer],
            due_date=spec.asked, priority=spec.priority,
            lines=[{"material": product.code, "quantity": spec.qty}],
        )  # fmt: skip
        order.ref = created.pk
        order.log.append((self.env.now, "entered"))
        order_services.order_transition(actor=a["sales"], order_id=created.pk, action="submit")
        self.calls["order_submit"] += 1
        order.promised = self._promise(order, product.code)
        if order.promised > spec.asked:
            order.known_late = self.env.now
        yield floor.wait_until(
            floor.office(self.env.now + self._delay(self.params.entry_hours_after))
        )
        while order.cancelled is None:
            try:
                order_services.order_transition(
                    actor=a["planner"], order_id=order.ref, action="confirm"
                )
                self.calls["order_confirm"] += 1
                break
            except ApprovalRequired as exc:
                yield from self._approve(order, exc.details["kinds"])
        if order.cancelled is not None:
            return
        order.log.append((self.env.now, "confirmed"))
        floor.release(order)
        refs = list(
            Task.objects.filter(order_id=order.ref)
            .order_by("sheet_id", "sequence")
            .values_list("pk", flat=True)
        )
        for task, ref in zip(order.tasks, refs, strict=True):
            task.ref = ref
        if order.part_at is not None and order.part_at > self.env.now:
            production_services.task_pin(
                actor=a["planner"], task_id=refs[0], date=floor.clock.date(order.part_at)
            )
            self.calls["task_pin"] += 1
        self.dirty = True

    def _promise(self, order: SimOrder, code: str) -> dt.date:
        """Capable-to-promise from the product; a part the stock check finds short is bought now
        and the promise moves by its lead time."""
        spec, today = order.spec, timezone.localdate()
        mid = self.material_ids[code]
        world = ctp.load_world(today, {mid})
        result = ctp.promise(world, [(mid, Decimal(spec.qty))], requested=spec.asked)
        self.calls["promise"] += 1
        date = result.date or spec.asked
        if spec.shortage:
            self.floor.order_part(order, self.env.now)
            date += dt.timedelta(days=math.ceil(spec.part_lead_days))
        return max(date, spec.asked)

    def _approve(self, order: SimOrder, kinds: list[str]):
        a = self.actors
        requests = [
            approval_services.request_create(
                actor=a["sales"], order_id=order.ref, kind=kind, reason="客户要求加急交付"
            )
            for kind in kinds
        ]
        yield self.floor.wait_until(self.env.now + self._delay(self.params.approval_hours_after))
        for request in requests:
            approval_services.request_decide(
                actor=a["manager"], request_id=request.pk, verdict="approve"
            )
            self.calls["approval"] += 1

    def _replan(self) -> None:
        if not self.dirty or self.env.now - self.last_plan < REPLAN_MINUTES:
            return
        production_services.reschedule(actor=None, now=timezone.localtime())
        self.calls["reschedule"] += 1
        self.dirty, self.last_plan = False, self.env.now
        self.planned = {
            pk: self.minute(start)
            for pk, start in Task.objects.filter(
                status=TaskStatus.PENDING, planned_start__isnull=False
            ).values_list("pk", "planned_start")
        }
        by_ref = {o.ref: o for o in self.floor.orders if o.ref is not None and o.open}
        for order_id in ProductionPlan.objects.filter(at_risk=True).values_list(
            "order_id", flat=True
        ):
            order = by_ref.get(order_id)
            if order is not None and order.known_late is None:
                order.known_late = self.env.now

    # --- the floor -----------------------------------------------------------------------------

    def pick(self, line: str, ready: list[FTask]) -> FTask | None:
        self._replan()
        return min(
            ready,
            key=lambda t: (
                self.planned.get(t.ref, NEVER) if t.ref else NEVER,
                t.order.spec.asked, t.order.spec.idx, t.seq,
            ),
        )  # fmt: skip

    def started(self, task: FTask) -> None:
        production_services.task_start(actor=self.actors["supervisor"], task_id=task.ref)
        self.calls["task_start"] += 1

    def finished(self, task: FTask) -> None:
        if task.order.cancelled is not None:
            # cancelled while this job ran: the product cancelled the order's open tasks with it
            # (there is nothing left to finish), the floor only ends the job
            return
        hours = max(0.01, (self.env.now - task.started) / 60)
        production_services.task_finish(
            actor=self.actors["supervisor"], task_id=task.ref,
            actual_hours=Decimal(f"{min(hours, 9000):.2f}"),
        )  # fmt: skip
        self.calls["task_finish"] += 1

    def qc(self, order: SimOrder, passed: bool, rework: FTask | None) -> None:
        quality_services.record_inspection(
            actor=self.actors["qc"], order_id=order.ref, measurements=[],
            result="pass" if passed else "fail", note="" if passed else "尺寸超差，返工",
        )  # fmt: skip
        self.calls["inspection"] += 1
        if rework is not None:
            rework.ref = (
                Task.objects.filter(order_id=order.ref, status=TaskStatus.PENDING)
                .order_by("-pk")
                .values_list("pk", flat=True)
                .first()
            )
            self.dirty = True

    def ship(self, order: SimOrder) -> None:
        order_services.order_transition(
            actor=self.actors["warehouse"], order_id=order.ref, action="ship"
        )
        self.calls["ship"] += 1

    def cancel(self, order: SimOrder) -> None:
        if order.ref is None:
            return
        order_services.order_transition(
            actor=self.actors["manager"], order_id=order.ref, action="cancel", note="客户取消订单"
        )
        self.calls["cancel"] += 1
        self.dirty = True


def _mark_dirty(arm: After):
    def request_reflow() -> None:
        arm.dirty = True

    return request_reflow


@contextlib.contextmanager
def product_clock(arm: After):
    """The product runs on the simulation's clock; its reflow requests go to the planner."""
    with (
        mock.patch("django.utils.timezone.now", arm.now_dt),
        production_services.reflows_diverted(_mark_dirty(arm)),
    ):
        yield


def minutes_to_days(minutes: float) -> float:
    return minutes / DAY
