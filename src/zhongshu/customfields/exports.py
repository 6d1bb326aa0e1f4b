"""Custom fields as columns of list exports (orders, customers, materials)."""

from django.contrib.auth import get_user_model

from zhongshu.core import xlsx
from zhongshu.core.actors import Actor

from . import selectors
from .models import FieldType
from .values import display, typed

KINDS: dict[str, str] = {
    FieldType.NUMBER: xlsx.INT,
    FieldType.DECIMAL: xlsx.QTY,
    FieldType.DATE: xlsx.DATE,
}


def columns(actor: Actor, entity: str) -> list[xlsx.Column]:
    """One column per custom field the actor sees, headed by its label (the header an import
    matches back): numbers and dates as typed cells, the rest as the text a person reads.
    Hidden fields never get a column."""
    defs = selectors.visible(actor, entity)
    users = _all_user_names() if any(d.type == FieldType.USER for d in defs) else {}
    out = []
    for defn in defs:
        if defn.type in KINDS:

            def value(row, defn=defn):
                return typed(defn, (row.custom or {}).get(defn.key))

        else:

            def value(row, defn=defn):
                return display(defn, (row.custom or {}).get(defn.key), users)

        out.append(xlsx.Column(defn.label, value, KINDS.get(defn.type, xlsx.TEXT), 14))
    return out


def _all_user_names() -> dict[int, str]:
    # one query for the whole export: rows stream in chunks, so their user ids are not known
    # up front, and a company has far fewer users than records
    User = get_user_model()
    return {
        u.pk: (u.get_full_name() or u.get_username())
        for u in User.objects.only("id", "username", "first_name", "last_name")
    }


def filter_params(params) -> dict:
    """The custom filters of a list export, as the export log records them."""
    if not params:
        return {}
    return {k: params.getlist(k) for k in params if k.startswith("cf_")}
