"""Saved views a user may pick: their own and those shared with one of their roles."""

from django.db.models import Q

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor
from zhongshu.core.errors import NotFound

from .models import SavedView


def _mine(actor: Actor) -> Q:
    return Q(owner=actor) | Q(owner__isnull=True, role__in=sorted(permissions.roles_of(actor)))


def views_for(*, actor: Actor, list_name: str = "orders") -> list[SavedView]:
    """Personal views first, then the shared ones."""
    if not getattr(actor, "is_authenticated", False):
        return []
    qs = SavedView.objects.filter(_mine(actor), list_name=list_name)
    return sorted(qs, key=lambda v: (v.is_shared, v.position, v.name, v.pk))


def view_get(*, actor: Actor, view_id) -> SavedView:
    try:
        return SavedView.objects.filter(_mine(actor)).get(pk=int(view_id))
    except (SavedView.DoesNotExist, TypeError, ValueError):
        raise NotFound() from None


def default_view(*, actor: Actor, list_name: str = "orders", views=None) -> SavedView | None:
    """The user's own default, else the default shared with one of their roles."""
    views = views if views is not None else views_for(actor=actor, list_name=list_name)
    return next((v for v in views if v.is_default), None)
