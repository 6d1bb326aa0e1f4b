"""Suppliers from a spreadsheet, checked by ``planning.purchasing.clean_supplier`` and saved by
``supplier_create`` / ``supplier_update`` (the rules of the supplier page). A row that repeats what
is stored is a duplicate; one that changes a stored supplier updates it (warned in the preview)."""

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhongshu.core.actors import Actor
from zhongshu.core.errors import ValidationFailed
from zhongshu.planning.models import Supplier
from zhongshu.planning.purchasing import clean_supplier, supplier_create, supplier_update

from .. import normalize as N
from ..models import ImportKind, RowStatus
from .base import Column, Kind, _cell, _err, _load, _master_code, _warn

FIELDS = ("name", "contact", "phone", "address", "payment_terms", "lead_time_days")


class SuppliersKind(Kind):
    slug = ImportKind.SUPPLIERS
    action = "planning.suppliers_edit"
    columns = (
        Column("code", "供应商编码", ("code", "supplier", "supplier_code", "供应商代码", "编码"),
               True, "S-001"),
        Column("name", "供应商名称", ("name", "名称", "供应商"), True, "宁波精密铸件有限公司"),
        Column("contact", "联系人", ("contact",), False, "陈经理"),
        Column("phone", "电话", ("phone", "手机", "联系电话"), False, "0574-87654321"),
        Column("address", "地址", ("address",), False, "浙江省宁波市北仑区"),
        Column("payment_terms", "付款条件", ("payment_terms", "付款方式", "账期"), False, "月结30天"),
        Column("lead_time_days", "采购提前期(天)", ("lead_time_days", "lead_time", "提前期", "交期(天)"),
               False, 15, gettext_lazy("Whole days from order to receipt; empty: 0.")),
    )  # fmt: skip

    def validate(self, actor: Actor, rows, headers, columns):
        H = (headers, columns)
        stored = _load(Supplier, "code", {N.text(_cell(r, columns, "code")).upper() for r in rows})
        seen: dict[str, int] = {}
        for row in rows:
            code = _master_code(row, H, seen, max_length=32)
            raw: dict[str, Any] = {f: N.text(_cell(row, columns, f)) for f in FIELDS}
            lead, msg = (0, None)
            if raw["lead_time_days"]:
                lead, msg = N.number(raw["lead_time_days"], places=0, min_zero=True)
            if msg:
                _err(row, *H, "lead_time_days", msg)
                lead = 0
            raw["lead_time_days"] = int(lead)
            try:
                clean = clean_supplier(raw)
            except ValidationFailed as exc:
                for e in exc.errors:
                    _err(row, *H, e["field"], e["message"])
                clean = raw
            row.data.update(code=code, **clean)
            row.key = code
            if row.errors:
                row.status = RowStatus.INVALID
                continue
            old = stored.get(code)
            if old is None:
                continue
            if all(getattr(old, f) == clean[f] for f in FIELDS) and old.active:
                row.status = RowStatus.DUPLICATE
                _warn(row, *H, "code",
                      _("Supplier %(code)s already exists; nothing to change.") % {"code": code})  # fmt: skip
            else:
                _warn(row, *H, "name", _("Updates supplier %(code)s.") % {"code": code})

    def commit(self, batch, actor: Actor, groups, *, strict: bool) -> int:
        from ..committing import commit_each

        def save(row):
            data = dict(row.data)
            code = data.pop("code")
            if Supplier.objects.filter(code=code).exists():
                supplier_update(actor=actor, code=code, active=True, **data)
            else:
                supplier_create(actor=actor, code=code, **data)

        return commit_each(batch, groups, strict=strict, save=save, error_field="code")
