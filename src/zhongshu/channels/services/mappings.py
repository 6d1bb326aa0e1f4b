"""The SKU mapping table and the address → region rules."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.accounts.models import Region
from zhongshu.catalog.models import Material
from zhongshu.core.actors import Actor, recorded
from zhongshu.core.text import normalize_code, normalize_text
from zhongshu.core.validation import Errors, clean_choice, clean_text

from ..models import (
    ChannelKind,
    SkuMapping,
)
from ._common import read_sheet


def _clean_mapping(errors: Errors, data: dict, prefix: str = "") -> dict:
    channel = clean_choice(errors, f"{prefix}channel", data.get("channel"), ChannelKind)
    sku = clean_text(errors, f"{prefix}channel_sku", normalize_text(data.get("channel_sku")),
                     max_length=64, required=True)  # fmt: skip
    code = normalize_code(data.get("material"))
    material = Material.objects.filter(code=code).first() if code else None
    if material is None:
        errors.add(f"{prefix}material", _("Unknown material: %(code)s") % {"code": code or "-"})
    multiplier = None
    try:
        multiplier = Decimal(str(data.get("multiplier") or "1")).quantize(Decimal("0.001"))
        if not Decimal(0) < multiplier < Decimal(10**6):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors.add(f"{prefix}multiplier", _("Enter a positive number."))
    return {"channel": channel, "channel_sku": sku, "material": material, "multiplier": multiplier}


def _upsert(actor: Actor, c: dict) -> SkuMapping:
    mapping, _created = SkuMapping.objects.update_or_create(
        channel=c["channel"],
        channel_sku=c["channel_sku"],
        defaults={"material": c["material"], "multiplier": c["multiplier"],
                  "updated_by": recorded(actor)},
    )  # fmt: skip
    return mapping


@transaction.atomic
def mapping_save(*, actor: Actor, data: dict) -> SkuMapping:
    """Create or replace the mapping of one channel SKU (the unique key is channel + SKU)."""
    permissions.require(actor, "channels.map_sku")
    errors = Errors()
    cleaned = _clean_mapping(errors, data)
    errors.raise_if_any()
    return _upsert(actor, cleaned)


@transaction.atomic
def mapping_delete(*, actor: Actor, mapping_id: Any) -> None:
    permissions.require(actor, "channels.map_sku")
    permissions.get_in_scope(SkuMapping.objects.all(), pk=mapping_id).delete()


@transaction.atomic
def mapping_import(*, actor: Actor, filename: str, content: bytes) -> int:
    """Mappings from an xlsx/csv sheet (headers: channel, channel_sku, material, multiplier; the
    Chinese names 渠道, 渠道SKU, 物料编码, 数量倍数 too). All rows or none (422 lists every bad row)."""
    permissions.require(actor, "channels.map_sku")
    rows = read_sheet(filename, content)
    errors = Errors()
    cleaned = []
    for i, row in enumerate(rows, start=2):
        cleaned.append(_clean_mapping(errors, row, prefix=f"row {i}: "))
    if not rows:
        errors.add("file", _("The sheet has no rows."))
    errors.raise_if_any()
    for c in cleaned:
        _upsert(actor, c)
    return len(cleaned)


def _clean_rule(errors: Errors, actor: Actor, data: dict) -> dict:
    from ..addresses import place

    province = place(data.get("province"))
    city = place(data.get("city"))
    if not province:
        errors.add("province", _("This field is required."))
    for f, v in (("province", province), ("city", city)):
        if len(v) > 30:
            errors.add(f, _("At most %(n)d characters.") % {"n": 30})
    name = normalize_text(data.get("region"))
    region = Region.objects.filter(name=name).first() if name else None
    if region is None:
        errors.add("region", _("Unknown region: %(name)s") % {"name": name or "-"})
    elif not permissions.region_allowed(actor, region.id):
        errors.add("region", _("You cannot route orders to region %(name)s.") % {"name": name})
    return {"province": province, "city": city, "region": region}


@transaction.atomic
def address_rule_save(*, actor: Actor, data: dict):
    """Create or replace the region of a province (``city`` empty) or of one city in it."""
    from ..models import AddressRegion

    permissions.require(actor, "channels.map_sku")
    errors = Errors()
    c = _clean_rule(errors, actor, data)
    errors.raise_if_any()
    who = recorded(actor)
    rule = AddressRegion.objects.filter(province=c["province"], city=c["city"]).first()
    if rule is None:
        rule = AddressRegion(province=c["province"], city=c["city"])
    rule.region, rule.updated_by = c["region"], who
    rule._history_user = who  # type: ignore[attr-defined]  # named in the audit trail
    rule.save()
    return rule


@transaction.atomic
def address_rule_update(*, actor: Actor, rule_id: Any, data: dict):
    """Change one routing rule's province, city or region (the page's edit)."""
    from ..models import AddressRegion

    permissions.require(actor, "channels.map_sku")
    rule = permissions.get_in_scope(AddressRegion.objects.all(), pk=rule_id)
    errors = Errors()
    c = _clean_rule(errors, actor, data)
    clash = AddressRegion.objects.filter(province=c["province"], city=c["city"]).exclude(pk=rule.pk)
    if c["province"] and clash.exists():
        errors.add("city", _("%(place)s already has a rule.") % {
            "place": f"{c['province']} {c['city']}".strip()
        })  # fmt: skip
    errors.raise_if_any()
    rule.province, rule.city, rule.region = c["province"], c["city"], c["region"]
    rule.updated_by = recorded(actor)
    rule._history_user = rule.updated_by
    rule.save()
    return rule


@transaction.atomic
def address_rule_delete(*, actor: Actor, rule_id: Any) -> None:
    from ..models import AddressRegion

    permissions.require(actor, "channels.map_sku")
    rule = permissions.get_in_scope(AddressRegion.objects.all(), pk=rule_id)
    rule._history_user = recorded(actor)
    rule.delete()
