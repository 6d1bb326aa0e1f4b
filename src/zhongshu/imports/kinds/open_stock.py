"""Opening stock from a spreadsheet: the quantity of each material in each warehouse on the day
the system starts, booked once as an opening-balance movement by ``inventory.opening``."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhongshu.core.actors import Actor

from .. import normalize as N
from ..models import ImportKind, RowStatus
from .base import Column, Kind, _cell, _err, _warn

FIELDS = {"material": "material", "warehouse": "warehouse", "quantity": "quantity"}


class OpenStockKind(Kind):
    slug = ImportKind.OPEN_STOCK
    action = "imports.open_stock"
    columns = (
        Column("warehouse", "仓库编码", ("warehouse", "仓库", "仓库代码"), False, "01",
               gettext_lazy("Empty: the default warehouse.")),
        Column("material", "物料编码", ("material", "物料代码", "料号", "编码"), True, "R-2001"),
        Column("quantity", "期初数量", ("quantity", "qty", "数量", "结存数量"), True,
               500, gettext_lazy("The quantity on hand on the opening day.")),
        Column("as_of", "期初日期", ("as_of", "日期", "盘点日期"), False, "2026年3月1日",
               gettext_lazy("The day the balance stands at; kept with the movement.")),
    )  # fmt: skip

    def validate(self, actor: Actor, rows, headers, columns):
        from zhongshu.inventory.exceptions import NoDefaultWarehouse
        from zhongshu.inventory.opening import opening_balance_errors

        H = (headers, columns)
        seen: dict[tuple, int] = {}
        for row in rows:
            wcode = N.text(_cell(row, columns, "warehouse")).upper()
            mcode = N.text(_cell(row, columns, "material")).upper()
            qty, msg = N.number(_cell(row, columns, "quantity"), places=3, min_zero=True)
            if msg:
                _err(row, *H, "quantity", msg)
            as_of = None
            if not N.is_blank(_cell(row, columns, "as_of")):
                as_of, msg = N.date(_cell(row, columns, "as_of"))
                if msg:
                    _err(row, *H, "as_of", msg)
            already = False
            if qty is not None and mcode:
                try:
                    problems, already = opening_balance_errors(
                        actor=actor, material=mcode, quantity=qty, warehouse=wcode or None
                    )
                except NoDefaultWarehouse:
                    problems = [{"field": "warehouse",
                                 "message": _("There is no default warehouse; enter a warehouse "
                                              "code.")}]  # fmt: skip
                for p in problems:
                    _err(row, *H, FIELDS.get(p["field"], "quantity"), p["message"])
            elif not mcode:
                _err(row, *H, "material", _("This field is required."))
            k = (wcode, mcode)
            if mcode and k in seen:
                _err(row, *H, "material", _("Duplicate of row %(row)d.") % {"row": seen[k]})
            seen.setdefault(k, row.row_no)
            row.data.update(warehouse=wcode, material=mcode,
                            quantity=str(qty) if qty is not None else None,
                            as_of=as_of.isoformat() if as_of else None)  # fmt: skip
            row.key = f"{wcode}|{mcode}"
            if row.errors:
                row.status = RowStatus.INVALID
            elif already:
                row.status = RowStatus.DUPLICATE
                _warn(row, *H, "quantity",
                      _("This opening balance is already booked; nothing to change."))  # fmt: skip

    def commit(self, batch, actor: Actor, groups, *, strict: bool) -> int:
        import datetime as dt

        from zhongshu.inventory.opening import opening_balance_set

        from .grouped import commit_groups

        def save(group):
            d = group[0].data
            movement = opening_balance_set(
                actor=actor, material=d["material"], quantity=d["quantity"],
                warehouse=d["warehouse"] or None,
                as_of=dt.date.fromisoformat(d["as_of"]) if d["as_of"] else None,
            )  # fmt: skip
            return movement is not None

        return commit_groups(batch, groups, strict=strict, save=save, error_field="quantity")
