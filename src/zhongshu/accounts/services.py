"""Users, regions and API tokens."""

import functools
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.core.actors import Actor
from zhongshu.core.errors import (
    Conflict,
    DomainError,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from zhongshu.core.rows import rows_of
from zhongshu.core.text import normalize_text

from . import permissions, role_services
from .contacts import clean_contacts
from .exceptions import AccountLocked
from .lockout import clear_failures, is_locked_out, lockout_message
from .models import ApiToken, Profile, Region, hash_token
from .regions import inactive_regions_error
from .roles import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import User
else:
    User = get_user_model()


class InvalidCredentials(DomainError):
    code = "invalid_credentials"
    http_status = 401


@transaction.atomic
def region_create(*, actor: Actor | None, name: str) -> Region:
    if actor is not None:
        permissions.require(actor, "regions.manage")
    name = normalize_text(name)
    if not name:
        raise ValidationFailed({"name": _("Region name is required.")})
    if len(name) > 50:
        raise ValidationFailed({"name": _("At most 50 characters.")})
    if Region.objects.filter(name=name).exists():
        raise ValidationFailed({"name": _("Region %(name)s already exists.") % {"name": name}})
    return Region.objects.create(name=name)


def _roles_error(roles: list[str]) -> str | None:
    """Why a list of role slugs cannot be given to a user, or ``None`` when it can."""
    if not roles:
        return _("At least one role is required.")
    known = role_services.known_roles()
    unknown = [r for r in roles if r not in known]
    if unknown:
        return _("Unknown role: %(roles)s. Known roles: %(known)s") % {
            "roles": ", ".join(unknown),
            "known": ", ".join(sorted(known)),
        }
    return None


@transaction.atomic
def user_create(
    *,
    actor: Actor | None,
    username: str,
    password: str,
    roles: list[str],
    regions: Sequence[str] = (),
    display_name: str = "",
    check_password_strength: bool = True,
) -> "User":
    """Create a user with roles and regions. ``actor=None`` is the command line (trusted)."""
    if actor is not None:
        permissions.require(actor, "users.manage")
    errors: dict[str, str] = {}
    username = normalize_text(username)
    if not username:
        errors["username"] = _("Username is required.")
    elif User.objects.filter(username=username).exists():
        errors["username"] = _("User %(name)s already exists.") % {"name": username}
    if role_problem := _roles_error(roles):
        errors["roles"] = role_problem
    if actor is not None and (
        closed := inactive_regions_error(
            Region.objects.filter(name__in=[normalize_text(n) for n in regions])
        )
    ):
        errors["regions"] = closed
    if not password:
        errors["password"] = _("Password is required.")
    elif check_password_strength and (
        problem := _password_errors(password, User(username=username))
    ):
        errors["password"] = problem
    if errors:
        raise ValidationFailed(errors)

    user = User.objects.create_user(username=username, password=password)
    user.groups.set(Group.objects.filter(name__in=roles))
    profile = Profile(user=user, display_name=display_name or username)
    # named in the audit trail even outside a web request (read by simple_history)
    profile._history_user = actor  # type: ignore[attr-defined]
    profile.save(force_insert=True)
    region_objs = []
    for name in regions:
        region, _created = Region.objects.get_or_create(name=normalize_text(name))
        region_objs.append(region)
    profile.regions.set(region_objs)
    return user


def token_issue(
    *, request: HttpRequest, username: str, password: str, name: str = "api"
) -> tuple[str, ApiToken]:
    """Exchange a username and password for a new Bearer token (returned once, stored hashed).

    ``request`` is the HTTP request: failed attempts are counted against the username and, after
    too many, the username is locked out (see ``accounts.lockout``).
    """
    # NUL cannot be in a username, and PostgreSQL refuses to even compare with it
    if "\x00" in username or "\x00" in password:
        user = None
    else:
        user = authenticate(request, username=username, password=password)
    if user is None and is_locked_out(request):
        raise AccountLocked(lockout_message())
    if user is None or not user.is_active:
        raise InvalidCredentials(_("Wrong username or password."))
    clear_failures(username)
    raw = ApiToken.generate()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        key_hash=hash_token(raw),
        prefix=raw[3:11],
        expires_at=timezone.now() + timedelta(days=settings.API_TOKEN_TTL_DAYS),
    )
    return raw, token


