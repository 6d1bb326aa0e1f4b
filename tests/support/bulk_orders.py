"""Many orders pending review at once, for the bulk-action tests: created and submitted through
the orders' own bulk paths (``orders_create_many`` / ``orders_transition_many``)."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone


def pending_orders(*, actor, customer, material, n: int, quantity: str = "1", channel="direct"):
    """``n`` orders of one line (``quantity`` of ``material``), submitted; their ids in order."""
    from zhongshu.orders.bulk import NewLine, NewOrder, orders_create_many, orders_transition_many

    due = timezone.localdate() + dt.timedelta(days=20)
    specs = [
        NewOrder(customer_id=customer.pk, due_date=due,
                 lines=[NewLine(material_id=material.pk, quantity=Decimal(quantity),
                                unit_price=Decimal("10"))])
        for _ in range(n)
    ]  # fmt: skip
    with transaction.atomic():
        created = orders_create_many(actor=actor, orders=specs, channel=channel)
        orders = [o for o in created if not isinstance(o, Exception)]
        assert len(orders) == n, created
        moved = orders_transition_many(actor=actor, orders=orders, action="submit", system=True)
        assert not moved.refused, moved.refused
    return [o.pk for o in orders]
