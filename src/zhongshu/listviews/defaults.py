"""The views each role finds on the order list on day one, shared with the role: one click
above the list. None opens by itself — the bare list stays "all my orders" until a user (or an
administrator for a role) marks a view "open by default". Names are English msgids shown
translated (see ``SavedView.label``)."""

from django.utils.translation import gettext_noop

from .columns import DEFAULT_ORDER_COLUMNS

COLS = list(DEFAULT_ORDER_COLUMNS)
OPEN_WORK = ["confirmed", "scheduling", "in_production", "awaiting_qc"]

SHIPPED_VIEWS = [
    # (role, name, filters, sort, columns)
    ("planner", gettext_noop("Confirmed, not yet scheduled, by due date"),
     {"status": ["confirmed"]}, "due_date", COLS),
    ("planner", gettext_noop("In production, by due date"),
     {"status": ["scheduling", "in_production"]}, "due_date", COLS),
    ("sales", gettext_noop("Drafts and orders awaiting review"),
     {"status": ["draft", "pending_review"]}, "due_date", COLS),
    ("warehouse", gettext_noop("Awaiting QC and shipping, by due date"),
     {"status": ["awaiting_qc"]}, "due_date", COLS),
    ("qc", gettext_noop("Awaiting QC, by due date"),
     {"status": ["awaiting_qc"]}, "due_date", COLS),
    ("manager", gettext_noop("Open work, by due date"),
     {"status": OPEN_WORK}, "due_date", COLS),
    ("finance", gettext_noop("Shipped, not yet completed"),
     {"status": ["shipped"]}, "due_date", COLS),
    ("admin", gettext_noop("Open work, by due date"),
     {"status": OPEN_WORK}, "due_date", COLS),
]  # fmt: skip


def install(SavedView) -> None:
    for position, (role, name, filters, sort, columns) in enumerate(SHIPPED_VIEWS):
        SavedView.objects.update_or_create(
            list_name="orders",
            role=role,
            name=name,
            owner=None,
            defaults={
                "filters": filters,
                "sort": sort,
                "columns": columns,
                "is_default": False,
                "shipped": True,
                "position": position,
            },
        )
