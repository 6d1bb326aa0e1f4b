import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history import register
from simple_history.models import HistoricalRecords


class Region(models.Model):
    """A sales region. Customers belong to one; sales users see only the regions they hold."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    # a deactivated region keeps its customers and members but takes no new ones
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("region")

    def __str__(self) -> str:
        return self.name


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    display_name = models.CharField(_("display name"), max_length=60, blank=True)
    regions = models.ManyToManyField(Region, blank=True, related_name="members")
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)
    wecom_userid = models.CharField(_("WeCom user id"), max_length=64, blank=True)
    # how the chat apps' internal apps name this person: messages go to these ids and a sign-in
    # from a message link is matched against them (docs/notifications.md)
    dingtalk_userid = models.CharField(_("DingTalk user id"), max_length=64, blank=True)
    dingtalk_unionid = models.CharField(_("DingTalk unionId"), max_length=64, blank=True)
    feishu_user_id = models.CharField(_("Feishu user_id"), max_length=64, blank=True)
    history = HistoricalRecords(m2m_fields=[regions])

    def __str__(self) -> str:
        return self.display_name or self.user.get_username()


# The user's history lives in this app (its migrations are ours, not django.contrib.auth's). The
# password hash never goes into it, and last_login would add a row per login that the access log
# already records.
register(User, app="zhongshu.accounts", excluded_fields=["password", "last_login"])


def hash_token(raw: str) -> str:
    # Tokens are 256 random bits, so a fast hash is enough: there is nothing to brute-force.
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A Bearer token for integrations. Only its hash is stored; the token is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=60, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    @staticmethod
    def generate() -> str:
        return "zs_" + secrets.token_urlsafe(32)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class ExportLog(models.Model):
    """One download of a list or statement (SPEC §2: exports are part of the audit trail)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("export"), max_length=32)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["-at", "-id"], name="exportlog_at"),
            models.Index(fields=["user", "-at"], name="exportlog_user"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"


class RoleDefinition(models.Model):
    """A role as data (docs/permissions.md). Users hold roles as Django groups named by ``code``.

    A shipped role keeps its defaults in the code tables of ``permissions`` and stores only what
    differs from them (``granted``/``revoked`` actions, ``hidden`` and ``readonly`` field groups,
    ``scope``), so an
    action added to the code tables reaches the shipped roles without a migration. A role created
    here has no defaults: ``granted`` is all it may do."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=60)
    shipped = models.BooleanField(_("shipped default"), default=False)
    granted = models.JSONField(default=list, blank=True)
    revoked = models.JSONField(default=list, blank=True)
    hidden = models.JSONField(default=list, blank=True)
    # field groups of custom fields (their own groups) this role reads but does not edit
    readonly = models.JSONField(default=list, blank=True)
    scope = models.CharField(_("scope"), max_length=32, blank=True)
    retired = models.BooleanField(_("retired"), default=False)
    updated_at = models.DateTimeField(auto_now=True)
    # every change, with who made it: the audit entry of a role (before → after)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-shipped", "code"]
        verbose_name = _("role")

    def __str__(self) -> str:
        return self.name


class PolicyState(models.Model):
    """One row: a token that changes with every role change, read together with a user's roles so
    every process notices a change on its next request (``role_tables``)."""

    token = models.CharField(max_length=32)
