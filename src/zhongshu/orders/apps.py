from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "zhongshu.orders"
    label = "orders"
    verbose_name = _("Orders")

    def ready(self) -> None:
        from zhongshu.accounts import permissions
        from zhongshu.customfields import registry

        from .models import Order, OrderLine

        registry.register("order", Order, permissions.scope_orders)
        registry.register(
            "order_line",
            OrderLine,
            lambda actor, qs: qs.filter(
                order__in=permissions.scope_orders(actor, Order.objects.all())
            ),
        )
