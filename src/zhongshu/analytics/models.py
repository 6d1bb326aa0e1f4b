"""Activity counters: one row per (user, day, kind), incremented with one atomic upsert.

The weekly activity leaderboard and the daily-active ratio (SPEC §9) read these rows instead of
scanning logs: a week of a 200-person company is at most a few thousand rows.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DailyActivity(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    day = models.DateField(_("day"))
    kind = models.CharField(_("kind"), max_length=40)
    count = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("daily activity")
        ordering = ["-day", "user", "kind"]
        constraints = [
            # the conflict target of the upsert in activity.record
            models.UniqueConstraint(fields=["user", "day", "kind"], name="dailyactivity_unique"),
            models.CheckConstraint(condition=Q(count__gte=0), name="dailyactivity_count_nonneg"),
        ]
        indexes = [models.Index(fields=["day", "user"], name="dailyactivity_day_user")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day} {self.kind}={self.count}"


# --- customer segmentation (SPEC §9) ------------------------------------------------------------


class AnalyticsSettings(models.Model):
    """The editable thresholds of the customer tiers and the weekly leaderboard message: one row
    (pk 1), created with the defaults the first time it is read. Definitions: docs/analytics.md."""

    # the window and the rhythm
    window_days = models.PositiveIntegerField(_("window (days)"), default=365)
    new_days = models.PositiveIntegerField(_("new customer: first order within (days)"), default=90)
    rhythm_intervals = models.PositiveIntegerField(_("intervals in the rhythm"), default=3)
    recent_weight = models.FloatField(_("weight decay per older interval"), default=0.7)
    min_rhythm_days = models.PositiveIntegerField(_("order days needed for a rhythm"), default=3)
    # 流失风险客户: overdue against their own rhythm
    at_risk_ratio = models.FloatField(_("churn risk: days since last order ≥ mean ×"), default=1.5)
    at_risk_spreads = models.FloatField(_("churn risk: and ≥ mean + spread ×"), default=2.0)
    # 高价值稳定客户
    key_min_orders = models.PositiveIntegerField(_("high value: orders in window ≥"), default=12)
    key_min_avg_amount = models.DecimalField(
        _("high value: average amount ≥"), max_digits=14, decimal_places=2, default=10000
    )
    key_max_cv = models.FloatField(_("high value: spread ≤ mean ×"), default=0.25)
    # 成长客户
    growth_min_orders = models.PositiveIntegerField(_("growing: orders in window ≥"), default=4)
    growth_min_trend = models.FloatField(_("growing: trend ≥"), default=0.3)
    # weekly leaderboard message
    leaderboard_roles = models.JSONField(
        _("leaderboard message to roles"), default=list, blank=True
    )
    leaderboard_channels = models.JSONField(
        _("leaderboard message channels"), default=list, blank=True
    )
    leaderboard_top = models.PositiveIntegerField(_("users in the message"), default=5)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("analytics settings")

    def __str__(self) -> str:
        return "analytics settings"


class CustomerSegment(models.Model):
    """A customer's tier and the facts it was computed from (derived; rewritten by each run)."""

    customer = models.OneToOneField(
        "customers.Customer",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="segment",
        verbose_name=_("customer"),
    )
    tier = models.CharField(_("tier"), max_length=16)
    previous_tier = models.CharField(_("previous tier"), max_length=16, blank=True)
    tier_changed_at = models.DateTimeField(_("tier changed"), null=True, blank=True)
    orders = models.PositiveIntegerField(_("orders in window"), default=0)
    order_days = models.PositiveIntegerField(_("order days in window"), default=0)
    amount = models.DecimalField(_("amount in window"), max_digits=18, decimal_places=2, default=0)
    avg_amount = models.DecimalField(
        _("average order amount"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    interval_mean = models.FloatField(_("interval mean (days)"), null=True, blank=True)
    interval_spread = models.FloatField(_("interval spread (days)"), null=True, blank=True)
    first_order = models.DateField(_("first order"), null=True, blank=True)
    last_order = models.DateField(_("last order"), null=True, blank=True)
    recency_days = models.IntegerField(_("days since last order"), null=True, blank=True)
    trend = models.FloatField(_("trend"), null=True, blank=True)
    expected_next = models.DateField(_("expected next order"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        verbose_name = _("customer segment")
        indexes = [models.Index(fields=["tier"], name="segment_tier")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.tier}"


class SegmentRun(models.Model):
    """One recomputation: when, how long, how many customers, how many changed tier."""

    started_at = models.DateTimeField(_("started"))
    seconds = models.FloatField(_("seconds"))
    customers = models.PositiveIntegerField(_("customers"))
    changed = models.PositiveIntegerField(_("tier changes"))
    counts = models.JSONField(_("customers per tier"), default=dict)

    class Meta:
        verbose_name = _("segmentation run")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.customers}"
