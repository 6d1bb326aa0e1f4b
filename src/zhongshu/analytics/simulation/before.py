"""The order desk before Zhongshu, as the factory describes it: an order confirmed by the customer
reaches planning about 48 hours later through Excel and WeChat; released first in, first out;
the promise is the date the customer asked for; a missing purchased part is found when the job
starts at the machine; a rush order is approved in about 8 hours and then phoned to the floor,
where it interrupts whatever runs; a design change reaches the floor a day later; no reminders."""

import random

from .floor import Arm, FTask, SimOrder
from .model import Params


class Before(Arm):
    name = "before"
    preempt_rush = True

    def __init__(self, params: Params):
        self.params = params
        self.news_delay_hours = params.news_delay_hours
        self.rng = random.Random(params.seed * 31 + 5)

    def order_process(self, order: SimOrder):
        spec, p, floor = order.spec, self.params, self.floor
        yield floor.wait_until(spec.arrival)
        order.promised = spec.asked
        order.log.append((self.env.now, "entered"))
        hours = p.approval_hours_before if spec.rush else p.intake_hours
        sigma = 0.35
        delay = hours * 60 * self.rng.lognormvariate(-sigma * sigma / 2, sigma)
        yield floor.wait_until(floor.office(self.env.now + delay))
        if order.cancelled is None:
            order.log.append((self.env.now, "confirmed"))
            floor.release(order)

    def pick(self, line: str, ready: list[FTask]) -> FTask | None:
        # whatever came first, except what the phone says is a rush
        return min(
            ready, key=lambda t: (not t.order.spec.rush, t.order.released, t.order.spec.idx, t.seq)
        )

    def can_start(self, task: FTask) -> bool:
        order = task.order
        if task.seq == 0 and order.spec.shortage and order.part_ordered is None:
            # found at the machine: the part is ordered now and the job waits for it
            self.floor.order_part(order, self.env.now)
            return False
        return True
