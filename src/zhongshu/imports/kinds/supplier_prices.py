"""Supplier prices from a spreadsheet: one row per supplier, material and start of validity,
checked by ``planning.purchasing.clean_supplier_price`` (the rules of the price form) and saved by
``supplier_price_create`` / ``supplier_price_update``. A row equal to the stored price of the same
supplier, material and start is a duplicate (so importing a file twice creates nothing); a row
that changes it updates it (warned in the preview)."""

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhongshu.catalog.models import Material
from zhongshu.core.actors import Actor
from zhongshu.core.errors import ValidationFailed
from zhongshu.planning.models import Supplier, SupplierPrice
from zhongshu.planning.purchasing import (
    PRICE_FIELDS,
    clean_supplier_price,
    supplier_price_create,
    supplier_price_update,
)

from .. import normalize as N
from ..models import ImportKind, RowStatus
from .base import Column, Heads, Kind, _cell, _err, _load, _warn

YES = {"是", "y", "yes", "true", "1", "首选", "√", "✓"}
NO = {"", "否", "n", "no", "false", "0"}
HUNDRED = Decimal(100)


def _tax_rate(value) -> tuple[Decimal | None, str | None]:
    """13%, 13 and 0.13 all mean 13 % (a figure above 1 is read as percent)."""
    text = N.text(value)
    if not text:
        return Decimal("0.13"), None
    percent = text.endswith(("%", "％"))
    number, msg = N.number(text.rstrip("%％"), places=4, min_zero=True)
    if msg or number is None:
        return None, msg
    if percent or number >= 1:
        number = number / HUNDRED
    return number, None


def _preferred(value) -> bool | None:
    text = N.text(value).lower()
    if text in YES:
        return True
    return False if text in NO else None


