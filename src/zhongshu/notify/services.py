"""Notification use cases: queue messages (``notify``), the inbox, robot configuration.

``notify`` is what the rest of the product calls. It only writes rows, in the caller's
transaction: the messages commit or roll back with whatever caused them, and the worker delivers
them afterwards (``delivery.deliver_due``).
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor
from zhongshu.core.errors import ValidationFailed
from zhongshu.core.validation import Errors, clean_choice, clean_text

from . import channels as ch
from .chatapps import CHANNEL_OF_KIND, PROFILE_FIELD
from .exceptions import UnknownChannel
from .models import (
    APP_CHANNELS,
    ROBOT_CHANNELS,
    AppKind,
    Channel,
    ChatApp,
    Message,
    Robot,
    RobotKind,
    Status,
)

# "app": each recipient through every enabled chat app that knows them, else their inbox
APP = "app"
ALL_CHANNELS = frozenset(Channel.values) | {APP}


@dataclass(frozen=True)
class _Reach:
    user_id: int
    name: str
    wecom_userid: str
    mobile: str
    email: str
    dingtalk_userid: str = ""
    feishu_user_id: str = ""

    def chat_id(self, kind: str) -> str:
        return getattr(self, PROFILE_FIELD[kind])


def _user_ids(recipients: Iterable, roles: Iterable[str]) -> list[int]:
    ids: set[int] = set()
    for r in recipients or ():
        ids.add(int(getattr(r, "pk", r)))
    roles = [str(r) for r in roles or ()]
    User = get_user_model()
    if roles:
        ids |= set(
            User.objects.filter(groups__name__in=roles, is_active=True).values_list("id", flat=True)
        )
    if not ids:
        return []
    # only active users are notified, whichever way they were named
    return sorted(User.objects.filter(pk__in=ids, is_active=True).values_list("id", flat=True))


def _reach(user_ids: list[int]) -> list[_Reach]:
    if not user_ids:
        return []
    User = get_user_model()
    rows = User.objects.filter(pk__in=user_ids).values(
        "id",
        "username",
        "first_name",
        "last_name",
        "email",
        "profile__wecom_userid",
        "profile__mobile",
        "profile__dingtalk_userid",
        "profile__feishu_user_id",
    )
    found = []
    for r in rows:
        name = f"{r['last_name']}{r['first_name']}".strip() or r["username"]
        found.append(
            _Reach(
                user_id=r["id"],
                name=name,
                wecom_userid=r["profile__wecom_userid"] or "",
                mobile=r["profile__mobile"] or "",
                email=r["email"] or "",
                dingtalk_userid=r["profile__dingtalk_userid"] or "",
                feishu_user_id=r["profile__feishu_user_id"] or "",
            )
        )
    return sorted(found, key=lambda x: x.user_id)


def _enabled_apps() -> dict[str, ChatApp]:
    return {a.kind: a for a in ChatApp.objects.filter(enabled=True)}


def _app_messages(channel: str, people: list[_Reach], common: dict) -> list[Message]:
    """One message per person the channel's app knows; the others are left out here (``notify``
    puts them in the inbox when no app reaches them)."""
    kind = {v: k for k, v in CHANNEL_OF_KIND.items()}[channel]
    app = _enabled_apps().get(kind)
    if app is None:
        return []
    rows = []
    for p in people:
        to = p.chat_id(kind)
        if to:
            payload = {"to": to, **({"actions": common["_actions"]} if common["_actions"] else {})}
            rows.append(
                Message(
                    channel=channel,
                    target=f"app:{app.pk}:user:{p.user_id}",
                    app=app,
                    recipient_id=p.user_id,
                    payload=payload,
                    **{k: v for k, v in common.items() if not k.startswith("_")},
                )
            )
    return rows


def _expand_app(wanted: list[str], people: list[_Reach]) -> list[str]:
    """``app`` → the channels of the enabled chat apps, plus ``inapp`` when somebody would
    otherwise not be reached at all (no app knows them)."""
    if APP not in wanted:
        return wanted
    apps = _enabled_apps()
    out = [c for c in wanted if c != APP]
    for kind in apps:
        if CHANNEL_OF_KIND[kind] not in out:
            out.append(CHANNEL_OF_KIND[kind])
    unreached = [p for p in people if not any(p.chat_id(k) for k in apps)]
    if unreached and Channel.INAPP not in out:
        out.append(Channel.INAPP)
    return out


def _messages(
    wanted: list[str], people: list[_Reach], *, subject: str, body: str, link: str, common: dict
) -> list[Message]:
    """The unsaved messages of one notification: per robot of each robot channel, per recipient
    with an address for email, per recipient in-app (sent the moment it commits)."""
    now = common["created_at"]
    plain = {k: v for k, v in common.items() if not k.startswith("_")}
    rows: list[Message] = []
    robot_kinds = [c for c in wanted if c in ROBOT_CHANNELS]
    robots = (
        list(Robot.objects.filter(kind__in=robot_kinds, enabled=True).order_by("id"))
        if robot_kinds
        else []
    )
    fallback_only = APP in wanted and Channel.INAPP not in wanted
    wanted = _expand_app(wanted, people)
    for channel in wanted:
        if channel == Channel.INAPP and fallback_only:
            # asked for the chat apps only: the inbox is for those no app reaches
            apps = _enabled_apps()
            people_here = [p for p in people if not any(p.chat_id(k) for k in apps)]
        else:
            people_here = people
        if channel in ROBOT_CHANNELS:
            for robot in (r for r in robots if r.kind == channel):
                payload = ch.robot_payload(
                    channel, subject=subject, body=body, link=link, contacts=people
                )
                rows.append(
                    Message(
                        channel=channel,
                        target=f"robot:{robot.pk}",
                        robot=robot,
                        payload=payload,
                        **plain,
                    )
                )
        elif channel == Channel.EMAIL:
            for p in people:
                if p.email:
                    rows.append(
                        Message(
                            channel=channel,
                            target=f"email:{p.email}"[:300],
                            recipient_id=p.user_id,
                            **plain,
                        )
                    )
        elif channel in APP_CHANNELS:
            rows.extend(_app_messages(channel, people, common))
        else:  # in-app: the row is the inbox item, delivered the moment it commits
            for p in people_here:
                rows.append(
                    Message(
                        channel=channel,
                        target=f"user:{p.user_id}",
                        recipient_id=p.user_id,
                        status=Status.SENT,
                        sent_at=now,
                        **plain,
                    )
                )
    return rows


def notify(
    *,
    recipients=(),
    roles=(),
    channels=("inapp",),
    subject: str,
    body: str = "",
    link: str = "",
    dedupe_key: str | None = None,
    order=None,
    source: str = "",
    actions=(),
) -> list[Message]:
    """Queue a notification; returns its messages (already existing ones for a repeated key).

    * ``recipients`` — users (or their ids); ``roles`` — role slugs, expanded to the active users
      holding them;
    * ``channels`` — among wecom, dingtalk, feishu, email, inapp. A robot channel makes one
      message per enabled robot of that kind, mentioning the recipients (WeCom user id / mobile
      from their ``accounts.Profile``); email one per recipient whose user has an address;
      inapp one per recipient; ``wecom_app``/``dingtalk_app``/``feishu_app`` one per recipient
      the app knows (their id on ``accounts.Profile``); ``app`` means every enabled chat app,
      and the inbox for a recipient no app knows;
    * ``actions`` — buttons a Feishu card carries (``[{"text", "value", "style"}]``); a click
      comes back through the signed card callback to the handler ``value["handler"]`` names
      (``notify.cards``);
    * ``dedupe_key`` — e.g. ``f"rule:{rule.id}:order:{order.id}:{date}"``: a second call with the
      same key makes no second message for the same channel and target, even concurrently.

    Writes only rows, in the caller's transaction. No permission check: the caller decides who
    is told (rules, approvals and the system itself call this).
    """
    wanted = list(dict.fromkeys(str(c) for c in channels or ()))
    unknown = [c for c in wanted if c not in ALL_CHANNELS]
    if unknown:
        raise UnknownChannel({"channels": _("Unknown channel: %(c)s.") % {"c": ", ".join(unknown)}})
    subject = (subject or "").strip()[:200]
    body = body or ""
    link = (link or "")[:500]
    dedupe_key = dedupe_key[:200] if dedupe_key else None
    people = _reach(_user_ids(recipients, roles))
    order_id = getattr(order, "pk", order)
    now = timezone.now()
    common = {
        "subject": subject,
        "body": body,
        "link": link,
        "dedupe_key": dedupe_key,
        "order_id": order_id,
        "source": source[:100],
        "created_at": now,
        "next_attempt_at": now,
        "_actions": [dict(a) for a in actions or ()],
    }
    rows = _messages(wanted, people, subject=subject, body=body, link=link, common=common)
    if not rows:
        return []
    if dedupe_key is None:
        return Message.objects.bulk_create(rows)
    # get-or-create for the whole batch: the partial unique index decides, so two transactions
    # racing with the same key end with one row (the later one waits for the first to commit)
    with transaction.atomic():
        Message.objects.bulk_create(rows, ignore_conflicts=True)
    keys = {(m.channel, m.target) for m in rows}
    found = Message.objects.filter(
        dedupe_key=dedupe_key, channel__in={c for c, _t in keys}, target__in={t for _c, t in keys}
    )
    return sorted((m for m in found if (m.channel, m.target) in keys), key=lambda m: m.pk)


# --- the inbox -----------------------------------------------------------------------------------


def _my_inbox(actor: Actor):
    permissions.require(actor, "notifications.inbox")
    return Message.objects.filter(channel=Channel.INAPP, recipient=actor)


@transaction.atomic
def mark_read(*, actor: Actor, message_id) -> Message:
    message = permissions.get_in_scope(_my_inbox(actor).select_for_update(), pk=message_id)
    if message.read_at is None:
        message.read_at = timezone.now()
        message.save(update_fields=["read_at"])
    return message


@transaction.atomic
def mark_all_read(*, actor: Actor) -> int:
    return _my_inbox(actor).filter(read_at__isnull=True).update(read_at=timezone.now())


# --- robots --------------------------------------------------------------------------------------


def _clean_robot(data: dict, *, partial: bool, current: Robot | None = None) -> dict:
    errors = Errors()
    values: dict = {}
    if not partial or "kind" in data:
        values["kind"] = clean_choice(errors, "kind", data.get("kind"), RobotKind)
    if not partial or "name" in data:
        values["name"] = clean_text(errors, "name", data.get("name"), max_length=80, required=True)
    if not partial or "webhook_url" in data:
        url = clean_text(
            errors, "webhook_url", data.get("webhook_url"), max_length=500, required=True
        )
        if url and not re.match(r"^https?://[^\s/]+", url):
            errors.add("webhook_url", _("Enter an http(s) URL."))
        values["webhook_url"] = url
    if "secret" in data or not partial:
        values["secret"] = clean_text(errors, "secret", data.get("secret"), max_length=200)
    if "enabled" in data:
        if not isinstance(data["enabled"], bool):
            errors.add("enabled", _("Enter true or false."))
        values["enabled"] = bool(data["enabled"])
    kind = values.get("kind") or (current.kind if current else None)
    name = values.get("name") or (current.name if current else None)
    if kind and name:
        clash = Robot.objects.filter(kind=kind, name=name)
        if current is not None:
            clash = clash.exclude(pk=current.pk)
        if clash.exists():
            errors.add("name", _("A robot of this kind with this name exists already."))
    errors.raise_if_any()
    return values


@transaction.atomic
def robot_create(*, actor: Actor, **data) -> Robot:
    permissions.require(actor, "notifications.robots")
    values = _clean_robot(data, partial=False)
    values.setdefault("enabled", True)
    return Robot.objects.create(**values)


@transaction.atomic
def robot_update(*, actor: Actor, robot_id, **data) -> Robot:
    permissions.require(actor, "notifications.robots")
    robot = permissions.get_in_scope(Robot.objects.select_for_update(), pk=robot_id)
    values = _clean_robot(data, partial=True, current=robot)
    for key, value in values.items():
        setattr(robot, key, value)
    robot.save()
    return robot


@transaction.atomic
def robot_delete(*, actor: Actor, robot_id) -> None:
    permissions.require(actor, "notifications.robots")
    robot = permissions.get_in_scope(Robot.objects.all(), pk=robot_id)
    robot.delete()


@transaction.atomic
def message_retry(*, actor: Actor, message_id) -> Message:
    """Give a dead letter (or a failing message) a fresh set of tries now."""
    permissions.require(actor, "notifications.deliveries")
    message = permissions.get_in_scope(
        Message.objects.select_for_update().exclude(channel=Channel.INAPP), pk=message_id
    )
    if message.status not in (Status.DEAD, Status.FAILED, Status.PENDING):
        raise ValidationFailed({"status": _("Only undelivered messages can be retried.")})
    message.status = Status.PENDING
    message.attempts = 0
    message.next_attempt_at = timezone.now()
    message.claimed_until = None
    message.claim_token = ""
    message.save(
        update_fields=["status", "attempts", "next_attempt_at", "claimed_until", "claim_token"]
    )
    return message


# --- chat apps -----------------------------------------------------------------------------------

_APP_TEXT = {
    "name": 80,
    "client_id": 100,
    "agent_id": 40,
    "api_base": 300,
    "open_api_base": 300,
    "oauth_base": 300,
}
_APP_SECRETS = {
    "secret": "secret_encrypted",
    "callback_token": "callback_token_encrypted",
    "callback_key": "callback_key_encrypted",
}


@transaction.atomic
def chat_app_save(*, actor: Actor, kind: str, **data) -> ChatApp:
    """Create or change the internal app of one platform. Secrets are stored encrypted and never
    read back; a secret left out (or empty) keeps the stored one. Changing the client id or the
    secret drops the cached access token."""
    from .chatapps import seal

    permissions.require(actor, "notifications.robots")
    errors = Errors()
    kind = clean_choice(errors, "kind", kind, AppKind) or ""  # "" only with its error added
    current = ChatApp.objects.select_for_update().filter(kind=kind).first() if kind else None
    values: dict = {}
    for field, limit in _APP_TEXT.items():
        if field in data or (current is None and field in ("name", "client_id")):
            required = field in ("name", "client_id")
            values[field] = clean_text(
                errors, field, data.get(field), max_length=limit, required=required
            )
    for field in ("api_base", "open_api_base", "oauth_base"):
        url = values.get(field)
        if url and not re.match(r"^https?://[^\s/]+", url):
            errors.add(field, _("Enter an http(s) URL."))
    if values.get("agent_id") and not values["agent_id"].isdigit():
        errors.add("agent_id", _("Enter digits only."))
    if "enabled" in data:
        if not isinstance(data["enabled"], bool):
            errors.add("enabled", _("Enter true or false."))
        values["enabled"] = bool(data["enabled"])
    for field, column in _APP_SECRETS.items():
        secret = clean_text(errors, field, data.get(field), max_length=300)
        if secret:
            values[column] = seal(secret)
    if current is None and "secret_encrypted" not in values:
        errors.add("secret", _("This field is required."))
    unknown = set(data) - set(_APP_TEXT) - set(_APP_SECRETS) - {"enabled"}
    for field in sorted(unknown):
        errors.add(field, _("Unknown field."))
    errors.raise_if_any()
    app = current or ChatApp(kind=kind)
    if "client_id" in values or "secret_encrypted" in values:
        app.access_token_encrypted, app.token_expires_at = "", None
    for key, value in values.items():
        setattr(app, key, value)
    app.save()
    return app


@transaction.atomic
def chat_app_delete(*, actor: Actor, kind: str) -> None:
    permissions.require(actor, "notifications.robots")
    ChatApp.objects.filter(kind=kind).delete()
