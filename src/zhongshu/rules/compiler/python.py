"""A condition tree → a Python predicate over a facts dict (event checks)."""

from collections.abc import Callable
from typing import Any

from .fields import CUSTOM_PREFIX, CUSTOMER_FIELDS, FIELDS, TAGS, _parse

Predicate = Callable[[dict], bool]

_PY_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "in": lambda a, b: a in b,
    "not_in": lambda a, b: a not in b,
}


def to_predicate(tree: dict, *, definitions: dict | None = None) -> Predicate:
    """Compile a validated tree to a function of a facts dict (see ``facts.order_facts``).
    ``definitions``: the custom field definitions by key (read when the tree needs them)."""
    from .. import custom

    if definitions is None:
        definitions = custom.all_definitions() if custom.used(tree) else {}
    return _predicate(tree, definitions)


def _predicate(tree: dict, defs: dict) -> Predicate:
    if "all" in tree:
        parts = [_predicate(c, defs) for c in tree["all"]]
        return lambda facts: all(p(facts) for p in parts)
    if "any" in tree:
        parts = [_predicate(c, defs) for c in tree["any"]]
        return lambda facts: any(p(facts) for p in parts)
    if "not" in tree:
        inner = _predicate(tree["not"], defs)
        return lambda facts: not inner(facts)
    if tree["field"].startswith(CUSTOM_PREFIX):
        from .. import custom

        return custom.to_predicate(tree, defs)
    f = FIELDS.get(tree["field"]) or CUSTOMER_FIELDS[tree["field"]]
    name, op = f.name, tree["op"]
    value = tree["value"] if op == "is_null" else _parse(f, tree["value"])
    if f.type == TAGS:
        if op == "contains":
            return lambda facts: value in facts["tags"]
        return lambda facts: (not facts["tags"]) == value
    if op == "contains":
        needle = value.casefold()
        return lambda facts: needle in (facts[name] or "").casefold()
    if op == "is_null":
        return lambda facts: (facts[name] in (None, "")) == value
    if op in ("in", "not_in"):
        value = frozenset(value)
    fn = _PY_OPS[op]
    return lambda facts: fn(facts[name], value)
