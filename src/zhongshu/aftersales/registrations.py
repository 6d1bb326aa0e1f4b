"""The after-sales pages in the main navigation."""

from zhongshu.core.navigation import nav_entry

nav_entry("aftersales", "aftersales.view")
