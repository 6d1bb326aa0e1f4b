"""The sales channel pages in the main navigation."""

from zhongshu.core.navigation import nav_entry

nav_entry("channels", "channels.view")