def token_user(raw: str) -> "User | None":
    """The active user behind a Bearer token, or ``None``."""
    if not raw:
        return None
    now = timezone.now()
    # written out: every API request asks, and building it through the ORM cost more than
    # running it; ``stale``: the token's last use is to be noted (at most every 5 minutes)
    users = rows_of(User, "u")
    at = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cur:
        cur.execute(_token_sql(), [at(now - timedelta(minutes=5)), hash_token(raw), at(now)])
        row = cur.fetchone()
    if row is None:
        return None
    user = users.load(row)
    if not user.is_active:
        return None
    token_id, stale, role_names, policy_token = row[users.width :]
    permissions.remember_roles(user, role_names, policy_token)
    if stale:
        ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
    return user


@functools.cache
def _token_sql() -> str:
    qn = connection.ops.quote_name
    return (
        f"SELECT {rows_of(User, 'u').columns}, t.id,"
        " (t.last_used_at IS NULL OR t.last_used_at < %s),"
        f" {permissions.roles_sql('u.id')}"
        f" FROM {qn(ApiToken._meta.db_table)} t JOIN {qn(User._meta.db_table)} u"
        " ON u.id = t.user_id"
        " WHERE t.key_hash = %s AND t.revoked_at IS NULL AND t.expires_at > %s"
        " ORDER BY t.id LIMIT 1"
    )


# --- user administration --------------------------------------------------------------------


def _get_user(user_id: int | str) -> "User":
    try:
        return User.objects.select_related("profile").get(pk=int(user_id))
    except (User.DoesNotExist, TypeError, ValueError):
        raise NotFound(_("User not found.")) from None


def _password_errors(password: str, user: "User") -> str | None:
    if not password:
        return _("Password is required.")
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        return " ".join(exc.messages)
    return None


@transaction.atomic
def user_update(
    *,
    actor: Actor,
    user_id: int | str,
    display_name: str,
    roles: list[str],
    regions: Sequence[str] = (),
    mobile: str = "",
    wecom_userid: str = "",
    dingtalk_userid: str | None = None,
    dingtalk_unionid: str | None = None,
    feishu_user_id: str | None = None,
) -> "User":
    """Replace a user's display name, roles, regions and contact ids (a chat-app id left as
    ``None`` stays as it is)."""
    permissions.require(actor, "users.manage")
    user = _get_user(user_id)
    errors = {}
    roles = list(dict.fromkeys(roles))
    if role_problem := _roles_error(roles):
        errors["roles"] = role_problem
    elif user.pk == actor.pk and Role.ADMIN not in roles:
        # otherwise the last admin could lock everybody out of user administration
        errors["roles"] = _("You cannot remove your own administrator role.")
    elif not role_services.user_roles_leave_an_admin(user.pk, roles):
        errors["roles"] = _("This change would leave nobody who may administer users and roles.")
    names = list(dict.fromkeys(normalize_text(n) for n in regions if normalize_text(n)))
    region_objs = list(Region.objects.filter(name__in=names))
    missing = sorted(set(names) - {r.name for r in region_objs})
    if missing:
        errors["regions"] = _("Unknown region: %(names)s") % {"names": ", ".join(missing)}
    held = list(Region.objects.filter(members__user=user).values_list("pk", flat=True))
    if not missing and (closed := inactive_regions_error(region_objs, held)):
        errors["regions"] = closed
    display_name = normalize_text(display_name or "")
    mobile = normalize_text(mobile or "")
    wecom_userid = (wecom_userid or "").strip()
    for field, value, limit in (
        ("display_name", display_name, 60),
        ("mobile", mobile, 20),
        ("wecom_userid", wecom_userid, 64),
    ):
        if len(value) > limit:
            errors[field] = _("At most %(n)s characters.") % {"n": limit}
    given = {
        "dingtalk_userid": dingtalk_userid,
        "dingtalk_unionid": dingtalk_unionid,
        "feishu_user_id": feishu_user_id,
    }
    chat_ids = {k: v.strip() for k, v in given.items() if v is not None}
    for field, value, limit in ((k, v, 64) for k, v in chat_ids.items()):
        if len(value) > limit:
            errors[field] = _("At most %(n)s characters.") % {"n": limit}
    if errors:
        raise ValidationFailed(errors)

    profile, _created = Profile.objects.get_or_create(user=user)
    profile.display_name = display_name or user.username
    profile.mobile = mobile
    profile.wecom_userid = wecom_userid
    for field, value in chat_ids.items():
        setattr(profile, field, value)
    profile._history_user = actor  # type: ignore[attr-defined]  # read by simple_history
    profile.save()
    profile.regions.set(region_objs)
    user.groups.set(Group.objects.filter(name__in=roles))
    permissions.forget_cached(user)
    return user


