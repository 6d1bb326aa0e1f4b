"""Signals that cross app boundaries without making one app import another.

``user_activity`` — sent whenever a person does something meaningful (order created, transition,
approval decided, kanban move, import committed). Arguments: ``user``, ``kind`` (a short dotted
name such as "order.created" or "task.started") and optionally ``obj``. Analytics keeps the daily
counters the activity leaderboard and the daily-active ratio are computed from. Send it with
``transaction.on_commit`` so rolled-back work is not counted.
"""

from django.dispatch import Signal

user_activity = Signal()

# ``stock_changed`` — sent after a stock movement committed. Arguments: ``material_ids`` (a set).
# Rules with the stock.changed trigger re-check the open orders that use those materials.
stock_changed = Signal()

# ``work_finished`` — sent after a unit of background work (one periodic job run) ended, the way
# Django sends ``request_finished`` after a request: what was left pending for "the end of the
# request" (rule actions of a refused transition) is run then, not kept in memory forever.
work_finished = Signal()

# ``scrap_reported`` — sent inside the transaction of a task finish that reported scrap (so a
# receiver's writes commit or roll back with the finish). Arguments: ``actor``, ``task_id``,
# ``order_id``, ``order_line_id``, ``material_id`` (the sheet's product), ``scrap_quantity`` and ``good_quantity``
# (Decimals), ``threshold_percent`` (Decimal, the line's or the factory's) and ``over_threshold``
# (bool). Quality opens a nonconformance when over the threshold; inventory holds the components
# the scrapped units consumed again (and gives them back when the finish is undone).
scrap_reported = Signal()

# ``scrap_withdrawn`` — sent inside the transaction of an undone finish that had reported scrap,
# with the same arguments as the ``scrap_reported`` it takes back.
scrap_withdrawn = Signal()
