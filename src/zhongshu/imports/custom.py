"""Custom fields in imports: a column is matched to a custom field by its label (Chinese or
English), its key or ``cf_<key>`` — the headers an export writes — and each cell is checked like
a form value. Fields the importer may not see are unknown columns to them; fields they may see
but not edit are refused per row."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor
from zhongshu.customfields import selectors as custom_fields
from zhongshu.customfields.models import FieldDefinition, FieldType
from zhongshu.customfields.values import Invalid, clean_one

from . import normalize as N

# import kind → the records its rows fill (orders: the order, and its line)
ENTITIES = {
    "orders": ("order", "order_line"),
    "customers": ("customer",),
    "materials": ("material",),
}


def column_name(defn: FieldDefinition) -> str:
    return f"cf:{defn.entity}:{defn.key}"


def header_aliases(kind_slug: str) -> dict[str, str]:
    """Normalised header → column name, for every active field of the kind's records."""
    out: dict[str, str] = {}
    for entity in ENTITIES.get(kind_slug, ()):
        for defn in custom_fields.definitions(entity):
            for alias in (defn.label_zh, defn.label_en, defn.key, defn.param):
                if alias:
                    out.setdefault(N.header_key(alias), column_name(defn))
    return out


@dataclass
class Plan:
    """The custom columns of one file, as the importer may use them."""

    columns: list[tuple[str, FieldDefinition, bool]]  # (column name, field, editable)
    required: list[FieldDefinition]  # required fields the importer edits that have no column


def plan(actor: Actor, kind_slug: str, columns: dict[str, int]) -> Plan:
    found, required = [], []
    for entity in ENTITIES.get(kind_slug, ()):
        for defn in custom_fields.visible(actor, entity):
            name = column_name(defn)
            editable = permissions.custom_field_editable(actor, defn)
            if name in columns:
                found.append((name, defn, editable))
            elif editable and defn.required and defn.default is None:
                required.append(defn)
    return Plan(found, required)


def check_row(row, headers, columns, p: Plan, err) -> dict[str, dict]:
    """``{entity: {key: value}}`` from the row's custom cells; problems through ``err``."""
    out: dict[str, dict] = {}
    for name, defn, editable in p.columns:
        idx = columns[name]
        cell = row.raw[idx] if idx < len(row.raw) else None
        if N.is_blank(cell):
            if defn.required and editable:
                err(row, headers, columns, name, _("%(f)s is required.") % {"f": defn.label})
            continue
        if not editable:
            err(row, headers, columns, name, _("You may not set %(f)s.") % {"f": defn.label})
            continue
        raw = N.text(cell) if isinstance(cell, str) else cell
        if defn.type == FieldType.DATE:
            # Excel serial numbers, 2025/9/3, 2025年9月3日 … as in every other date column
            day, msg = N.date(cell)
            if msg:
                err(row, headers, columns, name, msg)
                continue
            raw = day
        try:
            value = clean_one(defn, raw)
        except Invalid as exc:
            err(row, headers, columns, name, str(exc))
            continue
        if value is not None:
            out.setdefault(defn.entity, {})[defn.key] = value
    for defn in p.required:
        err(row, headers, columns, "", _("%(f)s is required.") % {"f": defn.label})
    return out
