"""Custom values in SQL: the one expression per field that filters and sorts use, and the
expression index built for filterable fields — written from the same template, because both
PostgreSQL and SQLite use an expression index only for the very expression it was built on.

The field key is written into the SQL as a literal (keys match ``KEY_RE``: letters, digits, _),
not as a parameter: SQLite would not match ``json_extract(custom, ?)`` to its index.
"""

import json
from typing import Any, TypeVar

from django.db import connection
from django.db.models import (
    BigIntegerField,
    BooleanField,
    CharField,
    DecimalField,
    F,
    Func,
    Model,
    Q,
    QuerySet,
    Value,
)
from django.utils.translation import gettext as _

from zhongshu.core.text import normalize_text
from zhongshu.core.validation import Errors

from .models import KEY_RE, NUMERIC, FieldDefinition, FieldType
from .values import Invalid, clean_one

_M = TypeVar("_M", bound=Model)

COLUMN = "custom"
OPS = ("eq", "gte", "lte", "contains", "empty")
MAX_IN = 50


def _template(vendor: str, ftype: str, key: str, col: str) -> str:
    if not KEY_RE.fullmatch(key):
        raise ValueError(f"bad custom field key {key!r}")
    if vendor == "postgresql":
        text = f"({col} ->> '{key}')"
        if ftype in NUMERIC:
            return f"({text}::numeric)"
        if ftype == FieldType.BOOL:
            return f"({text}::boolean)"
        if ftype == FieldType.USER:
            return f"({text}::bigint)"
        return text
    extract = f"json_extract({col}, '$.{key}')"
    if ftype in NUMERIC:
        # decimals are stored as text ("12.50"): REAL affinity makes comparisons numeric
        return f"CAST({extract} AS REAL)"
    return extract


def _output(ftype: str):
    if ftype in NUMERIC:
        return DecimalField(max_digits=30, decimal_places=10)
    if ftype == FieldType.BOOL:
        return BooleanField()
    if ftype == FieldType.USER:
        return BigIntegerField()
    return CharField()


