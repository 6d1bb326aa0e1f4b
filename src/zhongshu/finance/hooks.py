"""Finance's part in the order status machine (registered from ``FinanceConfig.ready``)."""

from zhongshu.inventory import listeners
from zhongshu.inventory.models import Shipment
from zhongshu.orders import hooks

from . import receivables


@hooks.effect("ship")
def receivables_on_ship(ctx: hooks.TransitionContext) -> None:
    # Runs after inventory's effect (INSTALLED_APPS order), so the last shipment exists; earlier
    # partial shipments of the order without a receivable get theirs here too.
    receivables.create_for(Shipment.objects.filter(order_id=ctx.order.pk))


@listeners.on_shipment
def receivable_on_shipment(shipment: Shipment) -> None:
    # Every package leaving is owed for, a partial one too: its receivable is written with it,
    # so what finance reads (statements, balances, the credit check at confirm) is already there.
    receivables.create_for(Shipment.objects.filter(pk=shipment.pk))
