"""The reconciliation statement (对账单) of one customer over one period.

Definitions (docs/exports.md says the same in prose):

* a shipment line's amount is what the order charges for it, computed the way the order computes
  its total: ``base = round(quantity × unit price)``, ``net = base × (1 − discount%)``,
  ``amount = round(net) + round(net × tax%)`` (rounded to the fen, half up);
* shipped in the period = the sum of the amounts of the lines of the customer's shipments whose
  shipping day (local time) is in ``[start, end]``;
* payments are the payment records of the finance module, dated by the day the money was received;
  a reversal is listed as a negative payment on its own day;
* adjustments are the finance adjustments (debit notes positive, credit notes negative), likewise;
* opening balance = everything shipped before ``start`` − everything paid before ``start``
  + every adjustment before ``start``;
* closing balance = opening + shipped in the period − paid in the period + adjusted in the period.

The orders table lists the customer's orders placed (created) in the period that were not drafts,
awaiting review or cancelled; it is for reference and does not change the balance, which follows
what was actually shipped."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    QuerySet,
    Sum,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor
from zhongshu.core.errors import NotFound
from zhongshu.core.text import normalize_text
from zhongshu.core.validation import Errors
from zhongshu.customers.models import Customer
from zhongshu.inventory.models import ShipmentLine
from zhongshu.orders.models import Order, money
from zhongshu.orders.statuses import OrderStatus

from ..amounts import cents

ZERO = Decimal("0")
MAX_PERIOD_DAYS = 3 * 366
NOT_PLACED = {OrderStatus.DRAFT, OrderStatus.PENDING_REVIEW, OrderStatus.CANCELLED}


def line_amount(quantity: Decimal, unit_price: Decimal, discount_rate, tax_rate) -> Decimal:
    """What a shipped quantity is charged, incl. tax, as ``Order.compute_amounts`` computes."""
    net = money(quantity * unit_price) * (1 - Decimal(discount_rate) / 100)
    return money(net) + money(net * Decimal(tax_rate) / 100)


@dataclass
class OrderRow:
    number: str
    date: dt.date
    due_date: dt.date
    status: str
    status_label: str
    total: Decimal


@dataclass
class ShipmentLineRow:
    material_code: str
    material_name: str
    unit: str
    quantity: Decimal
    unit_price: Decimal
    discount_rate: Decimal
    tax_rate: Decimal
    amount: Decimal


@dataclass
class ShipmentRow:
    number: str
    date: dt.date
    order_number: str
    lines: list[ShipmentLineRow] = field(default_factory=list)

    @property
    def amount(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)


@dataclass
class PaymentRow:
    date: dt.date
    reference: str
    amount: Decimal
    note: str = ""


@dataclass
class AdjustmentRow:
    date: dt.date
    reason: str
    amount: Decimal


@dataclass
class Statement:
    customer: Customer
    start: dt.date
    end: dt.date
    opening_balance: Decimal
    orders: list[OrderRow]
    shipments: list[ShipmentRow]
    payments: list[PaymentRow]
    payments_recorded: bool
    generated_at: dt.datetime
    adjustments: list[AdjustmentRow] = field(default_factory=list)

    @property
    def ordered_total(self) -> Decimal:
        return sum((o.total for o in self.orders), ZERO)

    @property
    def shipped_total(self) -> Decimal:
        return sum((s.amount for s in self.shipments), ZERO)

    @property
    def paid_total(self) -> Decimal:
        return sum((p.amount for p in self.payments), ZERO)

    @property
    def adjusted_total(self) -> Decimal:
        return sum((a.amount for a in self.adjustments), ZERO)

    @property
    def closing_balance(self) -> Decimal:
        return self.opening_balance + self.shipped_total - self.paid_total + self.adjusted_total


def _payments(customer: Customer, start: dt.date, end: dt.date):
    from ..models import Payment

    qs = Payment.objects.filter(customer=customer)
    paid_before = cents(qs.filter(received_on__lt=start).aggregate(s=Sum("amount"))["s"])
    rows = [
        PaymentRow(date=p.received_on, reference=p.reference, amount=p.amount, note=p.note)
        for p in qs.filter(received_on__gte=start, received_on__lte=end).order_by(
            "received_on", "id"
        )
    ]
    return paid_before, rows


def _adjustments(customer: Customer, start: dt.date, end: dt.date):
    """Adjustments, and the opening receivables (owed before the system started, imported:
    no shipment to list them under) shown among them as what they are."""
    from ..models import Adjustment, Receivable

    qs = Adjustment.objects.filter(customer=customer)
    before = cents(qs.filter(made_on__lt=start).aggregate(s=Sum("amount"))["s"])
    rows = [
        AdjustmentRow(date=a.made_on, reason=a.reason, amount=a.amount)
        for a in qs.filter(made_on__gte=start, made_on__lte=end).order_by("made_on", "id")
    ]
    # few per customer (one per document owed at go-live): one query, summed here
    opening = Receivable.objects.filter(
        customer=customer, shipment__isnull=True, issued_on__lte=end
    ).values_list("issued_on", "document", "amount")
    for day, document, amount in opening.order_by("issued_on", "id"):
        if day < start:
            before += amount
        else:
            rows.append(
                AdjustmentRow(
                    date=day,
                    reason=_("Opening receivable %(document)s") % {"document": document},
                    amount=amount,
                )
            )
    rows.sort(key=lambda a: a.date)
    return before, rows


@dataclass
class Period:
    customer: str
    start: dt.date
    end: dt.date


def _date(errors: Errors, name: str, raw) -> dt.date | None:
    if isinstance(raw, dt.date):
        return raw
    text = normalize_text(raw or "")
    if not text:
        errors.add(name, _("This field is required."))
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        errors.add(name, _("Enter a date as YYYY-MM-DD."))
        return None


def clean_period(*, customer, start, end) -> Period:
    """Check the statement's inputs; every problem is reported at once (422)."""
    errors = Errors()
    code = normalize_text(customer or "").upper()
    if not code:
        errors.add("customer", _("This field is required."))
    elif len(code) > 32:
        errors.add("customer", _("At most %(n)d characters.") % {"n": 32})
    start_day, end_day = _date(errors, "start", start), _date(errors, "end", end)
    if start_day and end_day:
        if start_day > end_day:
            errors.add("end", _("The end of the period is before its start."))
        elif (end_day - start_day).days > MAX_PERIOD_DAYS:
            errors.add("end", _("A statement covers at most three years."))
    errors.raise_if_any()
    assert start_day is not None and end_day is not None  # a missing date was refused above
    return Period(customer=code, start=start_day, end=end_day)


