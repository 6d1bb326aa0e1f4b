"""The models whose history the audit trail shows, each registered by the app that owns it.

An app registers its audited models from its ``registrations`` module (see ``zhongshu.core.apps``);
the audit trail (``zhongshu.audit``) reads them from here and never names an app. ``position``
fixes a source's place in the trail: rows of the same instant are listed by it, and the page links
carry it, so a source keeps its position for good. Positions 9 to 11 are the trail's own (logins,
failed logins, exports).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import OuterRef, Subquery

RESERVED = range(9, 12)


@dataclass(frozen=True)
class Audited:
    position: int
    kind: str  # what the filter calls it ("order", "customer", ...)
    kind_label: Any  # its name in the kind filter (lazy text)
    model: Any  # a model with django-simple-history's ``history``
    code_lookup: str  # the field an object code filter matches
    label: Callable[[Any], str]  # how a historical row is named on the page
    annotate: dict[str, Any] = field(
        default_factory=dict
    )  # extra columns ``label``/``code_lookup`` use
    custom_entity: str = ""  # its custom-field entity: the ``custom`` column is shown per field


_SOURCES: dict[int, Audited] = {}


def audited(
    model: Any,
    *,
    position: int,
    kind: str,
    kind_label: Any,
    code_lookup: str,
    label: Callable[[Any], str],
    **extra: Any,
) -> None:
    """Show ``model``'s history in the audit trail (``extra``: ``annotate``, ``custom_entity``)."""
    if position in RESERVED:
        raise ValueError(f"audit position {position} is reserved")
    known = _SOURCES.get(position)
    if known is not None and known.model is not model:
        raise ValueError(f"audit position {position} is taken by {known.model.__name__}")
    _SOURCES[position] = Audited(position, kind, kind_label, model, code_lookup, label, **extra)


def sources() -> list[Audited]:
    return [_SOURCES[p] for p in sorted(_SOURCES)]


def kinds() -> list[tuple[str, Any]]:
    """(kind, label) of the registered sources, in the order of their first position."""
    seen: dict[str, Any] = {}
    for src in sources():
        seen.setdefault(src.kind, src.kind_label)
    return list(seen.items())


def code_of(model: Any, column: str, ref: str = "id") -> Subquery:
    """A column of the row of ``model`` that a historical row points to (for ``annotate``)."""
    return Subquery(model.objects.filter(pk=OuterRef(ref)).values(column)[:1])
