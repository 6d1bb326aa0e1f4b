"""The dashboard and analytics in the main navigation."""

from zhongshu.core.navigation import nav_entry

nav_entry("dashboard", "dashboard.view")
nav_entry("analytics", "analytics.segments")
