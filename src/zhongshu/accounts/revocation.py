"""A new password or a deactivation ends every way in the user had before it.

Hooked on the user model itself, so every road that changes a password or deactivates an account
(the services, the admin site, ``manage.py changepassword``, a script) revokes the user's API
tokens and deletes their stored sessions. Django's session hash already refuses a session after a
password change; deleting them also covers deactivation and sessions not yet looked at.
"""

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db.models.signals import post_save, pre_save
from django.utils import timezone

from zhongshu.core.actors import Actor

from .models import ApiToken

if TYPE_CHECKING:
    from django.contrib.auth.models import User

_FLAG = "_zs_revoke_access"


def _before_save(
    sender: type["User"],
    instance: "User",
    raw: bool = False,
    update_fields: Iterable[str] | None = None,
    **kwargs: Any,
) -> None:
    if raw or instance.pk is None:
        return
    if update_fields is not None and not {"password", "is_active"} & set(update_fields):
        return
    old = sender.objects.filter(pk=instance.pk).values("password", "is_active").first()
    if old is None:
        return
    # ``set_password`` leaves the raw password in ``_password`` until the save; the silent re-hash
    # Django does at login (new iteration count, same password) clears it first and is no change
    new_password = old["password"] != instance.password and (
        getattr(instance, "_password", None) is not None or not instance.has_usable_password()
    )
    if new_password or (old["is_active"] and not instance.is_active):
        setattr(instance, _FLAG, True)


def _after_save(sender: type["User"], instance: "User", raw: bool = False, **kwargs: Any) -> None:
    if raw or not getattr(instance, _FLAG, False):
        return
    delattr(instance, _FLAG)
    revoke_access(instance)


def revoke_access(user: Actor) -> None:
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    delete_sessions(user)


def delete_sessions(user: Actor) -> int:
    """Delete the stored sessions of ``user`` (database-backed sessions; others expire)."""
    from django.conf import settings

    if "db" not in settings.SESSION_ENGINE:
        return 0
    key = str(user.pk)
    doomed = [
        s.pk
        for s in Session.objects.filter(expire_date__gt=timezone.now()).iterator(chunk_size=500)
        if str(s.get_decoded().get("_auth_user_id")) == key
    ]
    Session.objects.filter(pk__in=doomed).delete()
    return len(doomed)


def connect() -> None:
    user_model = get_user_model()
    pre_save.connect(_before_save, sender=user_model, dispatch_uid="zs-revoke-before")
    post_save.connect(_after_save, sender=user_model, dispatch_uid="zs-revoke-after")
