"""The rules pages in the main navigation, the rules panel of the order page, and the order
list's queue and tag filters."""

from django.db.models import Exists, OuterRef, QuerySet

from zhongshu.core.navigation import nav_entry
from zhongshu.orders.listfilters import list_filter
from zhongshu.orders.panels import register

from .models import OrderTag
from .views import order_panel

nav_entry("rules", "rules.view")
register(order_panel)


@list_filter("queue")
def _in_queue(qs: QuerySet, value: str) -> QuerySet:
    return qs.filter(
        Exists(OrderTag.objects.filter(order=OuterRef("pk"), kind=OrderTag.Kind.QUEUE, tag=value))
    )


@list_filter("tag")
def _tagged(qs: QuerySet, value: str) -> QuerySet:
    return qs.filter(
        Exists(OrderTag.objects.filter(order=OuterRef("pk"), kind=OrderTag.Kind.TAG, tag=value))
    )
