"""The field catalogue conditions are written against, and validating a condition tree."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhongshu.core.actors import Actor
from zhongshu.core.validation import Errors
from zhongshu.customers.models import CustomerTier
from zhongshu.orders.statuses import Channel, OrderStatus, Priority

MAX_DEPTH = 6
MAX_NODES = 60
MAX_IN = 50


NUMBER, DATE, CHOICE, TEXT, BOOL, TAGS = "number", "date", "choice", "text", "bool", "tags"
MULTI, FILE = "multi", "file"  # custom fields only: multiple choice, an attached file
CUSTOM_PREFIX = "cf."
ORDER, CUSTOMER = "order", "customer"  # what a rule's condition is about (its triggers decide)

OPS_BY_TYPE = {
    NUMBER: ["eq", "ne", "lt", "lte", "gt", "gte", "in", "not_in"],
    DATE: ["eq", "ne", "lt", "lte", "gt", "gte", "is_null"],
    CHOICE: ["eq", "ne", "in", "not_in"],
    TEXT: ["eq", "ne", "in", "not_in", "contains", "is_null"],
    BOOL: ["eq", "ne"],
    TAGS: ["contains", "is_null"],
    MULTI: ["contains", "is_null"],
    FILE: ["is_null"],
}
OP_LABELS = {
    "eq": gettext_lazy("equals"),
    "ne": gettext_lazy("does not equal"),
    "lt": gettext_lazy("is less than"),
    "lte": gettext_lazy("is at most"),
    "gt": gettext_lazy("is greater than"),
    "gte": gettext_lazy("is at least"),
    "in": gettext_lazy("is one of"),
    "not_in": gettext_lazy("is none of"),
    "contains": gettext_lazy("contains"),
    "is_null": gettext_lazy("is empty"),
}
# statuses at which production has begun (the order's own timestamp counts as well)
PRODUCTION_STARTED = (
    OrderStatus.IN_PRODUCTION,
    OrderStatus.AWAITING_QC,
    OrderStatus.SHIPPED,
    OrderStatus.COMPLETED,
)


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    label: Any
    path: str = ""  # model lookup for plain fields
    choices: tuple = ()
    integer: bool = False
    help: Any = ""
    ops: tuple = field(default=())
    custom: bool = False  # a custom field of orders (``cf.<key>``, see ``rules.custom``)

    @property
    def operators(self) -> list[str]:
        return list(self.ops or OPS_BY_TYPE[self.type])


FIELDS: dict[str, Field] = {
    f.name: f
    for f in [
        Field("status", CHOICE, gettext_lazy("Status"), "status", tuple(OrderStatus.choices)),
        Field("priority", CHOICE, gettext_lazy("Priority"), "priority", tuple(Priority.choices)),
        Field("channel", CHOICE, gettext_lazy("Channel"), "channel", tuple(Channel.choices)),
        Field("amount", NUMBER, gettext_lazy("Order total"), "total_amount",
              help=gettext_lazy("Total including tax, in the order's currency.")),
        Field("due_date", DATE, gettext_lazy("Due date"), "due_date"),
        Field("days_to_due", NUMBER, gettext_lazy("Days to due date"), integer=True,
              help=gettext_lazy("Due date minus today; negative when overdue.")),
        Field("production_started", BOOL, gettext_lazy("Production started"),
              help=gettext_lazy("In production or later, or a production start was recorded.")),
        Field("stock_shortage", BOOL, gettext_lazy("Stock shortage"),
              help=gettext_lazy("A stock line needs more than the default warehouse has "
                                "available (its own reservations count as covered).")),
        Field("shortage_qty", NUMBER, gettext_lazy("Shortage quantity"),
              help=gettext_lazy("Sum over stock lines of what is missing.")),
        Field("component_shortage", BOOL, gettext_lazy("Component shortage"),
              help=gettext_lazy("A make line's bill of materials needs more of a component "
                                "than the default warehouse has available (its own component "
                                "reservations count as covered).")),
        Field("customer", TEXT, gettext_lazy("Customer code"), "customer__code"),
        Field("customer_name", TEXT, gettext_lazy("Customer name"), "customer__name"),
        Field("customer_region", TEXT, gettext_lazy("Customer region"), "customer__region__name"),
        Field("customer_tier", CHOICE, gettext_lazy("Customer tier"), "customer__tier",
              tuple(CustomerTier.choices)),
        Field("number", TEXT, gettext_lazy("Order number"), "number"),
        Field("external_no", TEXT, gettext_lazy("External number"), "external_no"),
        Field("tags", TAGS, gettext_lazy("Tags"),
              help=gettext_lazy("Tags rules have put on the order.")),
    ]
}  # fmt: skip


# the fields of customer rules (trigger "customer tier changed"): facts of the customer and the
# change, see ``facts.customer_facts``
CUSTOMER_FIELDS: dict[str, Field] = {
    **{n: FIELDS[n] for n in ("customer", "customer_name", "customer_region")},
    "tier": Field("tier", CHOICE, gettext_lazy("New tier"), choices=tuple(CustomerTier.choices)),
    "previous_tier": Field(
        "previous_tier", CHOICE, gettext_lazy("Previous tier"), choices=tuple(CustomerTier.choices)
    ),
}


def fields_for(scope: str, *, actor: Actor | None = None) -> dict[str, Field]:
    """The fields conditions of ``scope`` may use: for orders, the built-in ones and the active
    custom fields of orders (one query) — those ``actor`` may see, when given."""
    if scope == CUSTOMER:
        return CUSTOMER_FIELDS
    from .. import custom

    defs = [d for d in custom.definitions(actor=actor) if d.type in _CUSTOM_TYPES]
    return {**FIELDS, **{f.name: f for f in map(custom_field, defs)}}


# a custom field's type → (condition type, operators); every custom field may be empty
_CUSTOM_TYPES = {
    "text": (TEXT, ()),
    "number": (NUMBER, (*OPS_BY_TYPE[NUMBER], "is_null")),
    "decimal": (NUMBER, (*OPS_BY_TYPE[NUMBER], "is_null")),
    "date": (DATE, ()),
    "choice": (CHOICE, (*OPS_BY_TYPE[CHOICE], "is_null")),
    "multi": (MULTI, ()),
    "bool": (BOOL, (*OPS_BY_TYPE[BOOL], "is_null")),
    "user": (NUMBER, ("eq", "ne", "in", "not_in", "is_null")),
    "file": (FILE, ()),
}


def custom_field(defn) -> Field:
    """The condition field of a custom field definition (labels in the language active when
    they are read)."""
    from .. import custom

    ftype, ops = _CUSTOM_TYPES[defn.type]
    choices = tuple(
        (c["value"], lazy(defn.choice_label, str)(c["value"])) for c in defn.choices or ()
    )
    help_text = defn.help_text
    if defn.type == "user":
        help_text = help_text or gettext_lazy("The user's id.")
    return Field(
        custom.name_of(defn),
        ftype,
        lazy(lambda: defn.label, str)(),
        choices=choices if ftype in (CHOICE, MULTI) else (),
        integer=defn.type in ("number", "user"),
        help=help_text,
        ops=ops,
        custom=True,
    )


def catalogue(scope: str = ORDER, *, actor: Actor | None = None) -> list[dict]:
    """The field/operator catalogue the editor and ``GET /rules/fields`` show (custom fields:
    the active ones ``actor`` may see)."""
    return [
        {
            "name": f.name,
            "type": f.type,
            "label": str(f.label),
            "help": str(f.help),
            "integer": f.integer,
            "custom": f.custom,
            "operators": [{"op": op, "label": str(OP_LABELS[op])} for op in f.operators],
            "choices": [{"value": v, "label": str(lbl)} for v, lbl in f.choices],
        }
        for f in fields_for(scope, actor=actor).values()
    ]


def _coerce(f: Field, value: Any) -> Any:
    """One value of the field's type, or ValueError with what is wrong."""
    if f.type == NUMBER:
        if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
            raise ValueError(_("a number is needed"))
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError(_("a number is needed")) from None
        if not number.is_finite() or abs(number) >= Decimal(10) ** 14:
            raise ValueError(_("a number is needed"))
        if f.integer:
            if number != number.to_integral_value():
                raise ValueError(_("a whole number is needed"))
            return int(number)
        return number
    if f.type == DATE:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            raise ValueError(_("a date YYYY-MM-DD is needed")) from None
    if f.type == BOOL:
        if not isinstance(value, bool):
            raise ValueError(_("true or false is needed"))
        return value
    if not isinstance(value, str) or not value.strip():
        raise ValueError(_("a text is needed"))
    value = value.strip()
    if len(value) > 120:
        raise ValueError(_("at most 120 characters"))
    if f.type in (CHOICE, MULTI) and value not in {v for v, _l in f.choices}:
        raise ValueError(
            _("unknown value %(v)s; known: %(known)s")
            % {"v": value, "known": ", ".join(v for v, _l in f.choices)}
        )
    return value


