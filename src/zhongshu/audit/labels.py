"""Chinese names for the audited fields whose models name them only by their code (a field
without a ``verbose_name`` is called ``confirmed at`` by Django)."""

from django.utils.translation import gettext_lazy as _

FIELD_LABELS = {
    "cancelled_at": _("Cancelled at"),
    "completed_at": _("Completed at"),
    "confirmed_at": _("Confirmed at"),
    "created_at": _("Created at"),
    "created_by": _("Created by"),
    "logo": _("Logo"),
    "logo_type": _("Logo type"),
    "material": _("Material"),
    "order": _("Order"),
    "production_finished_at": _("Production finished at"),
    "production_started_at": _("Production started at"),
    "scheduled_at": _("Scheduled at"),
    "shipped_at": _("Shipped at"),
    "submitted_at": _("Submitted at"),
    "synced_at": _("Synced at"),
    "tplus_on_hand": _("On hand in T+"),
    "user": _("User"),
    "version": _("Version"),
    "warehouse": _("Warehouse"),
}


def field_label(model_field, name: str) -> str:
    """The field's own verbose name when it has one, else the name above, else the code."""
    verbose = str(getattr(model_field, "verbose_name", "") or "")
    if verbose and verbose != name.replace("_", " "):
        return verbose
    return str(FIELD_LABELS.get(name, verbose or name))
