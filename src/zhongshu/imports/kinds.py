"""What each kind of import reads and checks.

A kind lists its columns (field, required, the header texts it accepts) and validates all staged
rows at once: look-ups are one query per 2,000 codes, never one per row, and every problem of every
row is collected before anything is reported.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhongshu.accounts import permissions
from zhongshu.accounts.models import Region
from zhongshu.catalog.models import Fulfilment, Material, MaterialKind
from zhongshu.customers.models import Customer, CustomerTier
from zhongshu.inventory.models import StockLevel, Warehouse
from zhongshu.orders.models import money
from zhongshu.orders.services import MAX_AMOUNT, MAX_DUE_YEARS, MAX_LINES
from zhongshu.orders.statuses import Priority

from . import custom as C
from . import normalize as N
from .models import ImportedOrder, ImportKind, RowStatus

CHUNK = 2000


@dataclass(frozen=True)
class Column:
    field: str
    label: object  # the template header
    aliases: tuple[str, ...]
    required: bool = False
    example: object = ""
    note: object = ""


@dataclass
class Staged:
    row_no: int
    raw: list
    data: dict
    errors: list
    warnings: list
    status: str = RowStatus.VALID
    key: str = ""


def _chunks(items, size=CHUNK):
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _load(model, field: str, values, qs=None) -> dict:
    qs = qs if qs is not None else model.objects.all()
    out = {}
    for part in _chunks(sorted(v for v in values if v)):
        out.update({getattr(o, field): o for o in qs.filter(**{f"{field}__in": part})})
    return out


class Kind:
    slug: str
    action: str
    columns: tuple[Column, ...]

    def header_map(self) -> dict[str, str]:
        out = {}
        for col in self.columns:
            for alias in (str(col.label), *col.aliases):
                out[N.header_key(alias)] = col.field
        return out

    def full_header_map(self) -> dict[str, str]:
        """The built-in columns and the custom fields of the kind's records (built-ins win)."""
        return {**C.header_aliases(self.slug), **self.header_map()}

    def match_header(self, text: str) -> bool:
        return N.header_key(text) in self.header_map()

    def resolve_columns(self, headers: list[str]) -> tuple[dict[str, int], list[str]]:
        """field → column index, and the missing required columns (their template headers)."""
        hm = self.full_header_map()
        columns: dict[str, int] = {}
        for i, h in enumerate(headers):
            field = hm.get(N.header_key(h))
            if field and field not in columns:
                columns[field] = i
        missing = [str(c.label) for c in self.columns if c.required and c.field not in columns]
        return columns, self.check_missing(columns, missing)

    def check_missing(self, columns, missing):
        return missing

    def validate(self, actor, rows: list[Staged], headers, columns) -> None:
        raise NotImplementedError


def _err(row: Staged, headers, columns, field: str, message) -> None:
    idx = columns.get(field)
    row.errors.append({"column": headers[idx] if idx is not None else "", "message": str(message)})


def _warn(row: Staged, headers, columns, field: str, message) -> None:
    idx = columns.get(field)
    row.warnings.append(
        {"column": headers[idx] if idx is not None else "", "message": str(message)}
    )


def _cell(row: Staged, columns, field):
    idx = columns.get(field)
    return row.raw[idx] if idx is not None and idx < len(row.raw) else None


# --- orders ---------------------------------------------------------------------------------------


