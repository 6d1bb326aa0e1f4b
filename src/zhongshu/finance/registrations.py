"""The finance pages in the main navigation."""

from zhongshu.core.navigation import nav_entry

nav_entry("finance", "finance.reconciliation")
