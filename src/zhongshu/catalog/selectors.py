from django.db.models import Q, QuerySet

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor
from zhongshu.core.text import normalize_text
from zhongshu.core.validation import Errors
from zhongshu.customfields import query as cf_query
from zhongshu.customfields import selectors as cf_selectors

from .models import Material


def material_list(
    *, actor: Actor, q: str = "", kind: str = "", active_only: bool = False, custom=()
) -> QuerySet:
    permissions.require(actor, "materials.view")
    qs = Material.objects.all()
    q = normalize_text(q)
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(spec__icontains=q))
    kind = normalize_text(kind)
    if kind:
        qs = qs.filter(kind=kind)
    if active_only:
        qs = qs.filter(is_active=True)
    if custom:
        qs = cf_query.apply_filters(qs, custom)
    return qs.order_by("code")


def material_get(*, actor: Actor, code: str) -> Material:
    permissions.require(actor, "materials.view")
    return permissions.get_in_scope(Material.objects.all(), code=normalize_text(code).upper())


def custom_filters(*, actor: Actor, params, errors: Errors | None = None) -> list:
    """The ``cf_<key>`` list filters in ``params`` (a QueryDict) that ``actor`` may use. Bad or
    unknown ones go to ``errors`` when given (a page shows them and lists the rest), otherwise
    they refuse the whole request (the API and exports never answer with unfiltered rows)."""
    collect = errors if errors is not None else Errors()
    found = cf_query.parse_filters(cf_selectors.filterable(actor, "material"), params, collect)
    if errors is None:
        collect.raise_if_any()
    return found
