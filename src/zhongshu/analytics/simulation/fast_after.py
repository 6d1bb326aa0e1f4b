"""With Zhongshu, the fast way: the same shop floor as ``before``, with the order desk the product
gives the factory — for the demo's history, where going through every service per order would
take minutes. It follows the product's rules, not its code:

* the order is entered and submitted within ``entry_hours_after``; a rush order is approved at
  the product's measured speed (``approval_hours_after``);
* the stock check at submit finds a missing purchased part at once and purchasing orders it then,
  not when the job reaches the machine;
* the promise is the capable-to-promise date: the asked date, or later when the part cannot
  arrive in time (part lead time + the order's own work);
* lines take the ready task of the highest priority, then the earliest due date (the scheduler's
  order), and the shipped rule "due in 3 days and not started" puts such an order first;
* design changes reach the floor at once; rush orders never interrupt a running job.
"""

import math
import random

from .floor import Arm, FTask, SimOrder
from .model import DAY, Params, add_working_days

PRIORITY_RANK = {"critical": 0, "urgent": 1, "normal": 2}
REMINDER_DAYS = 3  # the shipped rule: due in 3 days and not started


class FastAfter(Arm):
    name = "with Zhongshu (fast)"
    preempt_rush = False

    def __init__(self, params: Params):
        self.params = params
        self.news_delay_hours = 0.0
        self.rng = random.Random(params.seed * 37 + 11)

    def _delay(self, hours: float) -> float:
        sigma = 0.35
        return hours * 60 * self.rng.lognormvariate(-sigma * sigma / 2, sigma)

    def order_process(self, order: SimOrder):
        spec, p, floor = order.spec, self.params, self.floor
        yield floor.wait_until(spec.arrival)
        order.log.append((self.env.now, "entered"))
        if spec.shortage:  # found by the stock check at submit, bought at once
            floor.order_part(order, self.env.now)
        # half a working day per operation on the CN calendar, as the promise plans
        work_days = math.ceil(0.5 * len(spec.factors))
        ready = self.env.now + (spec.part_lead_days if spec.shortage else 0) * DAY
        earliest = add_working_days(floor.clock.date(ready), work_days)
        order.promised = max(spec.asked, earliest)
        if order.promised > spec.asked:
            order.known_late = self.env.now  # the promise told the customer on day one
        hours = p.entry_hours_after + (p.approval_hours_after if spec.rush else 0.0)
        yield floor.wait_until(floor.office(self.env.now + self._delay(hours)))
        if order.cancelled is None:
            order.log.append((self.env.now, "confirmed"))
            floor.release(order)

    def _due_soon(self, task: FTask) -> bool:
        order = task.order
        if any(t.started is not None for t in order.tasks):
            return False
        due_minute = self.floor.clock.minute_of(order.spec.asked)
        return due_minute - self.env.now <= REMINDER_DAYS * DAY

    def pick(self, line: str, ready: list[FTask]) -> FTask | None:
        return min(
            ready,
            key=lambda t: (
                not self._due_soon(t),
                PRIORITY_RANK[t.order.spec.priority],
                t.order.spec.asked,
                t.order.released,
                t.seq,
            ),
        )
