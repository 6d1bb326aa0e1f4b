"""Carrier codes: each platform's carrier list (seeded, refreshed from the platform) and the
mapping from the warehouse's carrier names to those codes. Mapping a name releases the shipment
reports held for it."""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor, recorded
from zhongshu.core.errors import NotFound
from zhongshu.core.text import normalize_text
from zhongshu.core.validation import Errors, clean_choice, clean_text

from ..models import (
    Carrier,
    CarrierMapping,
    ChannelException,
    ChannelKind,
    LogisticsReport,
)
from .accounts import client_for, get_account

PLATFORMS = (ChannelKind.TAOBAO, ChannelKind.DOUYIN)


def carriers_refresh(*, actor: Actor, account_id: Any) -> dict:
    """Read the platform's carrier list through one account and add or rename its carriers
    (a carrier the platform no longer lists stays: old mappings keep working until changed)."""
    permissions.require(actor, "channels.manage")
    account = get_account(actor, account_id)
    if account.kind not in PLATFORMS:
        raise NotFound()
    rows = client_for(account).carriers()  # outside the transaction: a platform call
    added = renamed = 0
    with transaction.atomic():
        for code, name in rows:
            code, name = code.strip()[:40], normalize_text(name)[:60] or code[:60]
            carrier, created = Carrier.objects.get_or_create(
                channel=account.kind, code=code, defaults={"name": name}
            )
            if created:
                added += 1
            elif carrier.name != name:
                carrier.name = name
                carrier.save(update_fields=["name", "updated_at"])
                renamed += 1
    return {"listed": len(rows), "added": added, "renamed": renamed}


def _clean_carrier_mapping(errors: Errors, data: dict) -> dict:
    channel = clean_choice(errors, "channel", data.get("channel"), ChannelKind)
    if channel and channel not in PLATFORMS:
        errors.add("channel", _("Only Taobao and Douyin take carrier codes."))
    name = clean_text(errors, "name", normalize_text(data.get("name")), max_length=40,
                      required=True)  # fmt: skip
    code = normalize_text(data.get("code"))
    carrier = Carrier.objects.filter(channel=channel, code=code).first() if code else None
    if carrier is None:
        errors.add("code", _("Unknown carrier code on this platform: %(code)s")
                   % {"code": code or "-"})  # fmt: skip
    return {"channel": channel, "name": name, "carrier": carrier}


@transaction.atomic
def carrier_mapping_save(*, actor: Actor, data: dict) -> dict:
    """Map a warehouse carrier name to a platform code (replacing an earlier mapping of that name)
    and release every report held for it: they get the code and go out with the next delivery."""
    permissions.require(actor, "channels.map_sku")
    errors = Errors()
    c = _clean_carrier_mapping(errors, data)
    errors.raise_if_any()
    mapping, _created = CarrierMapping.objects.update_or_create(
        name=c["name"], channel=c["channel"],
        defaults={"carrier": c["carrier"],
                  "updated_by": recorded(actor)},
    )  # fmt: skip
    held = list(
        LogisticsReport.objects.select_for_update()
        .filter(status=LogisticsReport.Status.HELD, carrier__iexact=c["name"],
                channel_order__account__kind=c["channel"])
        .values_list("pk", "channel_order_id")
    )  # fmt: skip
    ids = [pk for pk, _co in held]
    now = timezone.now()
    LogisticsReport.objects.filter(pk__in=ids).update(
        status=LogisticsReport.Status.PENDING, carrier_code=c["carrier"].code, next_attempt_at=now
    )
    ChannelException.objects.filter(
        reason=ChannelException.Reason.CARRIER,
        channel=c["channel"],
        title__iexact=c["name"],
        resolved_at__isnull=True,
    ).update(resolved_at=now)
    if ids:
        from ..logistics import deliver

        transaction.on_commit(lambda: deliver(ids=ids))
    return {"mapping": mapping, "released": len(ids)}


@transaction.atomic
def carrier_mapping_delete(*, actor: Actor, mapping_id: Any) -> None:
    permissions.require(actor, "channels.map_sku")
    try:
        CarrierMapping.objects.get(pk=mapping_id).delete()
    except (CarrierMapping.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
