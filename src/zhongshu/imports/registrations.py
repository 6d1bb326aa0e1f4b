"""The import pages in the main navigation."""

from zhongshu.core.navigation import nav_entry

nav_entry("imports", "imports.orders", "imports.customers", "imports.materials", "imports.stock")
