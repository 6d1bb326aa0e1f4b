"""The columns a saved view of the order list may show: the built-in ones and every custom field
of orders (``cf_<key>``) the reader may see."""

from django.utils.translation import gettext_lazy as _

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor
from zhongshu.customfields import selectors as custom_fields

ORDER_COLUMNS = {
    "number": _("Order number"),
    "customer": _("Customer"),
    "region": _("Region"),
    "status": _("Status"),
    "priority": _("Priority"),
    "due_date": _("Due date"),
    "total": _("Total"),
    "sales_owner": _("Sales owner"),
    "channel": _("Channel"),
    "external_no": _("External number"),
    "created": _("Created"),
}
DEFAULT_ORDER_COLUMNS = [
    "number", "customer", "region", "status", "priority", "due_date", "total", "sales_owner",
]  # fmt: skip
# list URL parameters a view may keep (the custom ones are cf_<key>…)
ORDER_FILTER_PARAMS = {
    "q", "customer", "priority", "due_from", "due_to", "created_from", "created_to", "status",
    "channel", "queue", "tag",
}  # fmt: skip


def available(actor: Actor, list_name: str = "orders") -> dict[str, str]:
    """Column name → label, for the columns this reader may show."""
    out = {name: str(label) for name, label in ORDER_COLUMNS.items()}
    if permissions.field_level(actor, "amounts") == "hidden":
        del out["total"]  # the reader's roles hide the amounts
    for defn in custom_fields.visible(actor, "order"):
        out[defn.param] = defn.label
    return out