class OrdersKind(Kind):
    slug = ImportKind.ORDERS
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

    def validate(self, actor, rows, headers, columns):
        H = (headers, columns)
        today = timezone.localdate()
        horizon = today.replace(year=today.year + MAX_DUE_YEARS, day=min(today.day, 28))
        may_price = permissions.can(actor, "orders.edit_price")
        scope = permissions.scope_customers(actor, Customer.objects.all())
        codes = {N.text(_cell(r, columns, "customer")).upper() for r in rows}
        customers = _load(Customer, "code", codes, scope)
        names = defaultdict(list)
        if "customer" not in columns:
            wanted = {N.text(_cell(r, columns, "customer_name")) for r in rows}
            for part in _chunks(sorted(w for w in wanted if w)):
                for c in scope.filter(name__in=part):
                    names[c.name].append(c)
        materials = _load(
            Material, "code", {N.text(_cell(r, columns, "material")).upper() for r in rows}
        )
        groups: dict[tuple, list[Staged]] = defaultdict(list)
        custom_plan = C.plan(actor, self.slug, columns)
        for row in rows:
            d = row.data
            custom = C.check_row(row, headers, columns, custom_plan, _err)
            d["custom"] = custom.get("order", {})
            d["line_custom"] = custom.get("order_line", {})
            ext = N.text(_cell(row, columns, "external_no"))
            if not ext:
                _err(row, *H, "external_no", _("This field is required."))
            elif len(ext) > 64:
                _err(row, *H, "external_no", _("At most %(n)d characters.") % {"n": 64})
            customer = None
            if "customer" in columns:
                code = N.text(_cell(row, columns, "customer")).upper()
                customer = customers.get(code)
                if not code:
                    _err(row, *H, "customer", _("This field is required."))
                elif customer is None:
                    _err(
                        row,
                        *H,
                        "customer",
                        _("Unknown customer, or not in your regions: %(code)s") % {"code": code},
                    )
            else:
                name = N.text(_cell(row, columns, "customer_name"))
                found = names.get(name, [])
                if not name:
                    _err(row, *H, "customer_name", _("This field is required."))
                elif not found:
                    _err(
                        row,
                        *H,
                        "customer_name",
                        _("Unknown customer, or not in your regions: %(code)s") % {"code": name},
                    )
                elif len(found) > 1:
                    _err(
                        row,
                        *H,
                        "customer_name",
                        _("%(n)d customers are called %(name)s; use the customer code instead.")
                        % {"n": len(found), "name": name},
                    )
                else:
                    customer = found[0]
            if customer is not None and not customer.is_active:
                _err(
                    row,
                    *H,
                    "customer" if "customer" in columns else "customer_name",
                    _("Customer %(code)s is inactive.") % {"code": customer.code},
                )
                customer = None
            mcode = N.text(_cell(row, columns, "material")).upper()
            material = materials.get(mcode)
            if not mcode:
                _err(row, *H, "material", _("This field is required."))
            elif material is None:
                _err(row, *H, "material", _("Unknown material: %(code)s") % {"code": mcode})
            elif not material.is_active:
                _err(row, *H, "material", _("Material %(code)s is inactive.") % {"code": mcode})
                material = None
            qty, msg = N.number(_cell(row, columns, "quantity"), places=3, positive=True)
            if msg:
                _err(row, *H, "quantity", msg)
            price_cell = _cell(row, columns, "unit_price")
            price_given = not N.is_blank(price_cell)
            price = None
            if price_given and not may_price:
                _err(
                    row,
                    *H,
                    "unit_price",
                    _("You may not set prices; leave this column empty to use the standard price."),
                )
            elif price_given:
                price, msg = N.number(price_cell, places=2, min_zero=True)
                if msg:
                    _err(row, *H, "unit_price", msg)
            elif material is not None:
                price = material.standard_price
            if qty is not None and price is not None and abs(qty * price) >= MAX_AMOUNT:
                _err(row, *H, "quantity", _("Quantity × unit price is too large."))
            due, msg = N.date(_cell(row, columns, "due_date"))
            if msg:
                _err(row, *H, "due_date", msg)
            elif due < today:
                _warn(row, *H, "due_date", _("The due date %(d)s is in the past.") % {"d": due})
            elif due > horizon:
                _err(
                    row,
                    *H,
                    "due_date",
                    _("The due date is more than %(n)d years ahead.") % {"n": MAX_DUE_YEARS},
                )
            priority = Priority.NORMAL
            if not N.is_blank(_cell(row, columns, "priority")):
                priority, msg = N.choice(
                    _cell(row, columns, "priority"),
                    Priority,
                    extra={
                        "普通": "normal",
                        "加急": "urgent",
                        "紧急": "urgent",
                        "特急": "critical",
                    },
                )
                if msg:
                    _err(row, *H, "priority", msg)
            note = N.text(_cell(row, columns, "note"))
            if len(note) > 200:
                _err(row, *H, "note", _("At most %(n)d characters.") % {"n": 200})
            d.update(
                external_no=ext,
                customer_id=customer.pk if customer else None,
                customer_code=customer.code if customer else "",
                material_id=material.pk if material else None,
                fulfilment=material.fulfilment if material else "",
                quantity=str(qty) if qty is not None else None,
                unit_price=str(price) if price is not None else None,
                due_date=due.isoformat() if due else None,
                priority=priority,
                note=note,
            )
            if customer is not None and ext:
                row.key = f"{customer.pk}|{ext}"
                groups[(customer.pk, ext)].append(row)
            if row.errors:
                row.status = RowStatus.INVALID
        # one order per (customer, external number): the lines must agree on order-level fields
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
            first = members[0]
            for r in members[1:]:
                if r.data.get("custom") != first.data.get("custom"):
                    _err(
                        r,
                        *H,
                        "external_no",
                        _("Order fields differ from row %(row)d of the same order.")
                        % {"row": first.row_no},
                    )
                    r.status = RowStatus.INVALID
                for field in ("due_date", "priority"):
                    if r.data[field] and first.data[field] and r.data[field] != first.data[field]:
                        _err(
                            r,
                            *H,
                            field,
                            _("Differs from row %(row)d of the same order (%(value)s).")
                            % {"row": first.row_no, "value": first.data[field]},
                        )
                        r.status = RowStatus.INVALID
            for r in members[MAX_LINES:]:
                _err(r, *H, "external_no", _("At most %(n)d lines per order.") % {"n": MAX_LINES})
                r.status = RowStatus.INVALID
            total = sum(
                (
                    money(Decimal(r.data["quantity"]) * Decimal(r.data["unit_price"]))
                    for r in members
                    if r.data["quantity"] and r.data["unit_price"]
                ),
                Decimal(0),
            )
            if abs(total) * Decimal("1.13") >= MAX_AMOUNT:
                for r in members:
                    _err(r, *H, "quantity", _("The order total is too large."))
                    r.status = RowStatus.INVALID
            if gkey in done:
                for r in members:
                    if r.status == RowStatus.VALID:
                        r.status = RowStatus.DUPLICATE
                        _warn(
                            r,
                            *H,
                            "external_no",
                            _("Already imported as order %(number)s.")
                            % {"number": r.data["order_number"]},
                        )
            elif any(r.status == RowStatus.INVALID for r in members):
                bad = [r.row_no for r in members if r.status == RowStatus.INVALID]
                for r in members:
                    if r.status == RowStatus.VALID:
                        r.status = RowStatus.BLOCKED
                        _warn(
                            r,
                            *H,
                            "external_no",
                            _("Held back: row %(rows)s of the same order has errors.")
                            % {"rows": ", ".join(map(str, bad[:5]))},
                        )


