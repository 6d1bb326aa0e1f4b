"""Saved list views: a name for a set of columns, filters and a sort on a list page, kept for
one user or shared with everyone holding a role. Filters are kept as the list page's own URL
parameters, so a view means exactly what the page shows for them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class ListName(models.TextChoices):
    ORDERS = "orders", _("Orders")


class SavedView(models.Model):
    list_name = models.CharField(_("list"), max_length=20, choices=ListName.choices)
    name = models.CharField(_("name"), max_length=60)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="saved_views",
        verbose_name=_("owner"),
    )
    role = models.CharField(_("shared with role"), max_length=20, blank=True)
    columns = models.JSONField(_("columns"), default=list)
    # URL parameters of the list page: {"status": ["confirmed"], "cf_finish": ["plated"]}
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    sort = models.CharField(_("sort"), max_length=50, blank=True)
    is_default = models.BooleanField(_("opens by default"), default=False)
    shipped = models.BooleanField(default=False, editable=False)
    position = models.PositiveIntegerField(default=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("saved view")
        ordering = ["list_name", "position", "name", "id"]
        constraints = [
            # personal (an owner) or shared with a role, never both, never neither
            models.CheckConstraint(
                condition=(Q(owner__isnull=False) & Q(role=""))
                | (Q(owner__isnull=True) & ~Q(role="")),
                name="savedview_owner_xor_role",
            ),
            models.UniqueConstraint(
                fields=["list_name", "owner", "name"],
                condition=Q(owner__isnull=False),
                name="savedview_personal_name",
            ),
            models.UniqueConstraint(
                fields=["list_name", "role", "name"],
                condition=Q(owner__isnull=True),
                name="savedview_shared_name",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "list_name"], name="savedview_owner"),
            models.Index(fields=["role", "list_name"], name="savedview_role"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_shared(self) -> bool:
        return self.owner_id is None

    @property
    def label(self) -> str:
        """Shipped views are named by an English msgid and shown in the reader's language."""
        return gettext(self.name) if self.shipped else self.name
