"""Order history from a spreadsheet: the orders of the years before go-live, closed, with their
real dates (SPEC §8, §9). One order per (customer, external number), a line per row, as in the
order import; written by ``orders.services.history`` (no hooks: no rules, notifications,
reservations, task sheets or channel reports) and, for shipped orders, a shipment of the day it
happened that moves no stock (``inventory.history``). ``ImportedOrder`` makes a second import of
the same rows a no-op, here as for the order import."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor
from zhongshu.core.bulk import Inserter
from zhongshu.core.errors import ValidationFailed
from zhongshu.inventory.history import shipments_record_history
from zhongshu.orders.models import money
from zhongshu.orders.services.history import (
    PastLine,
    PastOrder,
    orders_record_history,
    timeline_problems,
)
from zhongshu.orders.services.rules import amount_problem

from .. import normalize as N
from ..committing import _reject
from ..models import ImportedOrder, ImportKind, RowStatus
from .base import Column, Heads, Kind, Staged, _cell, _chunks, _err, _warn
from .fieldrules import forbidden_message, label_of
from .rowcheck import OrderRowCheck

# order-level fields: every row of one order must agree on them
DATES = ("ordered_on", "due_date", "confirmed_on", "shipped_on", "completed_on", "cancelled_on")
ORDER_FIELDS = (*DATES, "priority", "sales_owner")
YES = {"是", "已取消", "取消", "y", "yes", "true", "1", "x", "√"}
NO = {"否", "", "n", "no", "false", "0"}


class HistoryKind(Kind):
    slug = ImportKind.HISTORY
    entity = "order"
    action = "imports.orders"
    grouped = True  # the rows of one order are committed together
    columns = (
        Column("external_no", "外部单号",
               ("external_no", "订单号", "原单号", "原订单号", "外部订单号", "客户单号", "单号",
                "order_no"),
               True, "PO-2024-0001", gettext_lazy("Rows with the same number form one order.")),
        Column("customer", "客户编码", ("customer", "customer_code", "客户代码", "客户"), True,
               "C-EAST"),
        Column("ordered_on", "下单日期",
               ("order_date", "ordered_on", "订单日期", "下单日", "接单日期", "日期"), True,
               "2024-03-05"),
        Column("due_date", "交期", ("due_date", "due", "交货日期", "交货期", "交付日期", "要求交期"),
               True, "2024-03-25"),
        Column("confirmed_on", "确认日期", ("confirmed_on", "confirmed", "审核日期"), False,
               "2024-03-06"),
        Column("shipped_on", "发货日期", ("shipped_on", "shipped", "出货日期", "发运日期"), False,
               "2024-03-22", gettext_lazy("Shipped orders: the day the goods left.")),
        Column("completed_on", "完成日期", ("completed_on", "completed", "结案日期", "关闭日期"),
               False, "2024-03-28", gettext_lazy("Empty: the day it shipped.")),
        Column("cancelled_on", "取消日期", ("cancelled_on", "cancelled", "作废日期"), False, "",
               gettext_lazy("Cancelled orders: the day they were cancelled.")),
        Column("cancelled", "已取消", ("is_cancelled", "是否取消"), False, "",
               gettext_lazy("是 when cancelled without a known day (the order date is used).")),
        Column("material", "物料编码",
               ("material", "material_code", "物料代码", "料号", "物料", "产品编码", "sku"),
               True, "M-001"),
        Column("quantity", "数量", ("quantity", "qty", "订货数量", "订单数量"), True, 10),
        Column("unit_price", "单价", ("unit_price", "price", "价格", "含税单价"), False, "12.50",
               gettext_lazy("Empty: the amount divided by the quantity, else the standard price.")),
        Column("amount", "金额", ("amount", "line_amount", "行金额", "金额(元)"), False, "125.00",
               gettext_lazy("Quantity × unit price, before tax; checked against them.")),
        Column("priority", "优先级", ("priority",), False, "普通"),
        Column("sales_owner", "业务员", ("sales_owner", "salesperson", "销售", "业务", "负责人"),
               False, "", gettext_lazy("Login name of the sales owner; empty: you.")),
    )  # fmt: skip

    def validate(self, actor: Actor, rows, headers, columns):
        check = _Check(actor, rows, (headers, columns))
        groups: dict[tuple, list[Staged]] = defaultdict(list)
        for row in rows:
            key = check.row(row)
            if key is not None:
                groups[key].append(row)
            if row.errors:
                row.status = RowStatus.INVALID
        check.groups(groups)

    def commit(self, batch, actor: Actor, groups, *, strict: bool) -> int:
        return commit_history(batch, actor, groups, strict=strict)


class _Check(OrderRowCheck):
    """The checks of one row of the history import (dates, amounts, the sales owner)."""

    def __init__(self, actor: Actor, rows, H: Heads):
        super().__init__(actor, rows, H)
        self.dates: dict = {}
        names = {N.text(_cell(r, H[1], "sales_owner")) for r in rows} - {""}
        self.owners = {
            u.get_username(): u
            for u in get_user_model().objects.filter(username__in=names, is_active=True)
        }

    def row(self, row: Staged) -> tuple | None:
        H = self.H
        ext = self.external_no(row)
        customer = self.lookup(row, "customer", self.customers)
        material = self.lookup(row, "material", self.materials)
        qty = self.quantity(row)
        price = self.price(row, material, qty)
        if qty is not None and price is not None and amount_problem(qty, price):
            _err(row, *H, "quantity", amount_problem(qty, price))
        dates = {name: self.date(row, name) for name in DATES}
        for name in ("ordered_on", "due_date"):
            if N.is_blank(self.cell(row, name)):
                _err(row, *H, name, _("This field is required."))
        if dates["cancelled_on"] is None and self.cancelled(row):
            dates["cancelled_on"] = dates["ordered_on"]
        row.data.update(
            external_no=ext,
            customer_id=customer.pk if customer else None,
            material_id=material.pk if material else None,
            fulfilment=material.fulfilment if material else "",
            quantity=str(qty) if qty is not None else None,
            unit_price=str(price) if price is not None else None,
            priority=self.priority(row),
            sales_owner=self.owner(row),
            **{k: v.isoformat() if v else None for k, v in dates.items()},
        )
        if customer is None or not ext:
            return None
        row.key = f"{customer.pk}|{ext}"
        return (customer.pk, ext)

    def lookup(self, row, field, found):
        """A customer (in the importer's regions) or material by code. An inactive one is
        fine: a customer lost or a product dropped since was real when the order was."""
        code = N.text(self.cell(row, field)).upper()
        obj = found.get(code)
        if not code:
            _err(row, *self.H, field, _("This field is required."))
        elif obj is None and field == "customer":
            _err(row, *self.H, field,
                 _("Unknown customer, or not in your regions: %(code)s") % {"code": code})  # fmt: skip
        elif obj is None:
            _err(row, *self.H, field, _("Unknown material: %(code)s") % {"code": code})
        return obj

    def price(self, row, material, qty):
        cell, amount_cell = self.cell(row, "unit_price"), self.cell(row, "amount")
        amount = None
        if not N.is_blank(amount_cell) and not self.may_price:
            # an amount sets the price as surely as the price column does
            _err(row, *self.H, "amount", forbidden_message(label_of(HistoryKind.columns, "amount")))  # fmt: skip
        elif not N.is_blank(amount_cell):
            amount, msg = self.number(amount_cell, places=2, min_zero=True)
            if msg:
                _err(row, *self.H, "amount", msg)
        if N.is_blank(cell):
            if amount is not None and qty:
                return (amount / qty).quantize(Decimal("0.01"))
            return material.standard_price if material is not None else None
        if not self.may_price:  # the price group's edit right (docs/permissions.md)
            _err(row, *self.H, "unit_price", forbidden_message(label_of(HistoryKind.columns, "unit_price")))  # fmt: skip
            return None
        price, msg = self.number(cell, places=2, min_zero=True)
        if msg:
            _err(row, *self.H, "unit_price", msg)
        elif amount is not None and qty is not None and abs(money(qty * price) - amount) > 1:
            _err(row, *self.H, "amount",
                 _("%(amount)s does not match quantity × unit price (%(expected)s).")
                 % {"amount": amount, "expected": money(qty * price)})  # fmt: skip
        return price

    def date(self, row, field) -> dt.date | None:
        cell = self.cell(row, field)
        # six dates a row, a few thousand distinct days in a file: parse each spelling once
        try:
            key = (type(cell), cell)
            value, msg = self.dates[key]
        except KeyError:
            value, msg = self.dates[key] = _parse_date(cell)
        except TypeError:  # a cell that cannot be a key
            value, msg = _parse_date(cell)
        if msg:
            _err(row, *self.H, field, msg)
            return None
        return value

    def cancelled(self, row) -> bool:
        text = N.text(self.cell(row, "cancelled")).lower()
        if text in YES:
            return True
        if text not in NO:
            _err(row, *self.H, "cancelled", _("Write 是 or leave empty."))
        return False

    def owner(self, row) -> int | None:
        name = N.text(self.cell(row, "sales_owner"))
        if not name:
            return None
        user = self.owners.get(name)
        if user is None:
            _err(row, *self.H, "sales_owner", _("Unknown or inactive user: %(u)s") % {"u": name})
            return None
        return user.pk

    def groups(self, groups: dict[tuple, list[Staged]]) -> None:
        """Per order: its rows agree on the order's fields, its dates make a closed past order,
        and one imported before (by either import) is a duplicate."""
        done = _already_imported(groups)
        for gkey, members in groups.items():
            first = members[0]
            for r in members[1:]:
                for f in ORDER_FIELDS:
                    if r.data[f] != first.data[f]:
                        _invalid(r, self.H, f,
                                 _("Differs from row %(row)d of the same order (%(value)s).")
                                 % {"row": first.row_no, "value": first.data[f] or "—"})  # fmt: skip
            self.timeline(first)
            _mark(members, self.H, done.get(gkey))

    def timeline(self, first: Staged) -> None:
        d = {k: _day(first.data[k]) for k in DATES}
        ordered_on = d["ordered_on"]
        if ordered_on is None:
            return  # already an error of the row
        problems = timeline_problems(
            today=self.today,
            ordered_on=ordered_on,
            confirmed_on=d["confirmed_on"],
            shipped_on=d["shipped_on"],
            completed_on=d["completed_on"],
            cancelled_on=d["cancelled_on"],
        )
        for field, message in problems.items():
            _invalid(first, self.H, field, message)


def _parse_date(cell) -> tuple[dt.date | None, str | None]:
    """A blank cell is no date and no error; any other goes through ``N.date``."""
    return (None, None) if N.is_blank(cell) else N.date(cell)


def _invalid(r: Staged, H: Heads, field: str, message) -> None:
    _err(r, *H, field, message)
    r.status = RowStatus.INVALID


def _already_imported(groups) -> dict[tuple, str]:
    done: dict[tuple, str] = {}
    for part in _chunks(groups):
        for cid, ext, number in ImportedOrder.objects.filter(
            customer_id__in={c for c, _e in part}, external_no__in={e for _c, e in part}
        ).values_list("customer_id", "external_no", "order__number"):
            if (cid, ext) in groups:
                done[(cid, ext)] = number
    return done


def _mark(members: list[Staged], H: Heads, number: str | None) -> None:
    if number:
        for r in members:
            if r.status == RowStatus.VALID:
                r.status = RowStatus.DUPLICATE
                _warn(r, *H, "external_no",
                      _("Already imported as order %(number)s.") % {"number": number})  # fmt: skip
    elif any(r.status == RowStatus.INVALID for r in members):
        bad = ", ".join(str(r.row_no) for r in members if r.status == RowStatus.INVALID)
        for r in members:
            if r.status == RowStatus.VALID:
                r.status = RowStatus.BLOCKED
                _warn(r, *H, "external_no",
                      _("Held back: row %(rows)s of the same order has errors.")
                      % {"rows": bad[:60]})  # fmt: skip


# --- commit ---------------------------------------------------------------------------------------


def commit_history(batch, actor: Actor, groups, *, strict: bool) -> int:
    """The chunk's orders through ``orders_record_history``, their shipments through
    ``shipments_record_history``, one ``ImportedOrder`` per order. Orders imported meanwhile
    (a resumed or concurrent run) become duplicates."""
    permissions.require(actor, "orders.create")
    keys = {(g[0].data["customer_id"], g[0].data["external_no"]) for g in groups}
    taken = set(
        ImportedOrder.objects.filter(
            customer_id__in={k[0] for k in keys}, external_no__in={k[1] for k in keys}
        ).values_list("customer_id", "external_no")
    )
    todo = []
    for g in groups:
        if (g[0].data["customer_id"], g[0].data["external_no"]) in taken:
            for r in g:
                r.status = RowStatus.DUPLICATE
        else:
            todo.append(g)
    results = orders_record_history(actor=actor, orders=[_past_order(g) for g in todo])
    created, shipped = [], {}
    for g, result in zip(todo, results, strict=True):
        if isinstance(result, ValidationFailed):
            for r in g:
                for e in result.errors:
                    field = e["field"].rsplit(".", 1)[-1] if "[" in e["field"] else e["field"]
                    _reject(batch, r, field, e["message"], strict=strict)
            continue
        created.append((g, result))
        if result.shipped_at is not None:
            shipped[result.pk] = (result.number, result.shipped_at)
    shipments_record_history(actor=actor, shipped=shipped)
    Inserter(ImportedOrder, ("customer", "external_no", "order"), batch_id=batch.pk).insert(
        [(o.customer_id, o.external_no, o.pk) for _g, o in created]
    )
    for g, _o in created:
        for r in g:
            r.status = RowStatus.COMMITTED
    return len(created)


def _day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _required_day(value: str | None) -> dt.date:
    day = _day(value)
    if day is None:  # a row without it is invalid and never committed
        raise ValueError("a committed past order has its order date and due date")
    return day


def _past_order(g) -> PastOrder:
    head = g[0].data
    return PastOrder(
        customer_id=head["customer_id"],
        external_no=head["external_no"],
        ordered_on=_required_day(head["ordered_on"]),
        due_date=_required_day(head["due_date"]),
        confirmed_on=_day(head["confirmed_on"]),
        shipped_on=_day(head["shipped_on"]),
        completed_on=_day(head["completed_on"]),
        cancelled_on=_day(head["cancelled_on"]),
        priority=head["priority"],
        sales_owner_id=head["sales_owner"],
        lines=[
            PastLine(
                material_id=r.data["material_id"],
                quantity=Decimal(r.data["quantity"]),
                unit_price=Decimal(r.data["unit_price"]),
                fulfilment=r.data["fulfilment"],
            )
            for r in g
        ],
    )
