"""The order list as a workbook: the same scoped, filtered rows as the list page and the API."""

from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from django.utils.translation import gettext_lazy as _

from zhongshu.accounts import permissions
from zhongshu.core import xlsx
from zhongshu.core.actors import Actor
from zhongshu.customfields.exports import columns as custom_columns

from . import selectors
from .statuses import Channel, OrderStatus, PaymentTerms, Priority


def _labels(choices: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """Choice labels in the active language, translated once per export instead of per row."""
    return {value: str(label) for value, label in choices}


# the order field behind each column, for the field rules (custom columns are filtered upstream)
_FIELDS = (
    "number", "customer", "customer", "region", "status", "priority", "channel", "external_no",
    "due_date", "currency", "subtotal", "discount_rate", "tax_amount", "total_amount",
    "payment_terms", "sales_owner", "created_at", "note",
)  # fmt: skip


def order_export(*, actor: Actor, filters: selectors.OrderFilters) -> xlsx.ListExport:
    permissions.require(actor, "orders.export")
    qs = selectors.order_list(actor=actor, filters=filters)
    status, priority = _labels(OrderStatus.choices), _labels(Priority.choices)
    channel, terms = _labels(Channel.choices), _labels(PaymentTerms.choices)
    columns = [
        xlsx.Column(_("Order number"), lambda o: o.number, width=16),
        xlsx.Column(_("Customer code"), lambda o: o.customer.code, width=12),
        xlsx.Column(_("Customer"), lambda o: o.customer.name, width=24),
        xlsx.Column(_("Region"), lambda o: o.customer.region.name, width=10),
        xlsx.Column(_("Status"), lambda o: status.get(o.status, o.status), width=10),
        xlsx.Column(_("Priority"), lambda o: priority.get(o.priority, o.priority), width=8),
        xlsx.Column(_("Channel"), lambda o: channel.get(o.channel, o.channel), width=10),
        xlsx.Column(_("External number"), lambda o: o.external_no, width=16),
        xlsx.Column(_("Due date"), lambda o: o.due_date, xlsx.DATE, 12),
        xlsx.Column(_("Currency"), lambda o: o.currency, width=8),
        xlsx.Column(_("Subtotal"), lambda o: o.subtotal, xlsx.MONEY, 14),
        xlsx.Column(_("Discount (%)"), lambda o: o.discount_rate, xlsx.PERCENT, 10),
        xlsx.Column(_("Tax"), lambda o: o.tax_amount, xlsx.MONEY, 12),
        xlsx.Column(_("Total"), lambda o: o.total_amount, xlsx.MONEY, 14),
        xlsx.Column(_("Payment terms"), lambda o: terms.get(o.payment_terms, o.payment_terms)),
        xlsx.Column(_("Sales owner"), lambda o: o.sales_owner.get_username(), width=12),
        xlsx.Column(_("Created"), lambda o: o.created_at, xlsx.DATETIME, 17),
        xlsx.Column(_("Note"), lambda o: o.note, width=30),
    ]
    hidden = permissions.hidden_fields(actor, "order")
    columns = [c for c, name in zip(columns, _FIELDS, strict=True) if name not in hidden]
    columns += custom_columns(actor, "order")
    return xlsx.ListExport(
        kind="orders",
        title=_("Orders"),
        columns=columns,
        rows=qs.iterator(chunk_size=xlsx.CHUNK_SIZE),
        filters=asdict(filters),
    )
