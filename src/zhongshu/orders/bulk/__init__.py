"""Creating and moving many orders at once — the imports' commit and the channel sync.

``orders_create_many`` writes, for a whole list of orders, exactly what ``order_create`` writes for
one: the number from the gapless counter, the draft order, its lines, the "created" timeline event,
the audit history (the order saved before its lines with zero totals "+", the lines "+", the order
with its totals "~") and, after commit, the "created" hooks. ``orders_transition_many`` does the
same for ``order_transition``: the status, version and timestamp, the history row, the timeline
event, the guards' refusals per order and the after-commit hooks.

Both run inside the caller's transaction in a fixed number of statements per chunk of orders
instead of a dozen per order: one query each for the customers and materials still usable, one
counter increment, one ``COPY``/multi-row insert per table (``core.bulk``), ``INSERT … SELECT`` for
the history. Columns are taken from the models, so a field added to ``Order`` later is written
too (its default, or the value given in ``NewOrder.values``).

The rules are not restated here: orders are checked by the functions of ``services.rules``,
lines are built by ``services.lines.build_line``, and a move is refused by the ladder and the
built-in guards of ``services.transitions`` — the same code ``order_create`` and
``order_transition`` run for one order.

What cannot be done for a list keeps its one-by-one path: a transition whose action has effects
(they may change what the next order's guards see — stock reserved by one order is not available
to the next) or guards that cannot judge a list goes through ``order_transition``, one savepoint per
order.
"""

from .actions import (
    BULK_ACTIONS,
    MAX_BULK,
    BulkResult,
    orders_assign_owner_many,
    orders_bulk_action,
)
from .create import NewLine, NewOrder, check_many, orders_create_many
from .transitions import Moved, orders_transition_many

__all__ = [
    "BULK_ACTIONS",
    "MAX_BULK",
    "BulkResult",
    "Moved",
    "NewLine",
    "NewOrder",
    "check_many",
    "orders_assign_owner_many",
    "orders_bulk_action",
    "orders_create_many",
    "orders_transition_many",
]
