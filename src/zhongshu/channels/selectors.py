"""Reads for the channel pages and API (everything here needs channels.view)."""

from django.db.models import Count, Q

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor

from .models import (
    ChannelAccount,
    ChannelException,
    ChannelKind,
    ChannelOrder,
    SkuMapping,
    SyncRun,
)


def account_list(*, actor: Actor):
    permissions.require(actor, "channels.view")
    return ChannelAccount.objects.select_related("default_region").annotate(
        n_orders=Count("orders", distinct=True),
        n_ordered=Count("orders", filter=Q(orders__state=ChannelOrder.State.ORDERED),
                        distinct=True),
        n_exceptions=Count("orders", filter=Q(orders__state=ChannelOrder.State.EXCEPTION),
                           distinct=True),
        n_errors=Count("orders", filter=Q(orders__state=ChannelOrder.State.ERROR), distinct=True),
    )  # fmt: skip


def mapping_list(*, actor: Actor, channel: str = "", q: str = ""):
    permissions.require(actor, "channels.view")
    qs = SkuMapping.objects.select_related("material")
    if channel:
        qs = qs.filter(channel=channel)
    if q:
        qs = qs.filter(Q(channel_sku__icontains=q) | Q(material__code__icontains=q))
    return qs


def address_rule_list(*, actor: Actor):
    permissions.require(actor, "channels.view")
    from .models import AddressRegion

    return AddressRegion.objects.select_related("region")


def exception_list(*, actor: Actor, channel: str = ""):
    permissions.require(actor, "channels.view")
    qs = ChannelException.objects.filter(resolved_at__isnull=True).select_related(
        "channel_order__account", "channel_order__order"
    )
    qs = permissions.scope_channel_orders(actor, qs, prefix="channel_order__")
    return qs.filter(channel=channel) if channel else qs


POOL_FILTERS = ("account", "channel", "state", "q", "since", "until")


def order_pool(*, actor: Actor, account: str = "", channel: str = "", state: str = "", q: str = "",
               since=None, until=None):  # fmt: skip
    """The channel order pool, newest first, in the user's regions, with the internal order."""
    permissions.require(actor, "channels.view")
    qs = ChannelOrder.objects.select_related("account", "order", "customer").defer("payload")
    qs = permissions.scope_channel_orders(actor, qs)
    if account and str(account).isdigit():
        qs = qs.filter(account_id=int(account))
    if channel in ChannelKind.values:
        qs = qs.filter(account__kind=channel)
    if state in ChannelOrder.State.values:
        qs = qs.filter(state=state)
    if q:
        qs = qs.filter(Q(external_id__icontains=q) | Q(buyer_name__icontains=q)
                       | Q(order__number__icontains=q))  # fmt: skip
    if since:
        qs = qs.filter(modified_at__date__gte=since)
    if until:
        qs = qs.filter(modified_at__date__lte=until)
    return qs


def run_list(*, actor: Actor, account_id: int | None = None):
    permissions.require(actor, "channels.view")
    qs = SyncRun.objects.all()
    return qs.filter(account_id=account_id) if account_id else qs


def carrier_list(*, actor: Actor, channel: str = ""):
    permissions.require(actor, "channels.view")
    from .models import Carrier

    qs = Carrier.objects.all()
    return qs.filter(channel=channel) if channel else qs


def carrier_mapping_list(*, actor: Actor):
    permissions.require(actor, "channels.view")
    from .models import CarrierMapping

    return CarrierMapping.objects.select_related("carrier")


def routing_rule_list(*, actor: Actor):
    """The routing rules in the order conversion tries them."""
    permissions.require(actor, "channels.view")
    from .models import RoutingRule

    return RoutingRule.objects.select_related("account", "region", "owner").order_by(
        "priority", "id"
    )
