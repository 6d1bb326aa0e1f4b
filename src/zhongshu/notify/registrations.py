"""The delivery log in the main navigation."""

from zhongshu.core.navigation import nav_entry

nav_entry("deliveries", "notifications.deliveries")