class SupplierPricesKind(Kind):
    slug = ImportKind.SUPPLIER_PRICES
    action = "planning.suppliers_edit"
    columns = (
        Column("supplier", "供应商编码", ("supplier", "supplier_code", "供应商", "供应商代码"), True,
               "S-001"),
        Column("material", "物料编码", ("material", "material_code", "物料", "料号", "物料代码"), True,
               "R-2001"),
        Column("price", "单价", ("price", "unit_price", "价格", "采购单价", "单价(元)"), True, "12.50"),
        Column("currency", "币种", ("currency", "货币"), False, "CNY",
               gettext_lazy("Three letters; empty: CNY.")),
        Column("tax_rate", "税率", ("tax_rate", "tax", "增值税率"), False, "13%",
               gettext_lazy("13%, 13 or 0.13; empty: 13%.")),
        Column("min_order_qty", "最小起订量", ("min_order_qty", "moq", "起订量"), False, 100),
        Column("lead_time_days", "采购提前期(天)", ("lead_time_days", "lead_time", "提前期", "交期(天)"),
               False, 15),
        Column("valid_from", "生效日期", ("valid_from", "开始日期", "有效期自"), True, "2026-01-01"),
        Column("valid_to", "失效日期", ("valid_to", "结束日期", "有效期至"), False, "2026-12-31",
               gettext_lazy("Empty: valid until further notice.")),
        Column("preferred", "首选", ("preferred", "是否首选", "优选"), False, "是",
               gettext_lazy("是 or 否; empty: 否.")),
    )  # fmt: skip

    def validate(self, actor: Actor, rows, headers, columns):
        H = (headers, columns)
        suppliers = _load(Supplier, "code", {self._code(r, columns, "supplier") for r in rows})
        materials = _load(Material, "code", {self._code(r, columns, "material") for r in rows})
        stored = {
            (p.supplier_id, p.material_id, p.valid_from): p
            for p in SupplierPrice.objects.filter(
                supplier__in=list(suppliers.values()), material__in=list(materials.values())
            )
        }
        seen: dict[tuple, int] = {}
        for row in rows:
            data = self._row_data(row, H, suppliers, materials)
            if row.errors:
                row.status = RowStatus.INVALID
                continue
            key = (data["supplier_id"], data["material_id"], data["valid_from"])
            if key in seen:
                _err(row, *H, "supplier", _("Duplicate of row %(row)d.") % {"row": seen[key]})
                row.status = RowStatus.INVALID
                continue
            seen[key] = row.row_no
            row.key = f"{data['supplier']}/{data['material']}/{data['valid_from']}"
            row.data.update({k: str(v) if isinstance(v, Decimal) else v for k, v in data.items()})
            row.data["valid_from"] = data["valid_from"].isoformat()
            row.data["valid_to"] = data["valid_to"].isoformat() if data["valid_to"] else ""
            old = stored.get(key)
            if old is None:
                continue
            row.data["price_id"] = old.pk
            if all(getattr(old, f) == data[f] for f in PRICE_FIELDS):
                row.status = RowStatus.DUPLICATE
                _warn(row, *H, "price", _("This price is already stored; nothing to change."))
            else:
                _warn(row, *H, "price", _("Updates the stored price of this supplier, material and start date."))  # fmt: skip

    @staticmethod
    def _code(row, columns, field) -> str:
        return N.text(_cell(row, columns, field)).upper()

    def _row_data(self, row, H: Heads, suppliers: dict, materials: dict) -> dict:
        columns = H[1]
        supplier = suppliers.get(self._code(row, columns, "supplier"))
        material = materials.get(self._code(row, columns, "material"))
        for field, found, message in (("supplier", supplier, _("Unknown supplier.")),
                                      ("material", material, _("Unknown material."))):  # fmt: skip
            if not N.text(_cell(row, columns, field)):
                _err(row, *H, field, _("This field is required."))
            elif found is None:
                _err(row, *H, field, message)
        raw: dict = {}
        for field, places in (("price", 4), ("min_order_qty", 3), ("lead_time_days", 0)):
            cell = _cell(row, columns, field)
            if N.is_blank(cell) and field != "price":
                continue
            raw[field], msg = N.number(cell, places=places, min_zero=True)
            if msg:
                _err(row, *H, field, msg)
        if "lead_time_days" in raw and raw["lead_time_days"] is not None:
            raw["lead_time_days"] = int(raw["lead_time_days"])
        raw["tax_rate"], msg = _tax_rate(_cell(row, columns, "tax_rate"))
        if msg:
            _err(row, *H, "tax_rate", msg)
        raw["currency"] = N.text(_cell(row, columns, "currency")) or "CNY"
        for field in ("valid_from", "valid_to"):
            cell = _cell(row, columns, field)
            if field == "valid_to" and N.is_blank(cell):
                raw[field] = None
                continue
            raw[field], msg = N.date(cell)
            if msg:
                _err(row, *H, field, msg)
        raw["preferred"] = _preferred(_cell(row, columns, "preferred"))
        if raw["preferred"] is None:
            _err(row, *H, "preferred", _("Enter 是 or 否."))
        if row.errors:
            return {}
        try:
            clean = clean_supplier_price(raw)
        except ValidationFailed as exc:
            for e in exc.errors:
                _err(row, *H, e["field"], e["message"])
            return {}
        assert supplier is not None and material is not None
        return {**clean, "supplier": supplier.code, "material": material.code,
                "supplier_id": supplier.pk, "material_id": material.pk}  # fmt: skip

    def commit(self, batch, actor: Actor, groups, *, strict: bool) -> int:
        from ..committing import commit_each

        def save(row):
            data = {f: row.data[f] for f in PRICE_FIELDS}
            data["valid_to"] = data["valid_to"] or None
            if row.data.get("price_id"):
                supplier_price_update(actor=actor, price_id=row.data["price_id"], **data)
            else:
                supplier_price_create(actor=actor, supplier=row.data["supplier"],
                                      material=row.data["material"], **data)  # fmt: skip

        return commit_each(batch, groups, strict=strict, save=save, error_field="price")
