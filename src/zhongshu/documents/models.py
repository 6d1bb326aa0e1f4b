from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class CompanyProfile(models.Model):
    """Our company as printed at the head of every document: one row, kept by an administrator on
    the company page. A blank field falls back to the environment setting of the same name
    (``ZHONGSHU_COMPANY_NAME`` …), so an install configured that way keeps printing as before."""

    name = models.CharField(_("company name"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    tax_id = models.CharField(_("tax id"), max_length=30, blank=True)
    # the logo itself: small (at most 512 KB), read with every printed document
    logo = models.BinaryField(blank=True, default=b"")
    logo_type = models.CharField(max_length=20, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["logo"])

    class Meta:
        verbose_name = _("company")

    def __str__(self) -> str:
        return self.name
