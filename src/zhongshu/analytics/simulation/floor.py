"""The shop floor, the same in both arms: lines work their shifts on the CN calendar, one task at
a time; a task takes its estimate × its drawn factor plus the breakdowns that fall into it; the
first operation cannot start before the purchased part is on hand; design changes, QC failures
and cancellations come from the demand. What differs between the arms is the ``Arm``: when an
order reaches the floor, which ready task a line takes next, whether rush orders interrupt, when
a shortage is found and how fast news travels.
"""

import datetime as dt
from dataclasses import dataclass, field

import simpy

from zhongshu.production.calendar import is_national_working_day

from .model import DAY, Clock, Demand, OrderSpec

PRIORITY_RANK = {"critical": 0, "urgent": 1, "normal": 2}
SETUP_PENALTY = 0.5  # an interrupted job sets up again: this share of its first setup


@dataclass(eq=False)
class FTask:
    order: "SimOrder"
    seq: int
    line: str
    est: float  # estimated minutes (setup + qty × run)
    work: float  # minutes of work still to do
    setup: float = 0.0
    ref: int | None = None  # the product's task id (with Zhongshu)
    status: str = "pending"  # pending, running, done, cancelled
    started: float | None = None
    finished: float | None = None
    rework: bool = False


@dataclass(eq=False)
class SimOrder:
    spec: OrderSpec
    tasks: list[FTask] = field(default_factory=list)
    promised: dt.date | None = None
    released: float | None = None  # reached the floor (confirmed)
    part_at: float | None = None  # the purchased part is on hand from this minute
    part_ordered: float | None = None
    qc_passed: float | None = None
    shipped: float | None = None
    cancelled: float | None = None
    known_late: float | None = None  # first minute the late delivery was known
    qc_failed_once: bool = False
    ref: int | None = None  # the product's order id (with Zhongshu)
    log: list[tuple[float, str]] = field(default_factory=list)

    @property
    def open(self) -> bool:
        return self.shipped is None and self.cancelled is None


class Arm:
    """How the orders are handled; subclasses are the two arms."""

    name = ""
    news_delay_hours = 0.0
    preempt_rush = False

    def bind(self, env: simpy.Environment, floor: "Floor") -> None:
        self.env, self.floor = env, floor

    def order_process(self, order: SimOrder):  # a SimPy process: arrival → release
        raise NotImplementedError

    def pick(self, line: str, ready: list[FTask]) -> FTask | None:
        raise NotImplementedError

    def can_start(self, task: FTask) -> bool:
        return True

    def started(self, task: FTask) -> None: ...

    def finished(self, task: FTask) -> None: ...

    def qc(self, order: SimOrder, passed: bool, rework: FTask | None) -> None: ...

    def ship(self, order: SimOrder) -> None: ...

    def cancel(self, order: SimOrder) -> None: ...

    def close(self) -> None: ...


@dataclass(eq=False)
class _Line:
    code: str
    queue: list[FTask] = field(default_factory=list)
    current: FTask | None = None
    wake: simpy.Event | None = None
    proc: simpy.Process | None = None
    busy: float = 0.0


