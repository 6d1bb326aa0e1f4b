"""The field rules of the importing user's roles (docs/permissions.md) in a kind's row checks:
a row that fills in a column of a field the user may not edit is a row error naming the field,
and nothing of it is written. Kept apart from the row checks so each kind calls one function."""

from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor

from .. import normalize as N
from .base import Column, Heads, Staged, _cell, _err

# an order file's rows are its lines: the columns follow the rules of both
LINE_ENTITIES = {"order": ("order", "order_line")}


def forbidden_columns(
    actor: Actor, entity: str, kind_columns: tuple[Column, ...], found: dict[str, int]
) -> dict[str, str]:
    """field → column label, of the file's columns whose field ``actor`` may not edit."""
    present = [c.field for c in kind_columns if c.field in found]
    bad = permissions.forbidden_fields(actor, entity, present)
    return {c.field: str(c.label) for c in kind_columns if c.field in bad}


def refuse_forbidden(row: Staged, H: Heads, forbidden: dict[str, str]) -> None:
    """A row error for every filled-in cell of a column the user may not edit."""
    for field, label in forbidden.items():
        if not N.is_blank(_cell(row, H[1], field)):
            _err(row, *H, field, forbidden_message(label))


def label_of(kind_columns: tuple[Column, ...], field: str) -> str:
    return next(str(c.label) for c in kind_columns if c.field == field)


def forbidden_message(label: str) -> str:
    return _("You may not change this field: %(field)s") % {"field": label}


def template_columns(
    actor: Actor, entity: str, kind_columns: tuple[Column, ...]
) -> tuple[Column, ...]:
    """The kind's columns without those of fields the user's roles hide (a template a user
    downloads shows only what they see)."""
    hidden: set[str] = set()
    for name in LINE_ENTITIES.get(entity, (entity,) if entity else ()):
        hidden |= permissions.hidden_fields(actor, name)
    return tuple(c for c in kind_columns if c.field not in hidden)
