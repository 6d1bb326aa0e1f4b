"""Warehouses from a spreadsheet, checked and saved by ``inventory.warehouses`` (the same rules as
the warehouse page). A row that repeats what is stored is a duplicate; one that renames a stored
warehouse or makes it the default updates it (with a warning in the preview)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhongshu.core.actors import Actor
from zhongshu.core.validation import Errors
from zhongshu.inventory.models import Warehouse
from zhongshu.inventory.warehouses import clean_warehouse, warehouse_save

from .. import normalize as N
from ..models import ImportKind, RowStatus
from .base import Column, Kind, _cell, _err, _load, _warn

YES = {"是", "y", "yes", "true", "1", "默认", "√", "✓"}
NO = {"否", "n", "no", "false", "0", ""}


def yes_no(value) -> tuple[bool | None, str | None]:
    s = N.text(value).lower()
    if s in YES:
        return True, None
    if s in NO:
        return False, None
    return None, _("Enter 是 or 否.")


class WarehousesKind(Kind):
    slug = ImportKind.WAREHOUSES
    action = "inventory.warehouses_manage"
    columns = (
        Column("code", "仓库编码", ("code", "warehouse", "warehouse_code", "仓库代码", "编码"), True,
               "WH01"),
        Column("name", "仓库名称", ("name", "名称", "仓库"), True, "成品仓"),
        Column("is_default", "默认仓库", ("default", "is_default", "默认", "是否默认"), False, "是",
               gettext_lazy("是 for the warehouse orders reserve from; one warehouse only.")),
    )  # fmt: skip

    def validate(self, actor: Actor, rows, headers, columns):
        H = (headers, columns)
        stored = _load(Warehouse, "code", {N.text(_cell(r, columns, "code")).upper() for r in rows})
        seen: dict[str, int] = {}
        default_row = None
        for row in rows:
            errors = Errors()
            data = clean_warehouse(
                {"code": N.text(_cell(row, columns, "code")), "name": _cell(row, columns, "name")},
                errors,
                creating=True,
            )
            for e in errors.items:
                _err(row, *H, e["field"], e["message"])
            code = data["code"]
            if code and code in seen:
                _err(row, *H, "code", _("Duplicate of row %(row)d.") % {"row": seen[code]})
            elif code:
                seen[code] = row.row_no
            is_default, msg = yes_no(_cell(row, columns, "is_default"))
            if msg:
                _err(row, *H, "is_default", msg)
            elif is_default and default_row is not None:
                _err(row, *H, "is_default",
                     _("Row %(row)d is already the default warehouse.") % {"row": default_row})  # fmt: skip
            elif is_default:
                default_row = row.row_no
            row.data.update(code=code, name=data["name"], is_default=bool(is_default))
            row.key = code
            if row.errors:
                row.status = RowStatus.INVALID
                continue
            old = stored.get(code)
            if old is None:
                continue
            if old.name == data["name"] and (old.is_default or not is_default):
                row.status = RowStatus.DUPLICATE
                _warn(row, *H, "code",
                      _("Warehouse %(code)s already exists; nothing to change.") % {"code": code})  # fmt: skip
            else:
                _warn(row, *H, "name", _("Updates warehouse %(code)s.") % {"code": code})

    def commit(self, batch, actor: Actor, groups, *, strict: bool) -> int:
        from ..committing import commit_each

        return commit_each(
            batch,
            groups,
            strict=strict,
            save=lambda row: warehouse_save(actor=actor, **row.data),
            error_field="code",
        )
