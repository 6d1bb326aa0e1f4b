"""The material list as a workbook: the same filtered rows as the list page and the API."""

from django.utils.translation import gettext_lazy as _

from zhongshu.accounts import permissions
from zhongshu.core import xlsx
from zhongshu.core.actors import Actor
from zhongshu.customfields.exports import columns as custom_columns
from zhongshu.customfields.exports import filter_params

from . import selectors
from .models import Fulfilment, MaterialKind

ENTITY = "material"


def material_export(
    *, actor: Actor, q: str = "", kind: str = "", custom_params=None
) -> xlsx.ListExport:
    permissions.require(actor, "materials.export")
    custom = selectors.custom_filters(actor=actor, params=custom_params or {})
    qs = selectors.material_list(actor=actor, q=q, kind=kind, custom=custom)
    kinds = {value: str(label) for value, label in MaterialKind.choices}
    fulfilment = {value: str(label) for value, label in Fulfilment.choices}
    cost_hidden = "standard_price" in permissions.hidden_fields(actor, ENTITY)
    price = xlsx.Column(_("Standard price"), lambda m: m.standard_price, xlsx.MONEY, 12)
    columns = [
        xlsx.Column(_("Code"), lambda m: m.code, width=14),
        xlsx.Column(_("Name"), lambda m: m.name, width=24),
        xlsx.Column(_("Specification"), lambda m: m.spec, width=24),
        xlsx.Column(_("Unit"), lambda m: m.unit, width=6),
        xlsx.Column(_("Kind"), lambda m: kinds.get(m.kind, m.kind), width=10),
        xlsx.Column(_("Fulfilment"), lambda m: fulfilment.get(m.fulfilment, m.fulfilment)),
        *([] if cost_hidden else [price]),
        xlsx.Column(_("Safety stock"), lambda m: m.safety_stock, xlsx.QTY, 12),
        xlsx.Column(_("Lead time (days)"), lambda m: m.lead_time_days, xlsx.INT, 10),
        xlsx.Column(_("Active"), lambda m: m.is_active, width=8),
        *custom_columns(actor, ENTITY),
    ]
    return xlsx.ListExport(
        kind="materials",
        title=_("Materials"),
        columns=columns,
        rows=qs.iterator(chunk_size=xlsx.CHUNK_SIZE),
        filters={"q": q, "kind": kind, **filter_params(custom_params)},
    )
