"""The QC pages in the main navigation, and the QC panel of the order page."""

from zhongshu.core.navigation import nav_entry
from zhongshu.orders.panels import register

from .views import order_panel

nav_entry("qc", "qc.view")
register(order_panel)
