"""What inventory adds to the shared registries: its pages in the main navigation, its
panel on the order page (stock of the lines, shipments), stock levels and warehouses in the audit
trail; warehouses and opening stock in the go-live checklist, the stock list as the warehouse's
home page."""

from django.utils.translation import gettext_lazy as _

from zhongshu.catalog.models import Material
from zhongshu.core.auditing import audited, code_of
from zhongshu.core.landing import landing
from zhongshu.core.navigation import nav_entry
from zhongshu.core.setup_steps import setup_step
from zhongshu.orders.panels import register

from .models import StockLevel, Warehouse
from .panels import order_panel

nav_entry("inventory", "inventory.view")
register(order_panel)

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

landing("warehouse", "inventory:stock_list", position=20)
setup_step(
    "warehouses",
    position=30,
    label=_("Warehouses (one is the default)"),
    count=lambda: Warehouse.objects.filter(is_active=True).count(),
    url="inventory:warehouse_list",
    done=lambda n: n > 0 and Warehouse.objects.filter(is_default=True, is_active=True).exists(),
)
setup_step(
    "opening_stock",
    position=110,
    label=_("Opening stock"),
    count=lambda: StockLevel.objects.exclude(on_hand=0).count(),
    url="imports:list",
)
