"""The customer list as a workbook: the same scoped, filtered rows as the list page and the API."""

from django.utils.translation import gettext_lazy as _

from zhongshu.accounts import permissions
from zhongshu.core import xlsx

from . import selectors
from .models import CustomerTier


def customer_export(*, actor, q: str = "", region: str = "") -> xlsx.ListExport:
    permissions.require(actor, "customers.export")
    qs = selectors.customer_list(actor=actor, q=q, region=region)
    tiers = {value: str(label) for value, label in CustomerTier.choices}
    columns = [
        xlsx.Column(_("Code"), lambda c: c.code, width=12),
        xlsx.Column(_("Name"), lambda c: c.name, width=28),
        xlsx.Column(_("Region"), lambda c: c.region.name, width=10),
        xlsx.Column(_("Tier"), lambda c: tiers.get(c.tier, c.tier), width=16),
        xlsx.Column(_("Contact"), lambda c: c.contact, width=12),
        xlsx.Column(_("Phone"), lambda c: c.phone, width=16),
        xlsx.Column(_("Address"), lambda c: c.address, width=36),
        xlsx.Column(_("Active"), lambda c: c.is_active, width=8),
    ]
    return xlsx.ListExport(
        kind="customers",
        title=_("Customers"),
        columns=columns,
        rows=qs.iterator(chunk_size=xlsx.CHUNK_SIZE),
        filters={"q": q, "region": region},
    )
