"""Receivables are derived from shipments: one per shipment, written once.

When: in the transaction that writes the shipment (``hooks.receivable_on_shipment``, an
``inventory.listeners.on_shipment`` listener), and again in the transaction of the order's ``ship``
transition (``hooks.receivables_on_ship``) for every shipment of the order that has none yet.
``sync()`` is the explicit catch-up for shipments made without finance listening (before this
module, or data loaded around the services): an idempotent anti-join run by the periodic job
``finance.sync_receivables``, by ``zhongshu finance_sync_receivables`` and by the payment services
before they allocate. Reads (the finance selectors, the credit check) never write: they see what
these wrote.

Amount: the sum over the shipment's lines of ``selectors.line_amount`` — exactly the figure of the
reconciliation statement. Due date: see ``due_date``.
"""

import calendar
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from zhongshu.inventory.models import Shipment, ShipmentLine
from zhongshu.orders.statuses import PaymentTerms

from .models import Receivable

NET_DAYS: dict[str, int] = {PaymentTerms.NET30: 30, PaymentTerms.NET60: 60, PaymentTerms.NET90: 90}


def due_date(terms: str, shipped_on: dt.date) -> dt.date:
    """Prepaid and cash on delivery are due on the shipping day (anything still open is late);
    "monthly statement, N days" (月结N天) is due N days after the end of the shipping month."""
    days = NET_DAYS.get(terms)
    if days is None:
        return shipped_on
    month_end = shipped_on.replace(day=calendar.monthrange(shipped_on.year, shipped_on.month)[1])
    return month_end + dt.timedelta(days=days)


def create_for(shipments: QuerySet) -> int:
    """Write the missing receivables of these shipments; returns how many were written."""
    from .selectors import line_amount

    missing = list(
        shipments.filter(receivable__isnull=True)
        .order_by("id")
        .values_list("id", "order_id", "order__customer_id", "order__payment_terms", "shipped_at")[
            :5000
        ]
    )
    if not missing:
        return 0
    amounts: dict[int, Decimal] = defaultdict(Decimal)
    for shipment_id, *values in ShipmentLine.objects.filter(
        shipment_id__in=[m[0] for m in missing]
    ).values_list(
        "shipment_id",
        "quantity",
        "order_line__unit_price",
        "shipment__order__discount_rate",
        "shipment__order__tax_rate",
    ):
        amounts[shipment_id] += line_amount(*values)
    rows = []
    for shipment_id, order_id, customer_id, terms, shipped_at in missing:
        day = timezone.localtime(shipped_at).date()
        rows.append(
            Receivable(
                shipment_id=shipment_id,
                order_id=order_id,
                customer_id=customer_id,
                amount=amounts[shipment_id],
                payment_terms=terms,
                issued_on=day,
                due_on=due_date(terms, day),
            )
        )
    Receivable.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows) + create_for(shipments) if len(missing) == 5000 else len(rows)


@transaction.atomic
def sync() -> int:
    """Write the receivables of every shipment that has none (normally none: one cheap
    anti-join); returns how many were written. A write: run by the periodic job, the backfill
    command and the payment services, never by a read."""
    return create_for(Shipment.objects.all())


def sync_job() -> int:
    """The periodic job ``finance.sync_receivables``."""
    return sync()
