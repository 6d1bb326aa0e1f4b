"""Orders from a spreadsheet: one order per (customer, external number), a line per row. The
rules an order must meet are the order services' own (``orders.services.rules``); only what is
particular to a file (a past due date is a warning, rows of one order must agree) is here."""

from collections import defaultdict
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhongshu.core.actors import Actor
from zhongshu.orders.models import money
from zhongshu.orders.services.rules import (
    MAX_LINES,
    amount_problem,
    customer_problem,
    due_problem,
    line_count_problem,
    material_problem,
    totals_problem,
)

from .. import custom as C
from .. import normalize as N
from ..models import ImportedOrder, ImportKind, RowStatus
from .base import Column, Heads, Kind, Staged, _cell, _chunks, _err, _warn
from .fieldrules import forbidden_message, label_of
from .rowcheck import OrderRowCheck

# the import does not know the tax rate yet: the total is checked at the default 13 %
TAX_FACTOR = Decimal("1.13")


class OrdersKind(Kind):
    slug = ImportKind.ORDERS
    entity = "order"
    action = "imports.orders"
    columns = (
        Column("external_no", "外部单号",
               ("external_no", "外部订单号", "客户单号", "客户订单号", "订单号", "po", "pono"),
               True, "PO-2025-0001", gettext_lazy("Rows with the same number form one order.")),
        Column("customer", "客户编码",
               ("customer", "customer_code", "客户代码", "客户"), False, "C-EAST"),
        Column("customer_name", "客户名称", ("customer_name",), False, "",
               gettext_lazy("Used only when there is no customer code column; must be unique.")),
        Column("material", "物料编码",
               ("material", "material_code", "物料代码", "料号", "物料", "产品编码", "sku"),
               True, "M-001"),
        Column("quantity", "数量", ("quantity", "qty", "订货数量", "订单数量"),
               True, 10),
        Column("unit_price", "单价", ("unit_price", "price", "价格", "含税单价"),
               False, "12.50", gettext_lazy("Empty: the material's standard price.")),
        Column("due_date", "交期",
               ("due_date", "due", "交货日期", "交货期", "交付日期", "要求交期"), True, "2025-09-30"),
        Column("priority", "优先级", ("priority",), False, "普通"),
        Column("note", "备注", ("note", "remark", "remarks", "说明"), False, ""),
    )  # fmt: skip

    def check_missing(self, columns, missing):
        if "customer" not in columns and "customer_name" not in columns:
            missing.append(str(self.columns[1].label))
        return missing

    def validate(self, actor: Actor, rows, headers, columns):
        check = _RowCheck(actor, rows, headers, columns, self.slug)
        groups: dict[tuple, list[Staged]] = defaultdict(list)
        for row in rows:
            key = check.row(row)
            if key is not None:
                groups[key].append(row)
            if row.errors:
                row.status = RowStatus.INVALID
        _check_groups(groups, (headers, columns))


class _RowCheck(OrderRowCheck):
    """The checks of one row of the order import (customers also by name, custom fields)."""

    def __init__(self, actor: Actor, rows, headers, columns, slug):
        super().__init__(actor, rows, (headers, columns))
        self.names: dict[str, list] = defaultdict(list)
        if "customer" not in columns:
            wanted = {N.text(_cell(r, columns, "customer_name")) for r in rows}
            for part in _chunks(sorted(w for w in wanted if w)):
                for c in self.scope.filter(name__in=part):
                    self.names[c.name].append(c)
        self.custom_plan = C.plan(actor, slug, columns)

    def row(self, row: Staged) -> tuple | None:
        """Check ``row`` and put what it says in ``row.data``; its order's key, if it has one."""
        custom = C.check_row(row, *self.H, self.custom_plan, _err)
        row.data["custom"] = custom.get("order", {})
        row.data["line_custom"] = custom.get("order_line", {})
        ext = self.external_no(row)
        customer = self.customer(row)
        material = self.material(row)
        qty = self.quantity(row)
        price = self.price(row, material)
        if qty is not None and price is not None and amount_problem(qty, price):
            _err(row, *self.H, "quantity", amount_problem(qty, price))
        due = self.due(row)
        row.data.update(
            external_no=ext,
            customer_id=customer.pk if customer else None,
            customer_code=customer.code if customer else "",
            material_id=material.pk if material else None,
            fulfilment=material.fulfilment if material else "",
            quantity=str(qty) if qty is not None else None,
            unit_price=str(price) if price is not None else None,
            due_date=due.isoformat() if due else None,
            priority=self.priority(row),
            note=self.note(row),
        )
        if customer is None or not ext:
            return None
        row.key = f"{customer.pk}|{ext}"
        return (customer.pk, ext)

    def customer(self, row):
        H = self.H
        if "customer" in self.columns:
            field = "customer"
            code = N.text(self.cell(row, "customer")).upper()
            customer = self.customers.get(code)
            if not code:
                _err(row, *H, field, _("This field is required."))
            elif customer is None:
                _err(row, *H, field, _unknown_customer() % {"code": code})
        else:
            field = "customer_name"
            name = N.text(self.cell(row, "customer_name"))
            found = self.names.get(name, [])
            customer = found[0] if len(found) == 1 else None
            if not name:
                _err(row, *H, field, _("This field is required."))
            elif not found:
                _err(row, *H, field, _unknown_customer() % {"code": name})
            elif len(found) > 1:
                _err(row, *H, field,
                     _("%(n)d customers are called %(name)s; use the customer code instead.")
                     % {"n": len(found), "name": name})  # fmt: skip
        if customer is not None and not customer.is_active:
            _err(row, *H, field, customer_problem(customer.code, False))
            customer = None
        return customer

    def material(self, row):
        code = N.text(self.cell(row, "material")).upper()
        material = self.materials.get(code)
        if not code:
            _err(row, *self.H, "material", _("This field is required."))
            return None
        problem = material_problem(code, None if material is None else material.is_active)
        if problem:
            _err(row, *self.H, "material", problem)
            return None
        return material

    def price(self, row, material):
        cell = self.cell(row, "unit_price")
        if N.is_blank(cell):
            return material.standard_price if material is not None else None
        if not self.may_price:  # the price group's edit right (docs/permissions.md)
            _err(row, *self.H, "unit_price", forbidden_message(label_of(OrdersKind.columns, "unit_price")))  # fmt: skip
            return None
        price, msg = N.number(cell, places=2, min_zero=True)
        if msg:
            _err(row, *self.H, "unit_price", msg)
        return price

    def due(self, row):
        due, msg = N.date(self.cell(row, "due_date"))
        if msg:
            _err(row, *self.H, "due_date", msg)
            return due
        problem = due_problem(due, allow_past=False, today=self.today)
        if due < self.today:
            _warn(row, *self.H, "due_date", problem)  # a past date is the planner's to judge
        elif problem:
            _err(row, *self.H, "due_date", problem)
        return due

    def note(self, row) -> str:
        note = N.text(self.cell(row, "note"))
        if len(note) > 200:
            _err(row, *self.H, "note", _("At most %(n)d characters.") % {"n": 200})
        return note


