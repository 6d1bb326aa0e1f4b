"""Reads for the inbox, the delivery log and the robot/contact admin pages, scoped to the user.

Contacts are read from ``accounts.Profile`` (mobile, WeCom user id) and the user (email)."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q, QuerySet

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor
from zhongshu.core.errors import NotFound

from .models import Channel, Delivery, Message, Robot


def unread_count(user) -> int:
    """Unread in-app messages for the header badge: one query."""
    if user is None or not user.is_authenticated:
        return 0
    return Message.objects.filter(
        channel=Channel.INAPP, recipient_id=user.pk, read_at__isnull=True
    ).count()


def inbox(actor: Actor, *, unread: bool = False) -> QuerySet[Message]:
    permissions.require(actor, "notifications.inbox")
    qs = Message.objects.filter(channel=Channel.INAPP, recipient_id=actor.pk).only(
        "id", "subject", "body", "link", "created_at", "read_at", "source", "order_id"
    )
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-id")


def inbox_item(actor: Actor, message_id) -> Message:
    return permissions.get_in_scope(inbox(actor), pk=message_id)


def outbox(actor: Actor, *, status: str = "", channel: str = "", robot: str = "", q: str = ""):
    """Every non-inbox message with its delivery state, for admins."""
    permissions.require(actor, "notifications.deliveries")
    qs = Message.objects.exclude(channel=Channel.INAPP).select_related("robot")
    if status:
        qs = qs.filter(status=status)
    if channel:
        qs = qs.filter(channel=channel)
    if robot:
        try:
            qs = qs.filter(robot_id=int(robot))
        except (TypeError, ValueError):
            qs = qs.none()
    if q:
        qs = qs.filter(subject__icontains=q)
    return qs.order_by("-id")


def deliveries(
    actor: Actor, *, ok: str = "", channel: str = "", robot: str = "", message: str = ""
):
    """The delivery log: one row per try, newest first."""
    permissions.require(actor, "notifications.deliveries")
    qs = Delivery.objects.select_related("robot", "message").only(
        "id",
        "attempt",
        "started_at",
        "duration_ms",
        "ok",
        "throttled",
        "http_status",
        "error_code",
        "error",
        "worker",
        "channel",
        "robot__id",
        "robot__name",
        "robot__kind",
        "message__id",
        "message__subject",
        "message__target",
        "message__status",
    )
    if ok in ("1", "true", "yes"):
        qs = qs.filter(ok=True)
    elif ok in ("0", "false", "no"):
        qs = qs.filter(ok=False)
    if channel:
        qs = qs.filter(channel=channel)
    for field, value in (("robot_id", robot), ("message_id", message)):
        if value:
            try:
                qs = qs.filter(**{field: int(value)})
            except (TypeError, ValueError):
                qs = qs.none()
    return qs.order_by("-id")


def message_get(actor: Actor, message_id) -> Message:
    permissions.require(actor, "notifications.deliveries")
    return permissions.get_in_scope(
        Message.objects.exclude(channel=Channel.INAPP).select_related("robot"), pk=message_id
    )


def robots(actor: Actor) -> QuerySet[Robot]:
    permissions.require(actor, "notifications.robots")
    return Robot.objects.order_by("kind", "name")


def robot_get(actor: Actor, robot_id) -> Robot:
    return permissions.get_in_scope(robots(actor), pk=robot_id)


def contact_details(user) -> dict:
    """How ``user`` is reached: mobile and WeCom id from their profile, email from the user."""
    try:
        profile = user.profile
    except ObjectDoesNotExist:  # a user made outside ``user_create`` (e.g. createsuperuser)
        profile = None
    return {
        "user_id": user.pk,
        "username": user.get_username(),
        "mobile": profile.mobile if profile else "",
        "wecom_userid": profile.wecom_userid if profile else "",
        "dingtalk_userid": profile.dingtalk_userid if profile else "",
        "dingtalk_unionid": profile.dingtalk_unionid if profile else "",
        "feishu_user_id": profile.feishu_user_id if profile else "",
        "email": user.email or "",
    }


def my_contact(actor: Actor) -> dict:
    permissions.require(actor, "notifications.inbox")
    return contact_details(actor)


def contacts(actor: Actor) -> list[dict]:
    """Every active user with their contact details, for the admin page (one query)."""
    permissions.require(actor, "notifications.contacts")
    users = (
        get_user_model()
        .objects.filter(is_active=True)
        .select_related("profile")
        .only(
            "id",
            "username",
            "email",
            "profile__mobile",
            "profile__wecom_userid",
            "profile__dingtalk_userid",
            "profile__dingtalk_unionid",
            "profile__feishu_user_id",
        )
        .order_by("username")
    )
    return [contact_details(u) for u in users[:500]]


def contact_of(actor: Actor, user_id) -> dict:
    permissions.require(actor, "notifications.contacts")
    try:
        user = get_user_model().objects.select_related("profile").get(pk=user_id)
    except (get_user_model().DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    return contact_details(user)


# --- what the setup checklist asks ----------------------------------------------------------------


def public_base_url_missing() -> bool:
    """True when a chat app or robot is configured but messages could not carry absolute links
    (``PUBLIC_BASE_URL`` unset)."""
    from . import conf
    from .models import ChatApp

    if conf.public_base_url():
        return False
    return (
        Robot.objects.filter(enabled=True).exists() or ChatApp.objects.filter(enabled=True).exists()
    )


def users_missing_contact_ids():
    """Active users no enabled chat app can reach (no id for any of them): their messages go to
    the inbox only. ``.count()`` is the setup checklist's figure. Empty when no app is set up."""
    from .chatapps import PROFILE_FIELD
    from .models import ChatApp

    kinds = list(ChatApp.objects.filter(enabled=True).values_list("kind", flat=True))
    users = get_user_model().objects.filter(is_active=True)
    if not kinds:
        return users.none()
    for kind in kinds:
        field = f"profile__{PROFILE_FIELD[kind]}"
        users = users.filter(Q(**{f"{field}__isnull": True}) | Q(**{field: ""}))
    return users.order_by("username")


def chat_apps(actor: Actor):
    """The configured chat apps, for admins (secrets are never part of what is read)."""
    from .models import ChatApp

    permissions.require(actor, "notifications.robots")
    # the sealed secrets are read only to say whether one is set; they are never shown
    return ChatApp.objects.defer("access_token_encrypted")