@transaction.atomic
def user_set_active(*, actor: Actor, user_id: int | str, active: bool) -> "User":
    """Activate or deactivate a user. Deactivation revokes every token of the user at once."""
    permissions.require(actor, "users.manage")
    user = _get_user(user_id)
    if not active and user.pk == actor.pk:
        raise Conflict(_("You cannot deactivate your own account."), code="self_deactivation")
    if user.is_active != bool(active):
        user.is_active = bool(active)
        user.save(update_fields=["is_active"])
    if not active:
        ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    return user


@transaction.atomic
def user_reset_password(*, actor: Actor, user_id: int | str, new_password: str) -> "User":
    permissions.require(actor, "users.manage")
    user = _get_user(user_id)
    problem = _password_errors(new_password, user)
    if problem:
        raise ValidationFailed({"new_password": problem})
    user.set_password(new_password)
    user.save(update_fields=["password"])
    return user


@transaction.atomic
def password_change(*, actor: Actor | None, old_password: str, new_password: str) -> "User":
    """A user changes their own password, proving they know the current one."""
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied()
    errors = {}
    if not actor.check_password(old_password or ""):
        errors["old_password"] = _("The current password is wrong.")
    problem = _password_errors(new_password, actor)
    if problem:
        errors["new_password"] = problem
    if errors:
        raise ValidationFailed(errors)
    actor.set_password(new_password)
    actor.save(update_fields=["password"])
    return actor


def _require_self_or_admin(actor: Actor | None, user_id: int | str) -> None:
    if actor is None or not actor.is_authenticated or not actor.is_active:
        raise PermissionDenied()
    if str(actor.pk) != str(user_id):
        permissions.require(actor, "users.manage")


@transaction.atomic
def token_create_for(
    *, actor: Actor, user_id: int | str, name: str, days: int
) -> tuple[str, ApiToken]:
    """A named token for ``user_id``; the raw token is returned once and never stored."""
    _require_self_or_admin(actor, user_id)
    user = _get_user(user_id)
    errors = {}
    name = normalize_text(name or "")
    if not name:
        errors["name"] = _("A name is required.")
    elif len(name) > 60:
        errors["name"] = _("At most %(n)s characters.") % {"n": 60}
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= 3650:
        errors["days"] = _("Enter a number of days between 1 and 3650.")
    if not user.is_active:
        errors["user"] = _("The user is inactive.")
    if errors:
        raise ValidationFailed(errors)
    raw = ApiToken.generate()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        key_hash=hash_token(raw),
        prefix=raw[3:11],
        expires_at=timezone.now() + timedelta(days=days),
    )
    return raw, token


