"""What orders adds to the shared registries: its pages in the main navigation, its list to saved
views, orders and their lines in the audit trail."""

from django.db.models import CharField
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import gettext_lazy as _

from zhongshu.core.auditing import audited, code_of
from zhongshu.core.navigation import nav_entry
from zhongshu.listviews import lists

from . import selectors
from .models import Order, OrderLine

nav_entry("orders", "orders.view")

# saved views of the order list read their filters and sort as the list does
lists.register(
    "orders",
    parse_custom_filters=selectors.parse_custom_filters,
    parse_sort=selectors.parse_sort,
)

audited(
    Order,
    position=0,
    kind="order",
    kind_label=_("Orders"),
    code_lookup="number",
    label=lambda h: h.number,
    custom_entity="order",
)
audited(
    OrderLine,
    position=1,
    kind="line",
    kind_label=_("Order lines"),
    code_lookup="order_number",
    label=lambda h: f"{h.order_number} #{h.line_no}",
    # the order may be gone (deleted drafts): fall back to its id rather than lose the row
    annotate={
        "order_number": Coalesce(
            code_of(Order, "number", "order_id"), Cast("order_id", CharField())
        )
    },
    custom_entity="order_line",
)
