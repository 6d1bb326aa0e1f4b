"""Receivables as a workbook: the same scoped, filtered rows as the list."""

from django.utils.translation import gettext_lazy as _

from zhongshu.core import xlsx
from zhongshu.core.actors import Actor

from . import selectors


def receivable_export(*, actor: Actor, customer: str = "", state: str = "") -> xlsx.ListExport:
    qs = selectors.receivable_list(actor=actor, customer=customer, state=state)
    columns = [
        xlsx.Column(_("Shipment number"), lambda r: r.reference, width=18),
        xlsx.Column(_("Order number"), lambda r: r.order_number, width=16),
        xlsx.Column(_("Customer code"), lambda r: r.customer.code, width=12),
        xlsx.Column(_("Customer"), lambda r: r.customer.name, width=24),
        xlsx.Column(_("Shipped on"), lambda r: r.issued_on, xlsx.DATE, 11),
        xlsx.Column(_("Due on"), lambda r: r.due_on, xlsx.DATE, 11),
        xlsx.Column(_("Amount (incl. tax)"), lambda r: r.amount, xlsx.MONEY, 14),
        xlsx.Column(_("Paid"), lambda r: r.allocated, xlsx.MONEY, 14),
        xlsx.Column(_("Outstanding"), lambda r: r.amount - r.allocated, xlsx.MONEY, 14),
    ]
    return xlsx.ListExport(
        kind="receivables",
        title=_("Receivables"),
        columns=columns,
        rows=qs.iterator(chunk_size=xlsx.CHUNK_SIZE),
        filters={"customer": customer, "state": state or "open"},
    )
