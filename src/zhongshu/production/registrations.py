"""The production pages in the main navigation, and the production panel of the order page."""

from zhongshu.core.navigation import nav_entry
from zhongshu.orders.panels import register

from .views import order_panel

nav_entry("production", "production.view")
register(order_panel)
