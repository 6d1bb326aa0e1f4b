"""What customers adds to the shared registries: its pages in the main navigation, customers in
the audit trail."""

from django.utils.translation import gettext_lazy as _

from zhongshu.core.auditing import audited
from zhongshu.core.navigation import nav_entry

from .models import Customer

nav_entry("customers", "customers.view")

audited(
    Customer,
    position=2,
    kind="customer",
    kind_label=_("Customers"),
    code_lookup="code",
    label=lambda h: f"{h.code} {h.name}",
    custom_entity="customer",
)
