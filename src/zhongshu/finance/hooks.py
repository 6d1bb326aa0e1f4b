"""Finance's part in the order status machine (registered from ``FinanceConfig.ready``)."""

from zhongshu.inventory.models import Shipment
from zhongshu.orders import hooks

from . import receivables


@hooks.effect("ship")
def receivables_on_ship(ctx: hooks.TransitionContext) -> None:
    # Runs after inventory's effect (INSTALLED_APPS order), so the last shipment exists; earlier
    # partial shipments of the order without a receivable get theirs here too.
    receivables.create_for(Shipment.objects.filter(order_id=ctx.order.pk))
