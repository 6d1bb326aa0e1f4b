"""The sales channel pages in the main navigation, routing rules in the audit trail."""

from django.utils.translation import gettext_lazy as _

from zhongshu.core.auditing import audited
from zhongshu.core.navigation import nav_entry

from .models import AddressRegion, RoutingRule

nav_entry("channels", "channels.view")

audited(
    AddressRegion,
    position=16,
    kind="region",
    kind_label=_("Address routing"),
    code_lookup="province",
    label=lambda h: f"{h.province} {h.city}".strip(),
)
audited(
    RoutingRule,
    position=17,
    kind="routing_rule",
    kind_label=_("Routing rules"),
    code_lookup="name",
    label=lambda h: h.name,
)