def validate(
    tree: Any,
    errors: Errors,
    path: str = "condition",
    scope: str = ORDER,
    *,
    actor: Actor | None = None,
) -> Any:
    """Check a condition tree; add every problem to ``errors``; return the normalised tree.
    ``scope``: the fields of order rules, or of customer (tier-change) rules; ``actor``: custom
    fields hidden from that user are unknown."""
    counter = [0]
    return _validate(tree, errors, path, 0, counter, fields_for(scope, actor=actor))


def _validate(
    node: Any, errors: Errors, path: str, depth: int, counter: list[int], fields: dict
) -> Any:
    counter[0] += 1
    if counter[0] == MAX_NODES + 1:
        errors.add(path, _("The condition has more than %(n)d parts.") % {"n": MAX_NODES})
    if depth > MAX_DEPTH:
        errors.add(path, _("Groups nest at most %(n)d deep.") % {"n": MAX_DEPTH})
        return None
    if not isinstance(node, dict):
        errors.add(path, _("Expected a group (all/any/not) or a condition."))
        return None
    groups = [k for k in ("all", "any", "not") if k in node]
    if groups:
        if len(node) != 1:
            errors.add(path, _("A group has exactly one key: all, any or not."))
            return None
        key = groups[0]
        if key == "not":
            return {
                "not": _validate(node["not"], errors, f"{path}.not", depth + 1, counter, fields)
            }
        items = node[key]
        if not isinstance(items, list):
            errors.add(f"{path}.{key}", _("Expected a list of conditions."))
            return None
        return {
            key: [
                _validate(child, errors, f"{path}.{key}[{i}]", depth + 1, counter, fields)
                for i, child in enumerate(items)
            ]
        }
    unknown_keys = set(node) - {"field", "op", "value"}
    if unknown_keys:
        errors.add(
            path, _("Unknown keys: %(k)s") % {"k": ", ".join(sorted(map(str, unknown_keys)))}
        )
    name, op = node.get("field"), node.get("op")
    f = fields.get(name) if isinstance(name, str) else None
    if f is None:
        known = list(fields)
        errors.add(
            f"{path}.field",
            _("Unknown field %(f)s; known: %(known)s") % {"f": name, "known": ", ".join(known)},
        )
        return None
    if op not in f.operators:
        errors.add(
            f"{path}.op",
            _("Operator %(op)s does not apply to %(f)s; use one of: %(ops)s")
            % {"op": op, "f": name, "ops": ", ".join(f.operators)},
        )
        return None
    value = node.get("value")
    clean: object  # the value as the rule stores it (a list for in / not_in)
    try:
        if op == "is_null":
            if not isinstance(value, bool):
                raise ValueError(_("true or false is needed"))
            clean = value
        elif op in ("in", "not_in"):
            if not isinstance(value, list) or not value or len(value) > MAX_IN:
                raise ValueError(_("a list of 1 to %(n)d values is needed") % {"n": MAX_IN})
            clean = [_coerce(f, v) for v in value]
        elif f.type == TAGS:
            clean = _coerce(Field("tag", TEXT, ""), value)
        else:
            clean = _coerce(f, value)
    except ValueError as exc:
        errors.add(f"{path}.value", f"{f.name}: {exc}")
        return None
    return {"field": name, "op": op, "value": _jsonable(clean)}


def _jsonable(value: Any) -> Any:
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def fields_used(tree: Any) -> set[str]:
    if not isinstance(tree, dict):
        return set()
    for key in ("all", "any"):
        if key in tree:
            return set().union(*(fields_used(c) for c in tree[key]))
    if "not" in tree:
        return fields_used(tree["not"])
    name = tree.get("field")
    return set() if name is None else {name}  # a leaf not yet validated may name no field


def _parse(f: Field, value: Any) -> Any:
    if isinstance(value, list):
        return [_parse(f, v) for v in value]
    if f.type == NUMBER:
        return int(value) if f.integer else Decimal(str(value))
    if f.type == DATE:
        return dt.date.fromisoformat(value)
    return value