def _unknown_customer():
    return _("Unknown customer, or not in your regions: %(code)s")


def _check_groups(groups: dict[tuple, list[Staged]], H: Heads) -> None:
    """One order per (customer, external number): its rows agree on the order-level fields, it
    fits the order rules as a whole, and one imported before is a duplicate."""
    done = set()
    for part in _chunks(groups):
        for io in ImportedOrder.objects.filter(
            customer_id__in={c for c, _e in part}, external_no__in={e for _c, e in part}
        ).select_related("order"):
            if (io.customer_id, io.external_no) in groups:
                done.add((io.customer_id, io.external_no))
                for r in groups[(io.customer_id, io.external_no)]:
                    r.data["order_number"] = io.order.number
    for gkey, members in groups.items():
        _check_agreement(members, H)
        _check_order_rules(members, H)
        _mark(members, H, duplicate=gkey in done)


def _invalid(r: Staged, H: Heads, field: str, message) -> None:
    _err(r, *H, field, message)
    r.status = RowStatus.INVALID


def _check_agreement(members: list[Staged], H: Heads) -> None:
    first = members[0]
    for r in members[1:]:
        if r.data.get("custom") != first.data.get("custom"):
            _invalid(r, H, "external_no",
                     _("Order fields differ from row %(row)d of the same order.")
                     % {"row": first.row_no})  # fmt: skip
        for field in ("due_date", "priority"):
            if r.data[field] and first.data[field] and r.data[field] != first.data[field]:
                _invalid(r, H, field,
                         _("Differs from row %(row)d of the same order (%(value)s).")
                         % {"row": first.row_no, "value": first.data[field]})  # fmt: skip


def _check_order_rules(members: list[Staged], H: Heads) -> None:
    problem = line_count_problem(len(members))
    for r in members[MAX_LINES:]:
        _invalid(r, H, "external_no", problem)
    total = sum(
        (
            money(Decimal(r.data["quantity"]) * Decimal(r.data["unit_price"]))
            for r in members
            if r.data["quantity"] and r.data["unit_price"]
        ),
        Decimal(0),
    )
    problem = totals_problem((abs(total) * TAX_FACTOR,))
    if problem:
        for r in members:
            _invalid(r, H, "quantity", problem)


def _mark(members: list[Staged], H: Heads, *, duplicate: bool) -> None:
    if duplicate:
        for r in members:
            if r.status == RowStatus.VALID:
                r.status = RowStatus.DUPLICATE
                _warn(r, *H, "external_no",
                      _("Already imported as order %(number)s.")
                      % {"number": r.data["order_number"]})  # fmt: skip
    elif any(r.status == RowStatus.INVALID for r in members):
        bad = [r.row_no for r in members if r.status == RowStatus.INVALID]
        for r in members:
            if r.status == RowStatus.VALID:
                r.status = RowStatus.BLOCKED
                _warn(r, *H, "external_no",
                      _("Held back: row %(rows)s of the same order has errors.")
                      % {"rows": ", ".join(map(str, bad[:5]))})  # fmt: skip
