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
