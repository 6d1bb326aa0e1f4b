"""The exception queue: retrying after a mapping or a region rule, dismissing."""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor
from zhongshu.core.errors import ValidationFailed
from zhongshu.core.text import normalize_text

from .. import platforms as p
from ..models import (
    ChannelException,
    ChannelOrder,
    ChannelOrderEvent,
)
from ._common import State, normalize
from .ingest import Ingest
from .mappings import address_rule_save, mapping_save


def retry_channel_order(*, actor: Actor, channel_order_id: Any) -> ChannelOrder:
    """Convert a waiting channel order again (after its SKUs were mapped)."""
    permissions.require(actor, "channels.map_sku")
    scoped = permissions.scope_channel_orders(actor, ChannelOrder.objects.all())
    co = permissions.get_in_scope(scoped, pk=channel_order_id)
    return _retry(co.pk)


def _retry(channel_order_id: int) -> ChannelOrder:
    with transaction.atomic():
        co = (
            ChannelOrder.objects.select_for_update()
            .select_related("account")
            .get(pk=channel_order_id)
        )
        ext = normalize(co.account.kind, co.payload)
        if ext is None or co.order_id is not None or ext.phase != p.PAID:
            return co
        Ingest(co.account, source=co.source).convert(co, ext)
        return co


def map_and_retry(*, actor: Actor, exception_id: Any, material: str, multiplier: Any = 1) -> dict:
    """Map the SKU of one exception line, then retry every channel order waiting on that SKU (in
    every region: the mapping is per channel, and the orders are converted by the channel bot)."""
    permissions.require(actor, "channels.map_sku")
    exc = permissions.get_in_scope(
        permissions.scope_channel_orders(
            actor, ChannelException.objects.filter(resolved_at__isnull=True), "channel_order__"
        ),
        pk=exception_id,
    )
    if exc.reason != ChannelException.Reason.SKU:
        raise ValidationFailed(
            {"material": _("This order waits for a sales region, not a mapping: choose a region.")}
        )
    sku = exc.sku_id or exc.outer_sku
    mapping = mapping_save(
        actor=actor,
        data={"channel": exc.channel, "channel_sku": sku, "material": material,
              "multiplier": multiplier},
    )  # fmt: skip
    waiting = list(
        ChannelOrder.objects.filter(
            state=State.EXCEPTION,
            account__kind=exc.channel,
            exceptions__resolved_at__isnull=True,
            exceptions__reason=ChannelException.Reason.SKU,
            exceptions__sku_id=exc.sku_id,
            exceptions__outer_sku=exc.outer_sku,
        )
        .values_list("pk", flat=True)
        .distinct()
    )
    retried = [_retry(pk) for pk in waiting]
    return {
        "mapping_id": mapping.pk,
        "retried": len(retried),
        "ordered": sum(1 for co in retried if co.state == State.ORDERED),
    }


@transaction.atomic
def exception_dismiss(*, actor: Actor, exception_id: Any, note: str = "") -> ChannelOrder:
    """Resolve an exception without an internal order (e.g. a test order or a gift line handled by
    hand): the channel order is closed with the reason and the actor's name."""
    permissions.require(actor, "channels.map_sku")
    exc = permissions.get_in_scope(
        permissions.scope_channel_orders(
            actor, ChannelException.objects.filter(resolved_at__isnull=True), "channel_order__"
        ),
        pk=exception_id,
    )
    co = ChannelOrder.objects.select_for_update().get(pk=exc.channel_order_id)
    if exc.reason in ChannelException.AFTER_CONVERSION:
        # seen and handled by hand: the internal order stays as it is, only this one is resolved
        exc.resolved_at = timezone.now()
        exc.detail = f"{exc.detail}\n{normalize_text(note)[:300]} ({actor.get_username()})".strip()
        exc.save(update_fields=["resolved_at", "detail"])
        return co
    ChannelException.objects.filter(channel_order=co, resolved_at__isnull=True).update(
        resolved_at=timezone.now()
    )
    reason = normalize_text(note)[:300] or _("Dismissed")
    co.state = State.CLOSED
    co.error = f"{reason} ({actor.get_username()})"[:500]
    co.save(update_fields=["state", "error", "updated_at"])
    ChannelOrderEvent.objects.create(channel_order=co, status=co.status, modified_at=co.modified_at,
                                     source="manual", note=co.error[:200])  # fmt: skip
    return co


def route_and_retry(
    *, actor: Actor, exception_id: Any, region: str, city_only: bool = False
) -> dict:
    """The one-click fix of an address in no sales region: route its province (or, with
    ``city_only``, just its city) to ``region``, then retry every channel order waiting on an
    address that the new rule covers."""
    permissions.require(actor, "channels.map_sku")
    exc = permissions.get_in_scope(
        permissions.scope_channel_orders(
            actor, ChannelException.objects.filter(resolved_at__isnull=True), "channel_order__"
        ),
        pk=exception_id,
    )
    if exc.reason != ChannelException.Reason.ADDRESS:
        raise ValidationFailed(
            {"region": _("This order waits for a SKU mapping, not a region: map the SKU.")}
        )
    rule = address_rule_save(
        actor=actor,
        data={"province": exc.province, "city": exc.city if city_only else "", "region": region},
    )
    covered = ChannelException.objects.filter(
        resolved_at__isnull=True, reason=ChannelException.Reason.ADDRESS, province=rule.province
    )
    if rule.city:
        covered = covered.filter(city=rule.city)
    waiting = list(
        ChannelOrder.objects.filter(state=State.EXCEPTION, exceptions__in=covered)
        .values_list("pk", flat=True)
        .distinct()
    )
    retried = [_retry(pk) for pk in waiting]
    return {
        "rule_id": rule.pk,
        "retried": len(retried),
        "ordered": sum(1 for co in retried if co.state == State.ORDERED),
    }