class Floor:
    def __init__(self, env: simpy.Environment, demand: Demand, clock: Clock, arm: Arm):
        self.env, self.demand, self.clock, self.arm = env, demand, clock, arm
        self.orders = [SimOrder(spec) for spec in demand.orders]
        self.lines = {code: _Line(code) for code in clock.windows}
        arm.bind(env, self)
        for line in self.lines.values():
            line.proc = env.process(self._run_line(line))
        for order in self.orders:
            env.process(arm.order_process(order))
            if order.spec.change_at is not None:
                env.process(self._design_change(order))
            if order.spec.cancel_at is not None:
                env.process(self._cancel(order))

    # --- used by the arms ------------------------------------------------------------------

    def office(self, minute: float) -> float:
        """The first office minute (08:00–18:00 of a worked day) at or after ``minute``."""
        day = int(minute // DAY)
        while True:
            date = self.clock.start + dt.timedelta(days=day)
            if is_national_working_day(date):
                begin, end = day * DAY + 8 * 60, day * DAY + 18 * 60
                if minute < end:
                    return max(minute, begin)
            day += 1
            minute = day * DAY

    def wait_until(self, minute: float):
        return self.env.timeout(max(0.0, minute - self.env.now))

    def release(self, order: SimOrder) -> None:
        """The order reaches the floor: its tasks join the queues of their lines."""
        order.released = self.env.now
        order.log.append((self.env.now, "released"))
        product = self.demand.factory.products[order.spec.product]
        if not order.tasks:
            for k, op in enumerate(product.ops):
                est = (op.setup_hours + order.spec.qty * op.run_hours) * 60
                work = est * order.spec.factors[k] + order.spec.breakdowns[k]
                order.tasks.append(FTask(order, k, op.line, est, work, setup=op.setup_hours * 60))
        for task in order.tasks:
            self.lines[task.line].queue.append(task)
        self.kick(order.tasks[0].line, order.tasks[0])

    def kick(self, code: str, task: FTask | None = None) -> None:
        line = self.lines[code]
        if line.wake is not None and not line.wake.triggered:
            line.wake.succeed()
        if (
            self.arm.preempt_rush and task is not None and task.order.spec.rush
            and line.current is not None and not line.current.order.spec.rush
            and line.proc is not None and self.ready(task)
        ):  # fmt: skip
            line.proc.interrupt("rush")

    def ready(self, task: FTask) -> bool:
        order = task.order
        if task.status != "pending" or order.released is None or order.cancelled is not None:
            return False
        if task.seq > 0:
            prev = order.tasks[task.seq - 1]
            return prev.status == "done"
        return not order.spec.shortage or (order.part_at is None or order.part_at <= self.env.now)

    def order_part(self, order: SimOrder, ordered_at: float) -> None:
        """The purchased part is ordered now; the first operation can start when it arrives."""
        order.part_ordered = ordered_at
        order.part_at = ordered_at + order.spec.part_lead_days * DAY
        order.log.append((ordered_at, "part_ordered"))
        self.env.process(self._part_arrives(order))

    def _part_arrives(self, order: SimOrder):
        yield self.wait_until(order.part_at)
        if order.tasks:
            self.kick(order.tasks[0].line, order.tasks[0])

    # --- the lines ---------------------------------------------------------------------------

    def _run_line(self, line: _Line):
        env = self.env
        while True:
            win = self.clock.current(line.code, env.now)
            if win is None:
                return
            begin, end = win
            try:
                if env.now < begin:
                    yield env.timeout(begin - env.now)
                    continue
                ready = [t for t in line.queue if self.ready(t)]
                task = self.arm.pick(line.code, ready) if ready else None
                if task is not None and not self.arm.can_start(task):
                    continue
                if task is None:
                    line.wake = env.event()
                    yield line.wake | env.timeout(end - env.now)
                    continue
                yield from self._work(line, task)
            except simpy.Interrupt:
                continue

    def _work(self, line: _Line, task: FTask):
        env = self.env
        line.queue.remove(task)
        line.current = task
        if task.started is None:
            task.started = env.now
            task.order.log.append((env.now, "task_started"))
            self.arm.started(task)
        task.status = "running"
        t0 = None
        try:
            while task.work > 1e-6:
                win = self.clock.current(line.code, env.now)
                if win is None:
                    return
                begin, end = win
                if env.now < begin:
                    t0 = None
                    yield env.timeout(begin - env.now)
                    continue
                chunk, t0 = min(task.work, end - env.now), env.now
                yield env.timeout(chunk)
                task.work -= chunk
                line.busy += chunk
                t0 = None
        except simpy.Interrupt:  # a rush order by phone: this job waits, and sets up again
            if t0 is not None:
                task.work -= env.now - t0
                line.busy += env.now - t0
            task.work += task.setup * SETUP_PENALTY
            task.status = "pending"
            line.queue.insert(0, task)
            return
        finally:
            line.current = None
        task.status = "done"
        task.finished = env.now
        self.arm.finished(task)
        self._after_task(task)

    def _after_task(self, task: FTask) -> None:
        order = task.order
        nxt = [t for t in order.tasks if t.status == "pending"]
        if nxt:
            self.kick(nxt[0].line, nxt[0])
        elif all(t.status in ("done", "cancelled") for t in order.tasks) and order.open:
            self.env.process(self._qc(order))

    def _qc(self, order: SimOrder):
        yield self.wait_until(self.office(self.env.now + 60))
        if not order.open:
            return
        last = order.tasks[-1]
        if order.spec.qc_fail and not order.qc_failed_once:
            order.qc_failed_once = True
            order.log.append((self.env.now, "qc_failed"))
            minutes = last.est * order.spec.rework_factor
            rework = FTask(order, len(order.tasks), last.line, minutes, minutes, rework=True)
            order.tasks.append(rework)
            self.arm.qc(order, False, rework)
            self.lines[rework.line].queue.append(rework)
            self.kick(rework.line, rework)
            return
        order.qc_passed = self.env.now
        order.log.append((self.env.now, "qc_passed"))
        self.arm.qc(order, True, None)
        yield self.wait_until(self.office(self.env.now + 30))
        if order.open:
            order.shipped = self.env.now
            order.log.append((self.env.now, "shipped"))
            self.arm.ship(order)

    def _design_change(self, order: SimOrder):
        change_at = order.spec.change_at
        yield self.wait_until(change_at)
        learnt = change_at + self.arm.news_delay_hours * 60
        yield self.wait_until(learnt)
        if not order.open or order.released is None:
            return
        order.log.append((self.env.now, "design_change"))
        wasted = sum(
            t.est * order.spec.factors[min(t.seq, len(order.spec.factors) - 1)]
            for t in order.tasks
            if t.started is not None and t.started >= change_at and not t.rework
        )
        pending = [t for t in order.tasks if t.status == "pending"]
        for t in pending:
            t.work *= 1.15
        if pending and wasted:
            pending[0].work += wasted  # what was made to the old drawing is made again

    def _cancel(self, order: SimOrder):
        yield self.wait_until(order.spec.cancel_at)
        if not order.open:
            return
        order.cancelled = self.env.now
        order.log.append((self.env.now, "cancelled"))
        for t in order.tasks:
            if t.status == "pending":
                t.status = "cancelled"
                if t in self.lines[t.line].queue:
                    self.lines[t.line].queue.remove(t)
        self.arm.cancel(order)


def run(demand: Demand, arm: Arm) -> Floor:
    """Run one arm over the demand's horizon and return the floor (orders with their history)."""
    env = simpy.Environment()
    clock = Clock(demand.factory, demand.params.start, demand.params.days + demand.params.tail_days)
    floor = Floor(env, demand, clock, arm)
    floor.clock = clock
    env.run(until=demand.params.horizon)
    arm.close()
    return floor
