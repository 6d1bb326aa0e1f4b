"""The customer list as a workbook: the same scoped, filtered rows as the list page and the API."""

from django.utils.translation import gettext_lazy as _

from zhongshu.accounts import permissions
from zhongshu.core import xlsx
from zhongshu.core.actors import Actor
from zhongshu.customfields.exports import columns as custom_columns
from zhongshu.customfields.exports import filter_params

from . import selectors
from .models import CustomerTier

ENTITY = "customer"


def contact_columns(hidden: set[str]) -> list[xlsx.Column]:
    """The contact columns the reader sees (a hidden group's columns are left out)."""
    columns = {
        "contact": xlsx.Column(_("Contact"), lambda c: c.contact, width=12),
        "phone": xlsx.Column(_("Phone"), lambda c: c.phone, width=16),
        "address": xlsx.Column(_("Address"), lambda c: c.address, width=36),
    }
    return [column for name, column in columns.items() if name not in hidden]


def customer_export(
    *, actor: Actor, q: str = "", region: str = "", custom_params=None
) -> xlsx.ListExport:
    permissions.require(actor, "customers.export")
    custom = selectors.custom_filters(actor=actor, params=custom_params or {})
    qs = selectors.customer_list(actor=actor, q=q, region=region, custom=custom)
    tiers = {value: str(label) for value, label in CustomerTier.choices}
    hidden = permissions.hidden_fields(actor, ENTITY)
    columns = [
        xlsx.Column(_("Code"), lambda c: c.code, width=12),
        xlsx.Column(_("Name"), lambda c: c.name, width=28),
        xlsx.Column(_("Region"), lambda c: c.region.name, width=10),
        xlsx.Column(_("Tier"), lambda c: tiers.get(c.tier, c.tier), width=16),
        *contact_columns(hidden),
        xlsx.Column(_("Active"), lambda c: c.is_active, width=8),
        *custom_columns(actor, ENTITY),
    ]
    return xlsx.ListExport(
        kind="customers",
        title=_("Customers"),
        columns=columns,
        rows=qs.iterator(chunk_size=xlsx.CHUNK_SIZE),
        filters={"q": q, "region": region, **filter_params(custom_params)},
    )
