"""Purchase suggestions as a workbook: the same filtered rows as the list."""

from django.utils.translation import gettext_lazy as _

from zhongshu.accounts import permissions
from zhongshu.core import xlsx
from zhongshu.core.actors import Actor

from . import selectors


def suggestion_export(*, actor: Actor, filters: selectors.SuggestionFilters) -> xlsx.ListExport:
    permissions.require(actor, "planning.export")
    qs = selectors.suggestion_list(actor=actor, filters=filters)
    columns = [
        xlsx.Column(_("Material code"), lambda s: s.material.code, width=14),
        xlsx.Column(_("Material"), lambda s: s.material.name, width=24),
        xlsx.Column(_("Unit"), lambda s: s.material.unit, width=6),
        xlsx.Column(_("Suggested quantity"), lambda s: s.quantity, xlsx.QTY, 12),
        xlsx.Column(_("Net requirement"), lambda s: s.net_requirement, xlsx.QTY, 12),
        xlsx.Column(_("Order by"), lambda s: s.order_by, xlsx.DATE, 12),
        xlsx.Column(_("Need date"), lambda s: s.need_date, xlsx.DATE, 12),
        xlsx.Column(_("Reason"), lambda s: s.get_reason_display(), width=12),
        xlsx.Column(_("Late"), lambda s: s.late, width=6),
        xlsx.Column(_("Status"), lambda s: s.get_status_display(), width=10),
        xlsx.Column(_("Order lines"), lambda s: s.peg_count, xlsx.INT, 10),
        xlsx.Column(
            _("Purchase order"),
            lambda s: getattr(getattr(s, "purchase_order", None), "number", ""),
            width=16,
        ),
    ]
    return xlsx.ListExport(
        kind="purchase_suggestions",
        title=_("Purchase suggestions"),
        columns=columns,
        rows=qs.iterator(chunk_size=xlsx.CHUNK_SIZE),
        filters={"status": filters.status, "q": filters.q, "reason": filters.reason},
    )


def supplier_export(*, actor: Actor, q: str = "", active: bool | None = None) -> xlsx.ListExport:
    from . import purchasing_selectors

    permissions.require(actor, "planning.suppliers_export")
    qs = purchasing_selectors.supplier_list(actor=actor, q=q, active=active)
    columns = [
        xlsx.Column(_("Code"), lambda s: s.code, width=12),
        xlsx.Column(_("Name"), lambda s: s.name, width=24),
        xlsx.Column(_("Contact"), lambda s: s.contact, width=12),
        xlsx.Column(_("Phone"), lambda s: s.phone, width=14),
        xlsx.Column(_("Address"), lambda s: s.address, width=30),
        xlsx.Column(_("Payment terms"), lambda s: s.payment_terms, width=16),
        xlsx.Column(_("Lead time (days)"), lambda s: s.lead_time_days, xlsx.INT, 10),
        xlsx.Column(_("Active"), lambda s: s.active, width=6),
    ]
    return xlsx.ListExport(
        kind="suppliers",
        title=_("Suppliers"),
        columns=columns,
        rows=qs.iterator(chunk_size=xlsx.CHUNK_SIZE),
        filters={"q": q, "active": active},
    )
