from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet

from zhongshu.core.actors import Actor
from zhongshu.core.errors import NotFound, PermissionDenied
from zhongshu.core.text import normalize_text

from . import permissions
from .models import ApiToken, Region

if TYPE_CHECKING:
    from django.contrib.auth.models import User
else:
    User = get_user_model()


def region_list(*, actor: Actor) -> QuerySet[Region]:
    return Region.objects.all()


def user_list(*, actor: Actor, q: str = "", role: str = "") -> QuerySet[User]:
    """Every user for administrators, with roles and regions fetched in a fixed number of queries."""
    from django.contrib.auth.models import Group

    permissions.require(actor, "users.manage")
    qs = (
        User.objects.select_related("profile")
        .prefetch_related(
            Prefetch("groups", queryset=Group.objects.order_by("name")),
            Prefetch("profile__regions", queryset=Region.objects.order_by("name")),
        )
        .order_by("username")
    )
    q = normalize_text(q)  # also drops NUL, which PostgreSQL refuses in a query
    role = normalize_text(role)
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(profile__display_name__icontains=q))
    if role:
        qs = qs.filter(groups__name=role)
    return qs


def user_get(*, actor: Actor, user_id: int | str) -> User:
    permissions.require(actor, "users.manage")
    try:
        return user_list(actor=actor).get(pk=int(user_id))
    except (User.DoesNotExist, TypeError, ValueError):
        raise NotFound() from None


def token_list_for(*, actor: Actor | None, user_id: int | str) -> QuerySet[ApiToken]:
    """A user's tokens, newest first: their own, or anyone's for administrators."""
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied()
    if str(actor.pk) != str(user_id):
        permissions.require(actor, "users.manage")
    return ApiToken.objects.filter(user_id=user_id).order_by("-created_at", "-id")
