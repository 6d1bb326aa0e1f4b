"""Materials from a spreadsheet, committed through ``catalog.services``."""

from typing import Any

from django.utils.translation import gettext as _

from zhongshu.catalog.models import Fulfilment, Material, MaterialKind
from zhongshu.catalog.services import clean_material
from zhongshu.core.actors import Actor

from .. import custom as C
from .. import normalize as N
from ..models import ImportKind, RowStatus
from .base import Column, Kind, _cell, _err, _load, _master_code, _master_texts, _warn
from .fieldrules import forbidden_columns, refuse_forbidden

TEXTS = ("name", "spec", "unit")  # checked by catalog.services.clean_material


class MaterialsKind(Kind):
    slug = ImportKind.MATERIALS
    entity = "material"
    action = "imports.materials"
    columns = (
        Column("code", "物料编码", ("code", "material_code", "物料代码", "料号", "编码"), True, "M-0001"),
        Column("name", "物料名称", ("name", "material_name", "名称", "品名"), True, "法兰盘"),
        Column("spec", "规格", ("spec", "规格型号", "型号"), False, "DN50"),
        Column("unit", "单位", ("unit",), False, "件"),
        Column("kind", "类型", ("kind", "物料类型"), False, ""),
        Column("fulfilment", "供货方式", ("fulfilment",), False, ""),
        Column("standard_price", "标准价", ("standard_price", "标准单价", "单价", "price"), False, "12.50"),
        Column("safety_stock", "安全库存", ("safety_stock",), False, "100"),
        Column("lead_time_days", "提前期", ("lead_time_days", "提前期天", "lead_time"), False, "7"),
    )  # fmt: skip

    def validate(self, actor: Actor, rows, headers, columns):
        H = (headers, columns)
        existing = _load(
            Material, "code", {N.text(_cell(r, columns, "code")).upper() for r in rows}
        )
        seen: dict[str, int] = {}
        custom_plan = C.plan(actor, self.slug, columns)
        forbidden = forbidden_columns(actor, "material", self.columns, columns)

        def clean(data, errors):
            clean_material(actor, data, creating=False, errors=errors)

        for row in rows:
            code = _master_code(row, H, seen, max_length=40)
            out: dict[str, Any] = {"code": code}
            custom = C.check_row(row, headers, columns, custom_plan, _err).get("material")
            if custom:
                out["custom"] = custom
            out.update(_master_texts(row, H, TEXTS, clean, keep_blank=False))
            refuse_forbidden(row, H, forbidden)
            for field, choices in (("kind", MaterialKind), ("fulfilment", Fulfilment)):
                if not N.is_blank(_cell(row, columns, field)):
                    out[field], msg = N.choice(_cell(row, columns, field), choices)
                    if msg:
                        _err(row, *H, field, msg)
            for field, places in (("standard_price", 2), ("safety_stock", 3)):
                if not N.is_blank(_cell(row, columns, field)):
                    value, msg = N.number(_cell(row, columns, field), places=places, min_zero=True)
                    if msg:
                        _err(row, *H, field, msg)
                    else:
                        out[field] = str(value)
            if not N.is_blank(_cell(row, columns, "lead_time_days")):
                value, msg = N.number(
                    _cell(row, columns, "lead_time_days"), places=0, min_zero=True
                )
                if msg or value > 3650:
                    _err(row, *H, "lead_time_days", _("Enter whole days between 0 and 3650."))
                else:
                    out["lead_time_days"] = int(value)
            row.data.update(out)
            row.key = code
            if row.errors:
                row.status = RowStatus.INVALID
            elif code in existing:
                row.status = RowStatus.DUPLICATE
                _warn(
                    row,
                    *H,
                    "code",
                    _("Material %(code)s already exists; row skipped.") % {"code": code},
                )
