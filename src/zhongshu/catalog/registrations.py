"""What the catalogue adds to the shared registries: the material pages in the main navigation,
materials in the audit trail."""

from django.utils.translation import gettext_lazy as _

from zhongshu.core.auditing import audited
from zhongshu.core.navigation import nav_entry

from .models import Material

nav_entry("materials", "materials.view")

audited(
    Material,
    position=3,
    kind="material",
    kind_label=_("Materials"),
    code_lookup="code",
    label=lambda h: f"{h.code} {h.name}",
    custom_entity="material",
)