# --- customers ------------------------------------------------------------------------------------


def _master_code(row, H, seen: dict[str, int], *, max_length: int) -> str:
    """The row's code, upper-cased; missing, too long or repeated in the file is an error."""
    code = N.text(_cell(row, H[1], "code")).upper()
    if not code:
        _err(row, *H, "code", _("This field is required."))
    elif len(code) > max_length:
        _err(row, *H, "code", _("At most %(n)d characters.") % {"n": max_length})
    elif code in seen:
        _err(row, *H, "code", _("Duplicate of row %(row)d.") % {"row": seen[code]})
    else:
        seen[code] = row.row_no
    return code


def _master_texts(row, H, texts, *, keep_blank: bool) -> dict[str, str]:
    """Text columns given as (field, max length, required); blank ones kept only if asked."""
    out = {}
    for field, length, required in texts:
        value = N.text(_cell(row, H[1], field))
        if required and not value:
            _err(row, *H, field, _("This field is required."))
        elif len(value) > length:
            _err(row, *H, field, _("At most %(n)d characters.") % {"n": length})
        if value or keep_blank:
            out[field] = value
    return out


class CustomersKind(Kind):
    slug = ImportKind.CUSTOMERS
    action = "imports.customers"
    columns = (
        Column("code", "客户编码", ("code", "customer_code", "客户代码", "编码"), True, "C-0001"),
        Column("name", "客户名称", ("name", "customer_name", "名称", "客户"), True, "苏州精工机械"),
        Column("region", "区域", ("region", "地区", "大区", "销售区域"), True, "华东"),
        Column("tier", "等级", ("tier", "客户等级"), False, ""),
        Column("contact", "联系人", ("contact",), False, "王经理"),
        Column("phone", "电话", ("phone", "手机", "联系电话"), False, "0512-12345678"),
        Column("address", "地址", ("address",), False, ""),
    )  # fmt: skip

    def validate(self, actor, rows, headers, columns):
        H = (headers, columns)
        existing = _load(
            Customer, "code", {N.text(_cell(r, columns, "code")).upper() for r in rows}
        )
        regions = {r.name: r for r in Region.objects.all()}
        seen: dict[str, int] = {}
        custom_plan = C.plan(actor, self.slug, columns)
        for row in rows:
            code = _master_code(row, H, seen, max_length=32)
            out = {"code": code}
            custom = C.check_row(row, headers, columns, custom_plan, _err).get("customer")
            if custom:
                out["custom"] = custom
            texts = (("name", 120, True), ("contact", 60, False), ("phone", 30, False),
                     ("address", 200, False))  # fmt: skip
            out.update(_master_texts(row, H, texts, keep_blank=True))
            rname = N.text(_cell(row, columns, "region"))
            region = regions.get(rname)
            if region is None:
                _err(row, *H, "region", _("Unknown region: %(name)s") % {"name": rname or "-"})
            elif not permissions.region_allowed(actor, region.id):
                _err(
                    row,
                    *H,
                    "region",
                    _("You cannot assign customers to region %(name)s.") % {"name": rname},
                )
            out["region"] = rname
            if not N.is_blank(_cell(row, columns, "tier")):
                out["tier"], msg = N.choice(_cell(row, columns, "tier"), CustomerTier)
                if msg:
                    _err(row, *H, "tier", msg)
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
                    _("Customer %(code)s already exists; row skipped.") % {"code": code},
                )


