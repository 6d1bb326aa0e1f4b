from django.db.models import Q, QuerySet

from zhongshu.accounts import permissions
from zhongshu.core.text import normalize_text

from .models import Material


def material_list(*, actor, q: str = "", kind: str = "", active_only: bool = False) -> QuerySet:
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
    return qs.order_by("code")


def material_get(*, actor, code: str) -> Material:
    permissions.require(actor, "materials.view")
    return permissions.get_in_scope(Material.objects.all(), code=normalize_text(code).upper())
