"""The notification outbox (SPEC §6).

Every notification is a ``Message`` row first, written in the caller's transaction; the worker
delivers it later (``delivery.deliver_due``). In-app messages need no delivery: the row *is* the
inbox item, ``sent`` from the start, with ``read_at`` for the unread badge. Each try at an external
endpoint leaves one ``Delivery`` row — the delivery log admins read and the count the per-robot rate
limit is taken from.

How a person is reached outside the app is not kept here: the mobile and the chat apps' user ids
are on ``accounts.Profile`` and the email address on the user (``accounts.services.contact_update``).

A ``ChatApp`` is a factory's internal app on WeCom, DingTalk or Feishu: it messages one person
(``wecom_app`` / ``dingtalk_app`` / ``feishu_app`` messages, one per person and app) and signs that
person in when they open the message's link (``notify.signin``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Channel(models.TextChoices):
    WECOM = "wecom", _("WeCom robot")
    DINGTALK = "dingtalk", _("DingTalk robot")
    FEISHU = "feishu", _("Feishu bot")
    EMAIL = "email", _("Email")
    INAPP = "inapp", _("In-app")
    WECOM_APP = "wecom_app", _("WeCom app message")
    DINGTALK_APP = "dingtalk_app", _("DingTalk work notice")
    FEISHU_APP = "feishu_app", _("Feishu app message")


ROBOT_CHANNELS = (Channel.WECOM, Channel.DINGTALK, Channel.FEISHU)
APP_CHANNELS = (Channel.WECOM_APP, Channel.DINGTALK_APP, Channel.FEISHU_APP)


class RobotKind(models.TextChoices):
    WECOM = "wecom", _("WeCom robot")
    DINGTALK = "dingtalk", _("DingTalk robot")
    FEISHU = "feishu", _("Feishu bot")


class AppKind(models.TextChoices):
    WECOM = "wecom", _("WeCom")
    DINGTALK = "dingtalk", _("DingTalk")
    FEISHU = "feishu", _("Feishu")


class Status(models.TextChoices):
    PENDING = (
        "pending",
        pgettext_lazy("delivery", "Pending"),
    )  # waiting for its first try or for its next retry
    SENDING = "sending", _("Sending")  # claimed by a worker until ``claimed_until``
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed, will retry")
    DEAD = "dead", _("Dead letter")


OPEN_STATUSES = (Status.PENDING, Status.FAILED)


class Robot(models.Model):
    """One group robot: where to post and how to sign. The URL carries the robot's own token."""

    kind = models.CharField(_("kind"), max_length=10, choices=RobotKind.choices)
    name = models.CharField(_("name"), max_length=80)
    webhook_url = models.URLField(_("webhook URL"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=200, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("robot")
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="robot_kind_name")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}"


class ChatApp(models.Model):
    """A factory's internal (self-built) app on one chat platform. ``client_id`` is the WeCom
    corp id, the DingTalk app key or the Feishu app id; ``agent_id`` the WeCom/DingTalk agent id.
    Secrets are stored encrypted (``core.crypto``) and never shown again. The access token is
    cached here (encrypted too) until ``token_expires_at``."""

    kind = models.CharField(_("kind"), max_length=10, choices=AppKind.choices, unique=True)
    name = models.CharField(_("name"), max_length=80)
    client_id = models.CharField(_("corp id / app key / app id"), max_length=100)
    agent_id = models.CharField(_("agent id"), max_length=40, blank=True)
    secret_encrypted = models.TextField(blank=True)
    # Feishu: the card callback's verification token and encrypt key (signature key)
    callback_token_encrypted = models.TextField(blank=True)
    callback_key_encrypted = models.TextField(blank=True)
    # where the platform answers; blank means the platform's public address
    api_base = models.CharField(_("API base URL"), max_length=300, blank=True)
    open_api_base = models.CharField(_("second API base URL"), max_length=300, blank=True)
    oauth_base = models.CharField(_("sign-in base URL"), max_length=300, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    access_token_encrypted = models.TextField(blank=True)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind"]
        verbose_name = _("chat app")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}"


class UsedNonce(models.Model):
    """A sign-in state or a card callback's nonce that was used once: a second use is a replay."""

    purpose = models.CharField(max_length=20)
    value = models.CharField(max_length=128)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["purpose", "value"], name="usednonce_once")]
        indexes = [models.Index(fields=["at"], name="usednonce_at")]


class Message(models.Model):
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    # "robot:<id>", "email:<address>", "user:<id>" or "app:<id>:user:<id>": the dedupe key is
    # unique per channel+target
    target = models.CharField(_("target"), max_length=300)
    robot = models.ForeignKey(
        Robot, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    app = models.ForeignKey(
        ChatApp, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notify_messages",
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    dedupe_key = models.CharField(_("dedupe key"), max_length=200, null=True, blank=True)
    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(_("source"), max_length=100, blank=True)

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=40, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("message")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "target", "dedupe_key"],
                condition=Q(dedupe_key__isnull=False),
                name="message_dedupe",
            )
        ]
        indexes = [
            # the worker's claim: open rows by due time, and expired leases
            models.Index(fields=["status", "next_attempt_at"], name="message_due"),
            models.Index(fields=["status", "claimed_until"], name="message_lease"),
            # the inbox and the unread badge
            models.Index(fields=["recipient", "channel", "read_at"], name="message_inbox"),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.target} {self.subject}"


class Delivery(models.Model):
    """One try at sending one message: what the endpoint answered, or why it could not."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="deliveries")
    robot = models.ForeignKey(
        Robot, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    app = models.ForeignKey(
        ChatApp, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    recipient_id = models.IntegerField(null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    attempt = models.PositiveIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("started at"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    ok = models.BooleanField(_("delivered"), default=False)
    throttled = models.BooleanField(_("throttled"), default=False)
    http_status = models.PositiveIntegerField(_("HTTP status"), null=True, blank=True)
    error_code = models.CharField(_("error code"), max_length=40, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    worker = models.CharField(_("worker"), max_length=80, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("delivery attempt")
        indexes = [
            models.Index(fields=["robot", "started_at"], name="delivery_robot_time"),
            models.Index(fields=["app", "started_at"], name="delivery_app_time"),
            models.Index(fields=["started_at"], name="delivery_time"),
        ]

    def __str__(self) -> str:
        return f"{self.message_id}#{self.attempt}"
