"""The import pages in the main navigation."""

from zhongshu.core.navigation import nav_entry

nav_entry("imports", "imports.orders", "imports.customers", "imports.materials", "imports.stock",
          "imports.users", "imports.routings", "imports.boms", "imports.qc_plans",
          "imports.open_stock", "imports.receivables")  # fmt: skip
