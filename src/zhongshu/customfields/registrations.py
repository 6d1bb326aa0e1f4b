"""Custom field settings in the main navigation."""

from zhongshu.core.navigation import nav_entry

nav_entry("customfields", "customfields.manage")
