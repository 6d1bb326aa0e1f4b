"""Order use cases, one module per use case; this package re-exports their public API so that
``from zhongshu.orders.services import order_create`` keeps working everywhere.

- ``editing``: create, edit and delete a draft order
- ``lines``: cleaning lines, matching them to the stored lines they continue, the line builder
- ``rules``: what an order must satisfy (shared with the bulk paths in ``orders.bulk``)
- ``transitions``: the status machine's refusal ladder, built-in guards and ``order_transition``
- ``changes``: approved changes to released orders
- ``numbering``: the gapless order numbers
"""

from .changes import (
    CHANGEABLE,
    EXPEDITABLE,
    PRIORITY_RANK,
    _clean_change,
    clean_expedite,
    order_apply_change,
    order_expedite,
)
from .common import _after_commit, _custom_changes, _event, _jsonable, _lock_order, _stamp
from .editing import order_create, order_delete, order_update
from .lines import _clean_lines, _write_lines, build_line, line_from_clean, match_lines
from .numbering import _next_number, allocate_numbers
from .rules import (
    MAX_AMOUNT,
    MAX_DUE_YEARS,
    MAX_LINES,
    _check_totals,
    _clean_customer,
    _clean_date,
    _clean_order_custom,
    _clean_terms,
    _fits,
)
from .transitions import allowed_actions, builtin_guards, order_transition, refusal

__all__ = [
    "CHANGEABLE",
    "EXPEDITABLE",
    "MAX_AMOUNT",
    "MAX_DUE_YEARS",
    "MAX_LINES",
    "PRIORITY_RANK",
    "_after_commit",
    "_check_totals",
    "_clean_change",
    "_clean_customer",
    "_clean_date",
    "_clean_lines",
    "_clean_order_custom",
    "_clean_terms",
    "_custom_changes",
    "_event",
    "_fits",
    "_jsonable",
    "_lock_order",
    "_next_number",
    "_stamp",
    "_write_lines",
    "allocate_numbers",
    "allowed_actions",
    "build_line",
    "builtin_guards",
    "clean_expedite",
    "line_from_clean",
    "match_lines",
    "order_apply_change",
    "order_create",
    "order_delete",
    "order_expedite",
    "order_transition",
    "order_update",
    "refusal",
]
