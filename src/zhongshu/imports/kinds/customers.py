"""Customers from a spreadsheet, committed through ``customers.services``."""

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhongshu.accounts import permissions
from zhongshu.accounts.models import Region
from zhongshu.core.actors import Actor
from zhongshu.customers.models import Customer
from zhongshu.customers.services import TIER_COMPUTED, clean_customer

from .. import custom as C
from .. import normalize as N
from ..models import ImportKind, RowStatus
from .base import Column, Kind, _cell, _err, _load, _master_code, _master_texts, _warn
from .fieldrules import forbidden_columns, refuse_forbidden

TEXTS = ("name", "contact", "phone", "address")  # checked by customers.services.clean_customer


class CustomersKind(Kind):
    slug = ImportKind.CUSTOMERS
    entity = "customer"
    action = "imports.customers"
    columns = (
        Column("code", "客户编码", ("code", "customer_code", "客户代码", "编码"), True, "C-0001"),
        Column("name", "客户名称", ("name", "customer_name", "名称", "客户"), True, "苏州精工机械"),
        Column("region", "区域", ("region", "地区", "大区", "销售区域"), True, "华东"),
        # recognised so a filled-in tier is refused: the segmentation computes it
        Column("tier", "等级", ("tier", "客户等级"), False, "",
               gettext_lazy("Leave blank: the tier is computed from the order history.")),
        Column("contact", "联系人", ("contact",), False, "王经理"),
        Column("phone", "电话", ("phone", "手机", "联系电话"), False, "0512-12345678"),
        Column("address", "地址", ("address",), False, ""),
    )  # fmt: skip

    def validate(self, actor: Actor, rows, headers, columns):
        H = (headers, columns)
        existing = _load(
            Customer, "code", {N.text(_cell(r, columns, "code")).upper() for r in rows}
        )
        regions = {r.name: r for r in Region.objects.all()}
        seen: dict[str, int] = {}
        custom_plan = C.plan(actor, self.slug, columns)
        forbidden = forbidden_columns(actor, "customer", self.columns, columns)

        def clean(data, errors):
            clean_customer(actor, data, creating=False, errors=errors)

        for row in rows:
            code = _master_code(row, H, seen, max_length=32)
            out: dict[str, Any] = {"code": code}
            custom = C.check_row(row, headers, columns, custom_plan, _err).get("customer")
            if custom:
                out["custom"] = custom
            out.update(_master_texts(row, H, TEXTS, clean, keep_blank=True))
            refuse_forbidden(row, H, forbidden)
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
                _err(row, *H, "tier", str(TIER_COMPUTED))  # computed by the segmentation
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
