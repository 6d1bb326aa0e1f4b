"""The purchasing plan in the main navigation."""

from zhongshu.core.navigation import nav_entry

nav_entry("planning", "planning.view", "planning.po_view")
