"""Who acts: the signed-in user on whose behalf a service reads or writes.

Every service takes the person acting as ``actor`` (``actor: Actor``, or ``Actor | None`` where
``None`` means the system itself: a scheduled job, a channel sync). The policy in
``accounts.permissions`` judges what an actor may do; the services only pass it along and record
it in the history.

Only the type checker sees the user model here: this module is imported while the apps are still
loading, before ``django.contrib.auth.models`` may be imported, so at run time ``Actor`` is a
plain ``Any``.
"""

from typing import TYPE_CHECKING, Any, TypeAlias, cast

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    Actor: TypeAlias = User
    # whoever a request or a job carries: signed in or not, or nobody (the system)
    AnyUser: TypeAlias = User | AnonymousUser | None
else:
    Actor: TypeAlias = Any
    AnyUser: TypeAlias = Any


class ActorRequest(HttpRequest):
    """The request of a page that requires a signed-in user (``login_required``): its ``user`` is
    an ``Actor``, never the anonymous user. Only a type: Django builds the request as always."""

    user: Actor
    htmx: HtmxDetails  # set by django-htmx's middleware on every request


class ApiRequest(HttpRequest):
    """The request of an API operation behind the token or session auth: ``auth`` is the actor."""

    auth: Actor
    user: Actor


__all__ = ["Actor", "ActorRequest", "AnyUser", "ApiRequest"]


def recorded(actor: AnyUser) -> "Actor | None":
    """The user a record names as who did it: ``None`` for the system (no actor) and for anyone
    not saved as a user (a request's anonymous user)."""
    return cast("Actor", actor) if getattr(actor, "pk", None) else None
