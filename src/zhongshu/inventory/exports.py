"""Stock levels and shipments as workbooks: the same scoped, filtered rows as their lists."""

from django.utils.translation import gettext_lazy as _

from zhongshu.accounts import permissions
from zhongshu.core import xlsx
from zhongshu.core.actors import Actor

from . import selectors


def level_export(
    *, actor: Actor, q: str = "", warehouse: str = "", below_safety: bool = False
) -> xlsx.ListExport:
    permissions.require(actor, "inventory.export")
    qs = selectors.level_list(actor=actor, q=q, warehouse=warehouse, below_safety=below_safety)
    columns = [
        xlsx.Column(_("Material code"), lambda s: s.material.code, width=14),
        xlsx.Column(_("Material"), lambda s: s.material.name, width=24),
        xlsx.Column(_("Unit"), lambda s: s.material.unit, width=6),
        xlsx.Column(_("Warehouse"), lambda s: s.warehouse.code, width=10),
        xlsx.Column(_("Warehouse name"), lambda s: s.warehouse.name, width=14),
        xlsx.Column(_("On hand"), lambda s: s.on_hand, xlsx.QTY, 12),
        xlsx.Column(_("Reserved"), lambda s: s.reserved, xlsx.QTY, 12),
        xlsx.Column(_("Available"), lambda s: s.available_qty, xlsx.QTY, 12),
        xlsx.Column(_("Safety stock"), lambda s: s.material.safety_stock, xlsx.QTY, 12),
        xlsx.Column(
            _("Below safety stock"),
            lambda s: s.available_qty < s.material.safety_stock,
            width=10,
        ),
        xlsx.Column(_("T+ synced at"), lambda s: s.synced_at, xlsx.DATETIME, 17),
    ]
    return xlsx.ListExport(
        kind="stock",
        title=_("Stock levels"),
        columns=columns,
        rows=qs.iterator(chunk_size=xlsx.CHUNK_SIZE),
        filters={"q": q, "warehouse": warehouse, "below_safety": below_safety},
    )


def shipment_export(*, actor: Actor, order: str = "") -> xlsx.ListExport:
    permissions.require(actor, "orders.export")
    qs = selectors.shipment_list(actor=actor, order=order)
    columns = [
        xlsx.Column(_("Shipment number"), lambda s: s.number, width=18),
        xlsx.Column(_("Order number"), lambda s: s.order.number, width=16),
        xlsx.Column(_("Customer code"), lambda s: s.order.customer.code, width=12),
        xlsx.Column(_("Customer"), lambda s: s.order.customer.name, width=24),
        xlsx.Column(_("Carrier"), lambda s: s.carrier, width=12),
        xlsx.Column(_("Tracking number"), lambda s: s.tracking_no, width=18),
        xlsx.Column(_("Shipped"), lambda s: s.shipped_at, xlsx.DATETIME, 17),
        xlsx.Column(_("Shipped by"), lambda s: s.shipped_by.get_username() if s.shipped_by else ""),
    ]
    return xlsx.ListExport(
        kind="shipments",
        title=_("Shipments"),
        columns=columns,
        rows=qs.iterator(chunk_size=xlsx.CHUNK_SIZE),
        filters={"order": order},
    )
