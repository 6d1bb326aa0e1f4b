"""Channel SKU → material mappings from a spreadsheet (SPEC §7)."""

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhongshu.catalog.models import Material
from zhongshu.core.actors import Actor

from .. import normalize as N
from ..models import ImportKind, RowStatus
from .base import Column, Kind, _cell, _chunks, _err, _load, _warn

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

    def validate(self, actor: Actor, rows, headers, columns):
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

    def commit(self, batch, actor: Actor, groups, *, strict: bool) -> int:
        """Each row through the channel service, as customers and materials go through theirs."""
        from zhongshu.channels.services import mapping_save

        from ..committing import commit_each

        return commit_each(
            batch,
            groups,
            strict=strict,
            save=lambda row: mapping_save(actor=actor, data=dict(row.data)),
            error_field="channel_sku",
        )
