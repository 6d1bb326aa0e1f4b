"""Custom fields of orders in rule conditions: the field ``cf.<key>``, on both sides of the
compiler (SQL for scans, Python for events), next to each other.

What "no value" means (the key is missing, or holds null, "", [] or {}), the same on both sides:
``eq lt lte gt gte in contains`` are false, ``ne not_in`` true, ``is_null`` true. SQL would make
a comparison with a missing value unknown (NULL), and NOT of unknown is still unknown — so every
SQL leaf here is written to be true or false, never NULL, which keeps ``not`` groups agreeing
with Python.

The SQL reads values through ``customfields.query.value_of``: the very expression the filterable
fields' expression indexes are built on, so a scan on such a field is an index range.
"""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from zhongshu.core.actors import Actor
from zhongshu.customfields import selectors
from zhongshu.customfields.models import Entity, FieldDefinition, FieldType
from zhongshu.customfields.query import CustomContains, value_of

from .compiler import CUSTOM_PREFIX, FALSE_Q, TRUE_Q, fields_used

NUMERIC = (FieldType.NUMBER, FieldType.DECIMAL)
# the stored forms that count as "no value" besides a missing key / null, per type; the SQL
# expression of a multiple-choice or file value is the JSON text of the list / object
_EMPTY: dict[str, tuple[str, ...]] = {
    FieldType.TEXT: ("",),
    FieldType.CHOICE: ("",),
    FieldType.MULTI: ("[]",),
    FieldType.FILE: ("{}",),
}
_EMPTY_PY: dict[str, object] = {
    FieldType.TEXT: "",
    FieldType.CHOICE: "",
    FieldType.MULTI: [],
    FieldType.FILE: {},
}


def name_of(defn: FieldDefinition) -> str:
    return CUSTOM_PREFIX + defn.key


def definitions(*, actor: Actor | None = None) -> list[FieldDefinition]:
    """The active custom fields of orders in form order (those ``actor`` may see, when given)."""
    if actor is None:
        return selectors.definitions(Entity.ORDER)
    return selectors.visible(actor, Entity.ORDER)


def all_definitions() -> dict[str, FieldDefinition]:
    """Every custom field of orders by key, deleted ones included: a rule compiled against a
    field is evaluated with its definition even when the field was deleted since."""
    return {d.key: d for d in FieldDefinition.objects.filter(entity=Entity.ORDER)}


def used(tree: Any) -> bool:
    return any(str(name).startswith(CUSTOM_PREFIX) for name in fields_used(tree))


def _key(node: dict) -> str:
    return node["field"][len(CUSTOM_PREFIX) :]


# --- values -------------------------------------------------------------------------------------


def _rule_value(defn: FieldDefinition, value: Any) -> Any:
    """A validated condition value as the type's comparable value (lists element-wise)."""
    if isinstance(value, list):
        return [_rule_value(defn, v) for v in value]
    if defn.type in NUMERIC:
        return Decimal(str(value))
    if defn.type == FieldType.USER:
        return int(value)
    return value  # dates stay "YYYY-MM-DD": ordered as text, as the SQL expression is


def _stored(defn: FieldDefinition, raw: Any) -> Any:
    """A stored value as the type's comparable value, None for no value."""
    if raw is None or (defn.type in _EMPTY_PY and raw == _EMPTY_PY[defn.type]):
        return None
    if defn.type in NUMERIC:
        try:
            return Decimal(str(raw))
        except InvalidOperation:
            return None
    return raw


# --- SQL side -----------------------------------------------------------------------------------


def to_q(node: dict, defs: dict[str, FieldDefinition], ann: dict) -> Q:
    """The ``Q`` of one leaf on ``cf.<key>``; the value expressions go into ``ann`` (aliases)."""
    defn = defs.get(_key(node))
    op, value = node["op"], node["value"]
    if defn is None:  # a field that does not exist has no value anywhere
        return TRUE_Q if _no_value_matches(op, value) else FALSE_Q
    alias = f"_rule_cf_{defn.key}"
    ann[alias] = value_of(defn)
    known = Q(**{f"{alias}__isnull": False})
    if op == "is_null":
        empty = Q(**{f"{alias}__isnull": True})
        for form in _EMPTY.get(defn.type, ()):
            empty |= Q(**{alias: form})
        return empty if value else ~empty
    if op == "contains" and defn.type == FieldType.MULTI:
        # on PostgreSQL the containment of a missing key is NULL: "known" makes it false
        return Q(CustomContains(defn.key, value)) & known
    value = _rule_value(defn, value)
    if op == "contains":
        return Q(**{f"{alias}__icontains": value}) & known
    if op in ("ne", "not_in"):
        lookup = alias if op == "ne" else f"{alias}__in"
        return ~Q(**{lookup: value}) | Q(**{f"{alias}__isnull": True})
    lookup = alias if op == "eq" else f"{alias}__{op}"
    return Q(**{lookup: value}) & known


def _no_value_matches(op: str, value: Any) -> bool:
    return value is True if op == "is_null" else op in ("ne", "not_in")


# --- Python side --------------------------------------------------------------------------------

_OPS = {
    "eq": lambda a, b: a == b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "in": lambda a, b: a in b,
}


def to_predicate(node: dict, defs: dict[str, FieldDefinition]):
    """The predicate of one leaf on ``cf.<key>`` over an order's facts (``facts["custom"]``)."""
    defn = defs.get(_key(node))
    op, value = node["op"], node["value"]
    if defn is None:
        constant = _no_value_matches(op, value)
        return lambda facts: constant
    key = defn.key

    def current(facts):
        return _stored(defn, facts["custom"].get(key))

    if op == "is_null":
        return lambda facts: (current(facts) is None) == value
    if op == "contains" and defn.type == FieldType.MULTI:
        return lambda facts: isinstance(v := current(facts), list) and value in v
    value = _rule_value(defn, value)
    if op == "contains":
        needle = value.casefold()
        return lambda facts: isinstance(v := current(facts), str) and needle in v.casefold()
    if op in ("in", "not_in"):
        value = frozenset(value)
    if op in ("ne", "not_in"):
        positive = _OPS["eq" if op == "ne" else "in"]
        return lambda facts: (v := current(facts)) is None or not positive(v, value)
    fn = _OPS[op]
    return lambda facts: (v := current(facts)) is not None and fn(v, value)


# --- where a field is used ----------------------------------------------------------------------


def rules_using(definition: FieldDefinition) -> list[str]:
    """``customfields.registry`` usage check: the rules whose condition names the field. Disabled
    rules count too — enabling one later must not meet a field that changed type or is gone."""
    from .models import Rule

    if definition.entity != Entity.ORDER:
        return []
    name = name_of(definition)
    places = []
    for rule in Rule.objects.order_by("name", "id").only("name", "enabled", "condition"):
        if name in fields_used(rule.condition):
            if rule.enabled:
                places.append(_("rule «%(name)s»") % {"name": rule.name})
            else:
                places.append(_("rule «%(name)s» (disabled)") % {"name": rule.name})
    return places
