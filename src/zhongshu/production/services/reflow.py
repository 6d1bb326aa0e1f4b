"""One reschedule after the commit that asked for it, however many changes ask."""

import contextlib
from collections.abc import Callable, Iterator

from django.db import connection, transaction

from ._common import log


class _Reflow:
    """One pending reschedule, run after the transaction that asked for it commits."""

    done = False

    def __call__(self) -> None:
        self.done = True
        from .schedule import reschedule  # the scheduler needs the lines, which ask for reflows

        try:
            reschedule(actor=None)
        except Exception:  # a failed reflow must not turn a committed change into an error
            log.exception("production reschedule failed")


# Where reflow requests go instead of the scheduler while a caller holds ``reflows_diverted``
# (the factory simulation lets its planner reschedule at a planner's pace).
_diverted: list[Callable[[], None]] = []


@contextlib.contextmanager
def reflows_diverted(to: Callable[[], None]) -> Iterator[None]:
    """Send every reflow request made inside the block to ``to`` instead of rescheduling."""
    _diverted.append(to)
    try:
        yield
    finally:
        _diverted.remove(to)


def request_reflow() -> None:
    """Reschedule once after the current transaction commits (however many changes ask)."""
    if _diverted:
        _diverted[-1]()
        return
    if connection.in_atomic_block and any(
        isinstance(item[1], _Reflow) and not item[1].done for item in connection.run_on_commit
    ):
        return
    transaction.on_commit(_Reflow())
