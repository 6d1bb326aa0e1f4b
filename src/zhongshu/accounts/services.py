"""Users, regions and API tokens."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.core.errors import DomainError, ValidationFailed
from zhongshu.core.text import normalize_text

from . import permissions
from .exceptions import AccountLocked
from .lockout import clear_failures, is_locked_out, lockout_message
from .models import ApiToken, Profile, Region, hash_token
from .roles import Role

User = get_user_model()


class InvalidCredentials(DomainError):
    code = "invalid_credentials"
    http_status = 401


@transaction.atomic
def region_create(*, actor, name: str) -> Region:
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


@transaction.atomic
def user_create(
    *,
    actor,
    username: str,
    password: str,
    roles: list[str],
    regions: list[str] = (),
    display_name: str = "",
    check_password_strength: bool = True,
) -> "User":
    """Create a user with roles and regions. ``actor=None`` is the command line (trusted)."""
    if actor is not None:
        permissions.require(actor, "users.manage")
    errors = {}
    username = normalize_text(username)
    if not username:
        errors["username"] = _("Username is required.")
    elif User.objects.filter(username=username).exists():
        errors["username"] = _("User %(name)s already exists.") % {"name": username}
    unknown = [r for r in roles if r not in Role.values]
    if not roles:
        errors["roles"] = _("At least one role is required.")
    elif unknown:
        errors["roles"] = _("Unknown role: %(roles)s. Known roles: %(known)s") % {
            "roles": ", ".join(unknown),
            "known": ", ".join(Role.values),
        }
    if check_password_strength and password:
        try:
            validate_password(password, User(username=username))
        except DjangoValidationError as exc:
            errors["password"] = " ".join(exc.messages)
    if not password:
        errors["password"] = _("Password is required.")
    if errors:
        raise ValidationFailed(errors)

    user = User.objects.create_user(username=username, password=password)
    user.groups.set(Group.objects.filter(name__in=roles))
    profile = Profile.objects.create(user=user, display_name=display_name or username)
    region_objs = []
    for name in regions:
        region, _created = Region.objects.get_or_create(name=normalize_text(name))
        region_objs.append(region)
    profile.regions.set(region_objs)
    return user


def token_issue(
    *, request, username: str, password: str, name: str = "api"
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


def token_user(raw: str):
    """The active user behind a Bearer token, or ``None``."""
    if not raw:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(raw), revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
