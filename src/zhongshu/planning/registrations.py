"""The purchasing plan in the main navigation; suppliers in the audit trail and the go-live
checklist."""

from django.utils.translation import gettext_lazy as _

from zhongshu.core.auditing import audited
from zhongshu.core.landing import landing
from zhongshu.core.navigation import nav_entry
from zhongshu.core.setup_steps import setup_step
from zhongshu.inventory.services import components

from . import mrp, po_approval  # noqa: F401  (po_approval registers its approval outcome)
from .models import Supplier

# open purchase orders count towards a make-to-order line's components at submit
components.receipts_from(mrp.load_po_supply)

nav_entry("planning", "planning.view", "planning.po_view")

audited(
    Supplier,
    position=14,
    kind="supplier",
    kind_label=_("Suppliers"),
    code_lookup="code",
    label=lambda h: f"{h.code} {h.name}",
)

landing("planner", "planning:suggestion_list", position=25)
landing("purchasing", "planning:purchase_order_list", position=25)
setup_step(
    "suppliers",
    position=75,
    label=_("Suppliers"),
    count=lambda: Supplier.objects.filter(active=True).count(),
    url="planning:supplier_list",
)
