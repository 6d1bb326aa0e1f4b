"""The sales channel pages in the main navigation."""

from django.utils.translation import gettext_lazy as _

from zhongshu.core.auditing import audited
from zhongshu.core.navigation import nav_entry

from .models import AddressRegion

nav_entry("channels", "channels.view")

audited(
    AddressRegion,
    position=16,
    kind="region",
    kind_label=_("Address routing"),
    code_lookup="province",
    label=lambda h: f"{h.province} {h.city}".strip(),
)
