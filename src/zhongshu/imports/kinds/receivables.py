"""Opening receivables from a spreadsheet: what each customer owed on the day the system
started, one row per invoice or delivery note. Checked and entered by ``finance.opening``."""

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhongshu.core.actors import Actor

from .. import normalize as N
from ..models import ImportKind, RowStatus
from .base import Column, Kind, _cell, _err, _warn

FIELDS = {"customer": "customer", "document": "document", "issued_on": "issued_on",
          "amount": "amount", "due_on": "due_on"}  # fmt: skip


class ReceivablesKind(Kind):
    slug = ImportKind.RECEIVABLES
    action = "imports.receivables"
    columns = (
        Column("customer", "客户编码", ("customer", "customer_code", "客户代码", "客户"), True,
               "C-0001"),
        Column("document", "单据号", ("document", "单号", "发票号", "送货单号", "凭证号"), True,
               "FP-2026-0012", gettext_lazy("The invoice or delivery note; entered once.")),
        Column("issued_on", "单据日期", ("issued_on", "开票日期", "日期", "发货日期"), True,
               "2026年1月15日"),
        Column("amount", "金额", ("amount", "应收金额", "未收金额", "含税金额"), True, 12000,
               gettext_lazy("The amount still owed, incl. tax.")),
        Column("due_on", "到期日", ("due_on", "到期日期", "应收日期"), True, "2026年3月31日"),
    )  # fmt: skip

    def validate(self, actor: Actor, rows, headers, columns):
        from zhongshu.finance.opening import opening_receivable_errors

        H = (headers, columns)
        seen: dict[tuple, int] = {}
        for row in rows:
            data: dict[str, Any] = {
                "customer": N.text(_cell(row, columns, "customer")).upper(),
                "document": N.text(_cell(row, columns, "document")),
            }
            parsed = True
            for field in ("issued_on", "due_on"):
                day, msg = N.date(_cell(row, columns, field))
                if msg:
                    _err(row, *H, field, msg)
                    parsed = False
                data[field] = day.isoformat() if day else None
            amount, msg = N.number(_cell(row, columns, "amount"), places=2, positive=True)
            if msg:
                _err(row, *H, "amount", msg)
                parsed = False
            data["amount"] = str(amount) if amount is not None else None
            row.data.update(data)
            k = (data["customer"], data["document"])
            row.key = "|".join(k)
            if all(k) and k in seen:
                _err(row, *H, "document", _("Duplicate of row %(row)d.") % {"row": seen[k]})
            seen.setdefault(k, row.row_no)
            same = False
            if parsed:
                problems, same = opening_receivable_errors(
                    actor=actor, customer=data["customer"], document=data["document"],
                    issued_on=_day(data["issued_on"]), amount=amount, due_on=_day(data["due_on"]),
                )  # fmt: skip
                for p in problems:
                    _err(row, *H, FIELDS.get(p["field"], "document"), p["message"])
            if row.errors:
                row.status = RowStatus.INVALID
            elif same:
                row.status = RowStatus.DUPLICATE
                _warn(row, *H, "document",
                      _("This receivable is already entered; nothing to change."))  # fmt: skip

    def commit(self, batch, actor: Actor, groups, *, strict: bool) -> int:
        from zhongshu.finance.opening import opening_receivable_create

        from .grouped import commit_groups

        def save(group):
            d = group[0].data
            created = opening_receivable_create(
                actor=actor, customer=d["customer"], document=d["document"],
                issued_on=_day(d["issued_on"]), amount=d["amount"], due_on=_day(d["due_on"]),
            )  # fmt: skip
            return created is not None

        return commit_groups(batch, groups, strict=strict, save=save, error_field="document")


def _day(value):
    return dt.date.fromisoformat(value) if value else None