# --- materials ------------------------------------------------------------------------------------


class MaterialsKind(Kind):
    slug = ImportKind.MATERIALS
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

    def validate(self, actor, rows, headers, columns):
        H = (headers, columns)
        existing = _load(
            Material, "code", {N.text(_cell(r, columns, "code")).upper() for r in rows}
        )
        seen: dict[str, int] = {}
        custom_plan = C.plan(actor, self.slug, columns)
        for row in rows:
            code = _master_code(row, H, seen, max_length=40)
            out = {"code": code}
            custom = C.check_row(row, headers, columns, custom_plan, _err).get("material")
            if custom:
                out["custom"] = custom
            texts = (("name", 120, True), ("spec", 200, False), ("unit", 12, False))
            out.update(_master_texts(row, H, texts, keep_blank=False))
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


# --- stock levels ---------------------------------------------------------------------------------


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

    def validate(self, actor, rows, headers, columns):
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


# --- channel SKU mappings -------------------------------------------------------------------------

CHANNEL_ALIASES = {"抖音": "douyin", "抖音小店": "douyin", "抖店": "douyin", "代理": "agent"}


class SkuMappingsKind(Kind):
    """Rows of the channel SKU → material table (SPEC §7). A row that repeats what is stored is a
    duplicate; one that changes a stored mapping replaces it (with a warning in the preview).
    Committed through ``channels.services.mapping_save``: same permission, same checks."""

    slug = ImportKind.SKU_MAPPINGS
    action = "channels.map_sku"
    columns = (
        Column("channel", "渠道", ("channel", "平台", "渠道类型"), True, "淘宝",
               gettext_lazy("Taobao, Douyin shop or Agent, in Chinese or English.")),
        Column("channel_sku", "渠道SKU", ("channel_sku", "sku", "sku_id", "渠道sku编码", "商家编码",
               "外部编码", "outer_sku"), True, "5012345678",
               gettext_lazy("The platform's SKU id or the outer SKU code.")),
        Column("material", "物料编码", ("material", "material_code", "物料代码", "料号"), True,
               "M-0001"),
        Column("multiplier", "数量倍数", ("multiplier", "倍数", "数量系数"), False, 1,
               gettext_lazy("Internal units per platform unit; empty: 1.")),
    )  # fmt: skip

    def validate(self, actor, rows, headers, columns):
        from zhongshu.channels.models import ChannelKind, SkuMapping

        H = (headers, columns)
        materials = _load(
            Material, "code", {N.text(_cell(r, columns, "material")).upper() for r in rows}
        )
        stored = {
            (m.channel, m.channel_sku): m
            for part in _chunks({N.text(_cell(r, columns, "channel_sku")) for r in rows})
            for m in SkuMapping.objects.filter(channel_sku__in=part).select_related("material")
        }
        seen: dict[tuple, int] = {}
        for row in rows:
            channel, msg = N.choice(_cell(row, columns, "channel"), ChannelKind,
                                    extra=CHANNEL_ALIASES)  # fmt: skip
            if msg:
                _err(row, *H, "channel", msg)
            sku = N.text(_cell(row, columns, "channel_sku"))
            if not sku:
                _err(row, *H, "channel_sku", _("This field is required."))
            elif len(sku) > 64:
                _err(row, *H, "channel_sku", _("At most %(n)d characters.") % {"n": 64})
            elif channel and (channel, sku) in seen:
                _err(row, *H, "channel_sku",
                     _("Duplicate of row %(row)d.") % {"row": seen[(channel, sku)]})  # fmt: skip
            elif channel:
                seen[(channel, sku)] = row.row_no
            code = N.text(_cell(row, columns, "material")).upper()
            if not code:
                _err(row, *H, "material", _("This field is required."))
            elif code not in materials:
                _err(row, *H, "material", _("Unknown material: %(code)s") % {"code": code})
            multiplier = Decimal(1)
            if not N.is_blank(_cell(row, columns, "multiplier")):
                multiplier, msg = N.number(_cell(row, columns, "multiplier"), places=3,
                                           positive=True)  # fmt: skip
                if msg or multiplier >= 10**6:
                    _err(row, *H, "multiplier", msg or _("Enter a positive number."))
            row.data.update(channel=channel or "", channel_sku=sku, material=code,
                            multiplier=str(multiplier) if multiplier is not None else None)  # fmt: skip
            row.key = f"{channel}|{sku}"
            if row.errors:
                row.status = RowStatus.INVALID
                continue
            old = stored.get((channel, sku))
            if old is None:
                continue
            if old.material.code == code and old.multiplier == multiplier:
                row.status = RowStatus.DUPLICATE
                _warn(row, *H, "channel_sku", _("Already mapped this way; nothing to change."))
            else:
                _warn(row, *H, "material",
                      _("Replaces the mapping to %(code)s × %(m)s.")
                      % {"code": old.material.code, "m": old.multiplier.normalize()})  # fmt: skip

    def commit(self, batch, actor, groups, *, strict: bool) -> int:
        """Each row through the channel service, as customers and materials go through theirs."""
        from zhongshu.channels.services import mapping_save

        from .services import commit_each

        return commit_each(
            batch,
            groups,
            strict=strict,
            save=lambda row: mapping_save(actor=actor, data=dict(row.data)),
            error_field="channel_sku",
        )


KINDS: dict[str, Kind] = {
    k.slug: k
    for k in (OrdersKind(), CustomersKind(), MaterialsKind(), StockKind(), SkuMappingsKind())
}


def date_or_none(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None
