"""Counted stock levels from a spreadsheet: the difference is booked as an adjustment."""

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhongshu.catalog.models import Material
from zhongshu.core.actors import Actor
from zhongshu.inventory.models import StockLevel, Warehouse

from .. import normalize as N
from ..models import ImportKind, RowStatus
from .base import Column, Kind, _cell, _chunks, _err, _load, _warn


class StockKind(Kind):
    slug = ImportKind.STOCK
    action = "imports.stock"
    columns = (
        Column("warehouse", "仓库编码", ("warehouse", "仓库", "仓库代码"), False, "01",
               gettext_lazy("Empty: the default warehouse.")),
        Column("material", "物料编码", ("material", "物料代码", "料号", "编码"), True, "M-0001"),
        Column("quantity", "数量", ("quantity", "qty", "库存数量", "盘点数量", "实盘数量"), True, 120,
               gettext_lazy("The counted quantity on hand; the difference is booked as an adjustment.")),
    )  # fmt: skip

    def scope(self, row):
        return f"{row.data['warehouse']}|{row.data['material']}"  # its key also holds the quantity

    def validate(self, actor: Actor, rows, headers, columns):
        H = (headers, columns)
        warehouses = {w.code: w for w in Warehouse.objects.filter(is_active=True)}
        default = next((w for w in warehouses.values() if w.is_default), None)
        materials = _load(
            Material, "code", {N.text(_cell(r, columns, "material")).upper() for r in rows}
        )
        levels = {}
        for part in _chunks([m.pk for m in materials.values()]):
            for lv in StockLevel.objects.filter(material_id__in=part):
                levels[(lv.warehouse_id, lv.material_id)] = lv
        seen: dict[tuple, int] = {}
        for row in rows:
            wcode = N.text(_cell(row, columns, "warehouse")).upper()
            wh = warehouses.get(wcode) if wcode else default
            if wh is None:
                _err(
                    row,
                    *H,
                    "warehouse",
                    _("Unknown warehouse: %(code)s") % {"code": wcode}
                    if wcode
                    else _("There is no default warehouse; enter a warehouse code."),
                )
            mcode = N.text(_cell(row, columns, "material")).upper()
            material = materials.get(mcode)
            if not mcode:
                _err(row, *H, "material", _("This field is required."))
            elif material is None:
                _err(row, *H, "material", _("Unknown material: %(code)s") % {"code": mcode})
            qty, msg = N.number(_cell(row, columns, "quantity"), places=3, min_zero=True)
            if msg:
                _err(row, *H, "quantity", msg)
            level = levels.get((wh.pk, material.pk)) if wh and material else None
            if level is not None and qty is not None and qty < level.reserved:
                _err(
                    row,
                    *H,
                    "quantity",
                    _("Below the %(reserved)s reserved for confirmed orders.")
                    % {"reserved": level.reserved},
                )
            if wh and material:
                k = (wh.pk, material.pk)
                if k in seen:
                    _err(row, *H, "material", _("Duplicate of row %(row)d.") % {"row": seen[k]})
                else:
                    seen[k] = row.row_no
            row.data.update(
                warehouse=wh.code if wh else "",
                material=mcode,
                quantity=str(qty) if qty is not None else None,
            )
            row.key = f"{wh.code if wh else ''}|{mcode}|{qty}"
            if row.errors:
                row.status = RowStatus.INVALID
            elif qty == (level.on_hand if level else Decimal(0)):
                row.status = RowStatus.DUPLICATE
                _warn(
                    row,
                    *H,
                    "quantity",
                    _("Stock is already %(q)s; nothing to change.") % {"q": qty},
                )
