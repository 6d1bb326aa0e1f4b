"""The audit trail in the main navigation."""

from zhongshu.core.navigation import nav_entry

nav_entry("audit", "audit.view")
