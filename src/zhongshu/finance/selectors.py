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
what was actually shipped.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Case,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.core.errors import NotFound
from zhongshu.core.text import normalize_text
from zhongshu.core.validation import Errors
from zhongshu.customers.models import Customer
from zhongshu.inventory.models import ShipmentLine
from zhongshu.orders.models import Order, money
from zhongshu.orders.statuses import OrderStatus

from .amounts import cents, money_sum

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


# --- payments and adjustments of the finance ledger ------------------------------------------------


def _payments(customer: Customer, start: dt.date, end: dt.date):
    from .models import Payment

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
    from .models import Adjustment

    qs = Adjustment.objects.filter(customer=customer)
    before = cents(qs.filter(made_on__lt=start).aggregate(s=Sum("amount"))["s"])
    rows = [
        AdjustmentRow(date=a.made_on, reason=a.reason, amount=a.amount)
        for a in qs.filter(made_on__gte=start, made_on__lte=end).order_by("made_on", "id")
    ]
    return before, rows


# --- inputs ---------------------------------------------------------------------------------------


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
    return Period(customer=code, start=start_day, end=end_day)


# --- the statement --------------------------------------------------------------------------------


def statement_customers(*, actor) -> QuerySet:
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


def reconciliation(*, actor, period: Period) -> Statement:
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


# --- receivables, payments, balances, ageing ----------------------------------------------------

RECEIVABLE_STATES = ("open", "overdue", "paid", "all")
AGEING_BUCKETS = ("not_due", "d0_30", "d31_60", "d61_90", "d90_plus")


def customer_get(*, actor, code: str, action: str = "finance.view") -> Customer:
    """One customer in the user's scope by code, or ``NotFound``."""
    permissions.require(actor, action)
    code = normalize_text(code or "").upper()
    qs = permissions.scope_customers(actor, Customer.objects.select_related("region"))
    return permissions.get_in_scope(qs, code=code)


def receivable_list(
    *, actor, customer: str = "", state: str = "", as_of: dt.date | None = None
) -> QuerySet:
    """Receivables of the orders in the user's scope, newest first. ``state``: open (not fully
    paid, the default), overdue (open and past due on ``as_of``), paid, all."""
    from . import receivables
    from .models import Receivable

    permissions.require(actor, "finance.view")
    receivables.sync()
    qs = permissions.scope_orders(
        actor,
        Receivable.objects.select_related("customer", "order", "shipment"),
        prefix="order__",
    )
    if customer:
        qs = qs.filter(customer=customer_get(actor=actor, code=customer))
    as_of = as_of or timezone.localdate()
    state = state or "open"
    if state in ("open", "overdue"):
        qs = qs.filter(allocated__lt=F("amount"))
    if state == "overdue":
        qs = qs.filter(due_on__lt=as_of)
    elif state == "paid":
        qs = qs.filter(allocated=F("amount"))
    return qs.order_by("-id")


def _bucket_sums(as_of: dt.date) -> dict:
    outstanding = F("amount") - F("allocated")
    d = dt.timedelta

    def when(**lookup):
        return money_sum(Sum(Case(When(then=outstanding, **lookup), default=Value(ZERO))))

    return {
        "not_due": when(due_on__gt=as_of),
        "d0_30": when(due_on__lte=as_of, due_on__gte=as_of - d(days=30)),
        "d31_60": when(due_on__lt=as_of - d(days=30), due_on__gte=as_of - d(days=60)),
        "d61_90": when(due_on__lt=as_of - d(days=60), due_on__gte=as_of - d(days=90)),
        "d90_plus": when(due_on__lt=as_of - d(days=90)),
        "total": money_sum(Sum(outstanding)),
    }


def ageing(*, actor, customer: str = "", as_of: dt.date | None = None) -> dict:
    """Open amounts by days past due on ``as_of``: not yet due, 0–30, 31–60, 61–90, over 90
    (a receivable due today is 0 days past due). One aggregate query."""
    as_of = as_of or timezone.localdate()
    qs = receivable_list(actor=actor, customer=customer, state="open", as_of=as_of)
    result = qs.order_by().aggregate(**_bucket_sums(as_of))
    return {"as_of": as_of, **result}


