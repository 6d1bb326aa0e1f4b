"""The production pages in the main navigation, the production panel of the order page, and the
floor's task changes in the audit trail."""

from django.db.models import CharField
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import gettext_lazy as _

from zhongshu.core.auditing import audited, code_of
from zhongshu.core.navigation import nav_entry
from zhongshu.orders.panels import register

from .models import Task, TaskSheet
from .views import order_panel

nav_entry("production", "production.view")
register(order_panel)

audited(
    Task,
    position=21,
    kind="task",
    kind_label=_("Production tasks"),
    code_lookup="sheet_number",
    label=lambda h: f"{h.sheet_number} #{h.sequence} {h.name}",
    annotate={
        "sheet_number": Coalesce(
            code_of(TaskSheet, "number", "sheet_id"), Cast("sheet_id", CharField())
        )
    },
)