def statement_customers(*, actor: Actor) -> QuerySet:
    """The customers the user may draw up statements for."""
    permissions.require(actor, "finance.reconciliation")
    return permissions.scope_customers(actor, Customer.objects.select_related("region"))


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def _line_values(qs: QuerySet) -> Iterable:
    return qs.values_list(
        "quantity",
        "order_line__unit_price",
        "shipment__order__discount_rate",
        "shipment__order__tax_rate",
    ).iterator(chunk_size=2000)


def reconciliation(*, actor: Actor, period: Period) -> Statement:
    permissions.require(actor, "finance.reconciliation")
    customer = statement_customers(actor=actor).filter(code=period.customer).first()
    if customer is None:
        raise NotFound()
    start, end_excl = _day_start(period.start), _day_start(period.end + dt.timedelta(days=1))
    orders = permissions.scope_orders(actor, Order.objects.filter(customer=customer))
    lines = ShipmentLine.objects.filter(
        shipment__order__in=orders.values("pk"),
    )

    opening_shipped = sum(
        (line_amount(*v) for v in _line_values(lines.filter(shipment__shipped_at__lt=start))),
        ZERO,
    )
    paid_before, payments = _payments(customer, period.start, period.end)
    adjusted_before, adjustments = _adjustments(customer, period.start, period.end)

    shipments: dict[int, ShipmentRow] = {}
    in_period = (
        lines.filter(shipment__shipped_at__gte=start, shipment__shipped_at__lt=end_excl)
        .select_related("shipment", "shipment__order", "order_line", "order_line__material")
        .order_by("shipment__shipped_at", "shipment_id", "id")
    )
    for sl in in_period:
        ship, order, ol = sl.shipment, sl.shipment.order, sl.order_line
        row = shipments.get(ship.pk)
        if row is None:
            row = shipments[ship.pk] = ShipmentRow(
                number=ship.number,
                date=timezone.localtime(ship.shipped_at).date(),
                order_number=order.number,
            )
        row.lines.append(
            ShipmentLineRow(
                material_code=ol.material.code,
                material_name=ol.material.name,
                unit=ol.material.unit,
                quantity=sl.quantity,
                unit_price=ol.unit_price,
                discount_rate=order.discount_rate,
                tax_rate=order.tax_rate,
                amount=line_amount(sl.quantity, ol.unit_price, order.discount_rate, order.tax_rate),
            )
        )

    labels = {value: str(label) for value, label in OrderStatus.choices}
    placed = (
        orders.filter(created_at__gte=start, created_at__lt=end_excl)
        .exclude(status__in=NOT_PLACED)
        .order_by("created_at", "id")
    )
    order_rows = [
        OrderRow(
            number=o.number,
            date=timezone.localtime(o.created_at).date(),
            due_date=o.due_date,
            status=o.status,
            status_label=labels.get(o.status, o.status),
            total=o.total_amount,
        )
        for o in placed
    ]
    return Statement(
        customer=customer,
        start=period.start,
        end=period.end,
        opening_balance=opening_shipped - paid_before + adjusted_before,
        orders=order_rows,
        shipments=list(shipments.values()),
        payments=payments,
        payments_recorded=True,
        generated_at=timezone.now(),
        adjustments=adjustments,
    )
