"""What inventory adds to the shared registries: its pages in the main navigation, stock levels
and warehouses in the audit trail."""

from django.utils.translation import gettext_lazy as _

from zhongshu.catalog.models import Material
from zhongshu.core.auditing import audited, code_of
from zhongshu.core.navigation import nav_entry

from .models import StockLevel, Warehouse

nav_entry("inventory", "inventory.view")

audited(
    StockLevel,
    position=4,
    kind="stock",
    kind_label=_("Stock"),
    code_lookup="material_code",
    label=lambda h: f"{h.material_code} @ {h.warehouse_code}",
    annotate={
        "material_code": code_of(Material, "code", "material_id"),
        "warehouse_code": code_of(Warehouse, "code", "warehouse_id"),
    },
)
audited(
    Warehouse,
    position=5,
    kind="stock",
    kind_label=_("Stock"),
    code_lookup="code",
    label=lambda h: f"{h.code} {h.name}",
)
