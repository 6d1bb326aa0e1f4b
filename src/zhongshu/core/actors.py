"""Who acts: the signed-in user on whose behalf a service reads or writes.

Every service takes the person acting as ``actor`` (``actor: Actor``, or ``Actor | None`` where
``None`` means the system itself: a scheduled job, a channel sync). The policy in
``accounts.permissions`` judges what an actor may do; the services only pass it along and record
it in the history.

Only the type checker sees the user model here: this module is imported while the apps are still
loading, before ``django.contrib.auth.models`` may be imported, so at run time ``Actor`` is a
plain ``Any``.
"""

from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    Actor: TypeAlias = User
else:
    Actor: TypeAlias = Any

__all__ = ["Actor"]