def ageing_by_customer(*, actor, as_of: dt.date | None = None) -> list[dict]:
    """The same buckets per customer, largest total first (one grouped query)."""
    as_of = as_of or timezone.localdate()
    qs = receivable_list(actor=actor, state="open", as_of=as_of)
    rows = (
        qs.order_by()
        .values("customer__code", "customer__name")
        .annotate(**_bucket_sums(as_of))
        .order_by("-total", "customer__code")
    )
    return [{"code": r.pop("customer__code"), "name": r.pop("customer__name"), **r} for r in rows]


def _sum_of(model, field: str, expr=None):
    return money_sum(
        Subquery(
            model.objects.filter(customer=OuterRef("pk"))
            .order_by()
            .values("customer")
            .annotate(s=Sum(expr if expr is not None else F(field)))
            .values("s")[:1]
        )
    )


def balance_list(*, actor, q: str = "", nonzero: bool = False) -> QuerySet:
    """Customers in scope with their ledger figures, all computed by the database:
    ``billed`` (receivables), ``paid`` (payments net of reversals), ``adjusted``,
    ``balance = billed − paid + adjusted``, ``outstanding`` (unpaid receivables) and ``credit``
    (money received but not allocated)."""
    from . import receivables
    from .models import Adjustment, Payment, Receivable

    permissions.require(actor, "finance.view")
    receivables.sync()
    qs = permissions.scope_customers(actor, Customer.objects.select_related("region"))
    text = normalize_text(q or "")
    if text:
        qs = qs.filter(Q(code__icontains=text) | Q(name__icontains=text))
    qs = qs.annotate(
        billed=_sum_of(Receivable, "amount"),
        outstanding=_sum_of(Receivable, "", F("amount") - F("allocated")),
        paid=_sum_of(Payment, "amount"),
        credit=_sum_of(Payment, "", F("amount") - F("allocated")),
        adjusted=_sum_of(Adjustment, "amount"),
    ).annotate(
        balance=money_sum(F("billed") - F("paid") + F("adjusted")),
    )
    if nonzero:
        qs = qs.filter(Q(billed__gt=0) | Q(paid__gt=0) | ~Q(adjusted=0))
    return qs.order_by("code")


def balance_get(*, actor, code: str) -> Customer:
    customer = customer_get(actor=actor, code=code)
    return balance_list(actor=actor).get(pk=customer.pk)


def payment_list(*, actor, customer: str = "") -> QuerySet:
    from .models import Payment

    permissions.require(actor, "finance.view")
    qs = permissions.scope_customers(
        actor,
        Payment.objects.select_related("customer", "created_by", "reverses").annotate(
            reversed_by=F("reversal__id")
        ),
        prefix="customer__",
    )
    if customer:
        qs = qs.filter(customer=customer_get(actor=actor, code=customer))
    return qs.order_by("-id")


def payment_get(*, actor, payment_id) -> "Payment":  # noqa: F821
    qs = payment_list(actor=actor).prefetch_related("allocations__receivable__shipment")
    return permissions.get_in_scope(qs, pk=payment_id)


def adjustment_list(*, actor, customer: str = "") -> QuerySet:
    from .models import Adjustment

    permissions.require(actor, "finance.view")
    qs = permissions.scope_customers(
        actor,
        Adjustment.objects.select_related("customer", "created_by").annotate(
            reversed_by=F("reversal__id")
        ),
        prefix="customer__",
    )
    if customer:
        qs = qs.filter(customer=customer_get(actor=actor, code=customer))
    return qs.order_by("-id")


def confirmation_list(*, actor, customer: str = "") -> QuerySet:
    from .models import StatementConfirmation

    permissions.require(actor, "finance.reconciliation")
    qs = permissions.scope_customers(
        actor,
        StatementConfirmation.objects.select_related("customer", "recorded_by"),
        prefix="customer__",
    )
    if customer:
        qs = qs.filter(
            customer=customer_get(actor=actor, code=customer, action="finance.reconciliation")
        )
    return qs.order_by("-id")


def credit_get(*, actor, code: str) -> dict:
    """The customer's credit settings and what the credit check says about them today."""
    from . import credit
    from .models import CustomerCredit

    customer = balance_get(actor=actor, code=code)
    setting = CustomerCredit.objects.filter(customer=customer).first()
    return {
        "customer": customer,
        "credit_limit": setting.credit_limit if setting else None,
        "overdue_days": setting.overdue_days if setting else None,
        "effective_overdue_days": credit.overdue_days_for(setting),
        "balance": customer.balance,
        "reasons": credit.reasons_for(customer),
    }