@transaction.atomic
def token_revoke(*, actor: Actor | None, token_id: int | str) -> ApiToken:
    """Revoke a token: the owner may revoke their own, an administrator anyone's."""
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied()
    try:
        token = ApiToken.objects.select_for_update().get(pk=int(token_id))
    except (ApiToken.DoesNotExist, TypeError, ValueError):
        raise NotFound(_("Token not found.")) from None
    if token.user_id != actor.pk and not permissions.can(actor, "users.manage"):
        # someone else's token looks exactly like a missing one
        raise NotFound(_("Token not found."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


# --- contact details ---------------------------------------------------------------------------


@transaction.atomic
def contact_update(
    *,
    actor: Actor | None,
    user_id: int | str,
    mobile: str | None = None,
    wecom_userid: str | None = None,
    email: str | None = None,
    dingtalk_userid: str | None = None,
    dingtalk_unionid: str | None = None,
    feishu_user_id: str | None = None,
) -> "User":
    """Set how a person is reached: mobile, WeCom user id, DingTalk userid/unionId and Feishu
    user_id (on the profile) and email (on the user). ``None`` leaves a field as it is, ``""``
    clears it. Everyone may edit their own; ``users.manage`` or ``notifications.contacts`` may
    edit anyone's."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        raise PermissionDenied()
    if str(actor.pk) != str(user_id) and not (
        permissions.can(actor, "users.manage") or permissions.can(actor, "notifications.contacts")
    ):
        raise PermissionDenied()
    user = _get_user(user_id)
    errors, (mobile, wecom_userid, email, chat_ids) = clean_contacts(
        mobile,
        wecom_userid,
        email,
        dingtalk_userid=dingtalk_userid,
        dingtalk_unionid=dingtalk_unionid,
        feishu_user_id=feishu_user_id,
    )
    if errors:
        raise ValidationFailed(errors)

    profile, _created = Profile.objects.get_or_create(
        user=user, defaults={"display_name": user.username}
    )
    user.profile = profile  # the caller reads the saved values, not the ones loaded above
    wanted = {"mobile": mobile, "wecom_userid": wecom_userid, **chat_ids}
    changed = [f for f, v in wanted.items() if v is not None and getattr(profile, f) != v]
    if changed:
        for field in changed:
            setattr(profile, field, wanted[field])
        # named in the audit trail even outside a web request (read by simple_history)
        profile._history_user = actor  # type: ignore[attr-defined]
        profile.save(update_fields=changed)
    if email is not None and user.email != email:
        user.email = email
        user._history_user = actor  # type: ignore[attr-defined]  # read by simple_history
        user.save(update_fields=["email"])
    return user


def user_create_errors(
    *, actor: Actor, username: str, roles: list[str], regions: Sequence[str] = (), **contacts: Any
) -> dict[str, str]:
    """What creating this user (``user_create``, then ``contact_update`` with ``contacts``) would
    refuse, field → message, without writing anything (an import's check). Unlike the command
    line, the regions must exist already."""
    permissions.require(actor, "users.manage")
    errors = {}
    username = normalize_text(username)
    if not username:
        errors["username"] = _("Username is required.")
    elif len(username) > 150:
        errors["username"] = _("At most %(n)s characters.") % {"n": 150}
    elif User.objects.filter(username=username).exists():
        errors["username"] = _("User %(name)s already exists.") % {"name": username}
    if role_problem := _roles_error(roles):
        errors["roles"] = role_problem
    names = [normalize_text(n) for n in regions]
    found = list(Region.objects.filter(name__in=names))
    known = {r.name for r in found}
    if unknown := [n for n in names if n not in known]:
        errors["regions"] = _("Unknown region: %(name)s") % {"name": ", ".join(unknown)}
    elif closed := inactive_regions_error(found):
        errors["regions"] = closed
    contact_errors, _values = clean_contacts(
        contacts.get("mobile"),
        contacts.get("wecom_userid"),
        contacts.get("email"),
        **{f: contacts.get(f) for f in ("dingtalk_userid", "dingtalk_unionid", "feishu_user_id")},
    )
    errors.update(contact_errors)
    return errors
