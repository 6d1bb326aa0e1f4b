"""After-sales cases as a workbook: the same scoped, filtered rows as the list."""

from django.utils.translation import gettext_lazy as _

from zhongshu.core import xlsx
from zhongshu.core.actors import Actor

from . import selectors


def case_export(*, actor: Actor, filters: selectors.CaseFilters) -> xlsx.ListExport:
    qs = selectors.case_list(actor=actor, filters=filters)
    columns = [
        xlsx.Column(_("Case"), lambda c: c.pk, xlsx.TEXT, 8),
        xlsx.Column(_("Opened"), lambda c: c.created_at, xlsx.DATETIME, 17),
        xlsx.Column(_("Order number"), lambda c: c.order.number, width=16),
        xlsx.Column(_("Customer"), lambda c: c.order.customer.name, width=24),
        xlsx.Column(_("Shipment number"), lambda c: c.shipment.number if c.shipment else ""),
        xlsx.Column(_("Material code"), lambda c: c.material.code if c.material else ""),
        xlsx.Column(_("Category"), lambda c: c.get_category_display(), width=10),
        xlsx.Column(_("Severity"), lambda c: c.get_severity_display(), width=10),
        xlsx.Column(_("Status"), lambda c: c.get_status_display(), width=10),
        xlsx.Column(_("Owner"), lambda c: c.owner.get_username() if c.owner else ""),
        xlsx.Column(_("Description"), lambda c: c.description, width=40),
        xlsx.Column(_("Resolution"), lambda c: c.resolution, width=40),
        xlsx.Column(_("Cost"), lambda c: c.cost, xlsx.MONEY, 12),
    ]
    return xlsx.ListExport(
        kind="aftersales_cases",
        title=_("After-sales cases"),
        columns=columns,
        rows=qs.iterator(chunk_size=xlsx.CHUNK_SIZE),
        filters={k: v for k, v in vars(filters).items() if v},
    )
