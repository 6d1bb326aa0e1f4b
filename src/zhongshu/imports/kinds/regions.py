"""Sales regions from a spreadsheet, with the provinces and cities whose online orders route to
them: one row per region, or per province (or city) of a region. Names are checked by
``accounts.regions.clean_region_name``, regions created by ``accounts.services.region_create`` and
the routing rules saved by ``channels.services.address_rule_save``."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhongshu.accounts.models import Region
from zhongshu.accounts.regions import clean_region_name
from zhongshu.accounts.services import region_create
from zhongshu.core.actors import Actor
from zhongshu.core.validation import Errors

from ..models import ImportKind, RowStatus
from .base import Column, Kind, _cell, _err, _warn

PLACE_MAX = 30


class RegionsKind(Kind):
    slug = ImportKind.REGIONS
    action = "regions.manage"
    columns = (
        Column("name", "区域", ("name", "region", "区域名称", "销售区域", "大区"), True, "华东"),
        Column("province", "省份", ("province", "省", "省/直辖市"), False, "浙江省",
               gettext_lazy("Orders from online shops with a buyer in this province go to the region.")),
        Column("city", "城市", ("city", "市"), False, "",
               gettext_lazy("Only this city of the province (a city rule wins over its province).")),
    )  # fmt: skip

    def scope(self, row):
        d = row.data  # a region's duplicate check is by place, or by name without one
        return f"{d['province']}|{d['city']}" if d["province"] else f"{d['name']}|"

    def validate(self, actor: Actor, rows, headers, columns):
        from zhongshu.channels.addresses import place
        from zhongshu.channels.models import AddressRegion

        H = (headers, columns)
        regions = {r.name: r for r in Region.objects.all()}
        rules = {(r.province, r.city): r.region_id for r in AddressRegion.objects.all()}
        seen: dict[tuple, int] = {}
        for row in rows:
            errors = Errors()
            name = clean_region_name(errors, _cell(row, columns, "name"))
            for e in errors.items:
                _err(row, *H, e["field"], e["message"])
            province = place(_cell(row, columns, "province"))
            city = place(_cell(row, columns, "city"))
            if city and not province:
                _err(row, *H, "province", _("Enter the province of the city."))
            for field, value in (("province", province), ("city", city)):
                if len(value) > PLACE_MAX:
                    _err(row, *H, field, _("At most %(n)d characters.") % {"n": PLACE_MAX})
            where = (province, city) if province else (name, "")
            if where in seen:
                _err(row, *H, "province" if province else "name",
                     _("Duplicate of row %(row)d.") % {"row": seen[where]})  # fmt: skip
            else:
                seen[where] = row.row_no
            row.data.update(name=name, province=province, city=city)
            row.key = f"{name}|{province}|{city}"
            if row.errors:
                row.status = RowStatus.INVALID
                continue
            region = regions.get(name)
            routed = rules.get((province, city)) if province else None
            if region is not None and (not province or routed == region.pk):
                row.status = RowStatus.DUPLICATE
                _warn(row, *H, "name", _("Already set up this way; nothing to change."))
            elif province and routed is not None:
                _warn(row, *H, "province",
                      _("Routes %(place)s to %(name)s instead of its current region.")
                      % {"place": province + city, "name": name})  # fmt: skip

    def commit(self, batch, actor: Actor, groups, *, strict: bool) -> int:
        from zhongshu.channels.services import address_rule_save

        from ..committing import commit_each

        def save(row):
            d = row.data
            if not Region.objects.filter(name=d["name"]).exists():
                region_create(actor=actor, name=d["name"])
            if d["province"]:
                address_rule_save(
                    actor=actor,
                    data={"province": d["province"], "city": d["city"], "region": d["name"]},
                )

        return commit_each(batch, groups, strict=strict, save=save, error_field="name")
