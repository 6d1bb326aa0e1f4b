"""Run one arm over one demand."""

from .after import After, product_clock
from .before import Before
from .floor import Floor, run
from .model import Demand
from .setup import actors, product_ids


def run_before(demand: Demand) -> Floor:
    return run(demand, Before(demand.params))


def run_after(demand: Demand) -> tuple[Floor, After]:
    """Needs a database holding ``setup.prepare(demand.factory)`` and no orders yet."""
    arm = After(demand.params, actors(), product_ids(demand.factory))
    with product_clock(arm):
        floor = run(demand, arm)
    return floor, arm
