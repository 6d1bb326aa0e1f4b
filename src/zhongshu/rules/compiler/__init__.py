"""The one condition compiler: a JSON tree → a Django ``Q`` (scheduled scans, set-based) and → a
Python predicate over a facts dict (event checks). Both read the same field catalogue, so what a
field means is written once per side, next to each other.

Tree::

    {"all": [cond, …]} | {"any": [cond, …]} | {"not": cond}
    | {"field": "days_to_due", "op": "lte", "value": 3}

``{"all": []}`` is true, ``{"any": []}`` is false. ``is_null`` takes ``true``/``false``: "is empty"
(no value, empty text, no tags) or "is set".

Custom fields of orders are fields too, named ``cf.<key>``: the catalogue reads their definitions,
and ``rules.custom`` says what a condition on one means on both sides.
"""

from .fields import (
    _CUSTOM_TYPES,
    BOOL,
    CHOICE,
    CUSTOM_PREFIX,
    CUSTOMER,
    CUSTOMER_FIELDS,
    DATE,
    FIELDS,
    FILE,
    MAX_DEPTH,
    MAX_IN,
    MAX_NODES,
    MULTI,
    NUMBER,
    OP_LABELS,
    OPS_BY_TYPE,
    ORDER,
    PRODUCTION_STARTED,
    TAGS,
    TEXT,
    Field,
    catalogue,
    custom_field,
    fields_for,
    fields_used,
    validate,
)
from .python import (
    Predicate,
    to_predicate,
)
from .sql import (
    FALSE_Q,
    QTY,
    TRUE_Q,
    filter_orders,
    shortage_lines,
    to_q,
)

__all__ = [
    "BOOL",
    "CHOICE",
    "CUSTOMER",
    "CUSTOMER_FIELDS",
    "CUSTOM_PREFIX",
    "DATE",
    "FALSE_Q",
    "FIELDS",
    "FILE",
    "MAX_DEPTH",
    "MAX_IN",
    "MAX_NODES",
    "MULTI",
    "NUMBER",
    "OPS_BY_TYPE",
    "OP_LABELS",
    "ORDER",
    "PRODUCTION_STARTED",
    "QTY",
    "TAGS",
    "TEXT",
    "TRUE_Q",
    "_CUSTOM_TYPES",
    "Field",
    "Predicate",
    "catalogue",
    "custom_field",
    "fields_for",
    "fields_used",
    "filter_orders",
    "shortage_lines",
    "to_predicate",
    "to_q",
    "validate",
]