class CustomValue(Func):
    """``CustomValue("drawing_no", "text")``: the stored value of a custom field on the model
    being queried (``prefix`` reaches a related model's values, e.g. ``customer__``)."""

    def __init__(self, key: str, ftype: str, prefix: str = ""):
        self.key, self.ftype = key, ftype
        super().__init__(F(prefix + COLUMN), output_field=_output(ftype))

    def as_sql(self, compiler, connection, **extra):
        template = _template(connection.vendor, self.ftype, self.key, "%(expressions)s")
        return super().as_sql(compiler, connection, template=template, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        # not Func's "CAST(… AS NUMERIC)" wrapper for decimals: the SQL must stay the indexed one
        return self.as_sql(compiler, connection, **extra)


class CustomContains(Func):
    """True when a multiple-choice field holds ``value``."""

    output_field = BooleanField()

    def __init__(self, key: str, value: str, prefix: str = ""):
        if not KEY_RE.fullmatch(key):
            raise ValueError(key)
        self.key = key
        super().__init__(F(prefix + COLUMN), Value(value))

    def as_postgresql(self, compiler, connection, **extra):
        col, col_params = compiler.compile(self.source_expressions[0])
        value = self.source_expressions[1].value
        return f"(({col} -> '{self.key}') @> %s::jsonb)", (*col_params, json.dumps([value]))

    def as_sql(self, compiler, connection, **extra):
        col, col_params = compiler.compile(self.source_expressions[0])
        value = self.source_expressions[1].value
        sql = f"EXISTS (SELECT 1 FROM json_each({col}, '$.{self.key}') WHERE value = %s)"
        return sql, (*col_params, value)


def value_of(defn: FieldDefinition, prefix: str = "") -> CustomValue:
    return CustomValue(defn.key, defn.type, prefix)


def index_name(defn: FieldDefinition) -> str:
    return f"cf_{defn.entity}_{defn.key}"


def index_sql(defn: FieldDefinition, table: str, *, concurrently: bool = False) -> str | None:
    vendor = connection.vendor
    qn = connection.ops.quote_name
    name = qn(index_name(defn))
    how = "CONCURRENTLY " if concurrently and vendor == "postgresql" else ""
    if defn.type == FieldType.MULTI:
        if vendor != "postgresql":
            return None  # SQLite cannot index inside JSON arrays; a scan of one table
        return (
            f"CREATE INDEX {how}IF NOT EXISTS {name} ON {qn(table)} "
            f"USING gin (({qn(COLUMN)} -> '{defn.key}'))"
        )
    if not defn.sortable:
        return None
    expr = _template(vendor, defn.type, defn.key, qn(COLUMN))
    # (value, id): a filtered page in id order and a sorted page are both one index range
    return f"CREATE INDEX {how}IF NOT EXISTS {name} ON {qn(table)} (({expr}), {qn('id')})"


def drop_index_sql(defn: FieldDefinition) -> str:
    return f"DROP INDEX IF EXISTS {connection.ops.quote_name(index_name(defn))}"


# --- list filters from URL parameters ------------------------------------------------------------


def parse_filters(
    definitions: list[FieldDefinition], params, errors: Errors
) -> list[tuple[FieldDefinition, str, Any]]:
    """``cf_<key>=v`` (repeat for "one of"), ``cf_<key>__gte``/``__lte`` (numbers, dates),
    ``cf_<key>__contains`` (text; multiple choice: holds the value), ``cf_<key>__empty=1|0``.
    ``params``: a QueryDict or a mapping of name → list of strings. Only the definitions given
    (the ones the user may see and filter on) are accepted."""
    by_param = {d.param: d for d in definitions}
    out = []
    for name in params:
        if not name.startswith("cf_"):
            continue
        base, _sep, op = name.partition("__")
        op = op or "eq"
        defn = by_param.get(base)
        if defn is None:
            errors.add(name, _("Unknown field %(f)s.") % {"f": base})
            continue
        values = params.getlist(name) if hasattr(params, "getlist") else list(params[name])
        values = [v for v in values if str(v).strip() != ""]
        if not values:
            continue
        if op not in OPS or not _op_allowed(defn, op):
            errors.add(name, _("This filter does not apply to %(f)s.") % {"f": defn.label})
            continue
        try:
            if op == "empty":
                value = clean_one(_BOOL, values[-1])
            elif op == "contains" and defn.type == FieldType.TEXT:
                value = normalize_text(str(values[-1]))[:100]
            elif op == "contains" or (op == "eq" and defn.type == FieldType.MULTI):
                op, value = "contains", clean_one(_as_choice(defn), values[-1])
            elif op == "eq" and len(values) > 1:
                if len(values) > MAX_IN:
                    raise Invalid(_("At most %(n)d values.") % {"n": MAX_IN})
                op, value = "in", [clean_one(defn, v) for v in values]
            else:
                value = clean_one(defn, values[-1])
        except Invalid as exc:
            errors.add(name, f"{defn.label}: {exc}")
            continue
        out.append((defn, op, value))
    return out


def _op_allowed(defn: FieldDefinition, op: str) -> bool:
    if op == "empty":
        return True
    if defn.type == FieldType.FILE:
        return False
    if op in ("gte", "lte"):
        return defn.type in (*NUMERIC, FieldType.DATE)
    if op == "contains":
        return defn.type in (FieldType.TEXT, FieldType.MULTI)
    return True


_BOOL = FieldDefinition(key="empty", type=FieldType.BOOL)


def _as_choice(defn: FieldDefinition) -> FieldDefinition:
    return FieldDefinition(
        key=defn.key, type=FieldType.CHOICE, choices=defn.choices, entity=defn.entity
    )


def _sql_value(defn: FieldDefinition, value: Any) -> Any:
    if defn.type in NUMERIC and value is not None:
        from decimal import Decimal

        return Decimal(str(value))
    return value


def condition(defn: FieldDefinition, op: str, value: Any, prefix: str = "") -> tuple[dict, Q]:
    """``(aliases, Q)`` for one filter; apply with ``qs.alias(**aliases).filter(q)``."""
    alias = f"_cf_{defn.key}"
    if op == "contains" and defn.type == FieldType.MULTI:
        return {alias: CustomContains(defn.key, value, prefix)}, Q(**{alias: True})
    aliases = {alias: value_of(defn, prefix)}
    if op == "empty":
        return aliases, Q(**{f"{alias}__isnull": bool(value)})
    if op == "contains":
        return aliases, Q(**{f"{alias}__icontains": value})
    if op == "in":
        return aliases, Q(**{f"{alias}__in": [_sql_value(defn, v) for v in value]})
    lookup = {"eq": "exact", "gte": "gte", "lte": "lte"}[op]
    return aliases, Q(**{f"{alias}__{lookup}": _sql_value(defn, value)})


def apply_filters(qs, filters, prefix: str = ""):
    for defn, op, value in filters:
        aliases, q = condition(defn, op, value, prefix)
        qs = qs.alias(**aliases).filter(q)
    return qs


def order_by(qs: QuerySet[_M], defn: FieldDefinition, *, descending: bool) -> QuerySet[_M]:
    expr = value_of(defn)
    if descending:
        return qs.order_by(expr.desc(), "-id")
    return qs.order_by(expr.asc(), "id")
