"""Receivables, payments, adjustments, balances, ageing and credit of customers (reads scoped to
the user; they never write)."""

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict

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

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor
from zhongshu.core.text import normalize_text
from zhongshu.customers.models import Customer

from ..amounts import money_sum
from .statement import ZERO

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from ..models import Payment


class _Balance(TypedDict):
    """What ``balance_list`` annotates a customer with."""

    balance: Decimal


RECEIVABLE_STATES = ("open", "overdue", "paid", "all")
AGEING_BUCKETS = ("not_due", "d0_30", "d31_60", "d61_90", "d90_plus")


def customer_get(*, actor: Actor, code: str, action: str = "finance.view") -> Customer:
    """One customer in the user's scope by code, or ``NotFound``."""
    permissions.require(actor, action)
    code = normalize_text(code or "").upper()
    qs = permissions.scope_customers(actor, Customer.objects.select_related("region"))
    return permissions.get_in_scope(qs, code=code)


def receivable_list(
    *, actor: Actor, customer: str = "", state: str = "", as_of: dt.date | None = None
) -> QuerySet:
    """Receivables of the orders in the user's scope, newest first. ``state``: open (not fully
    paid, the default), overdue (open and past due on ``as_of``), paid, all."""
    from ..models import Receivable

    permissions.require(actor, "finance.view")
    qs = Receivable.objects.select_related("customer", "order", "shipment")
    by_order = permissions.order_scope_q(actor, "order__")
    if by_order is not None:
        # opening receivables have no order: they are scoped by their customer
        by_customer = permissions.customer_scope_q(actor, "customer__")
        opening = Q(order__isnull=True) & (by_customer if by_customer is not None else Q())
        qs = qs.filter(by_order | opening)
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


def ageing(*, actor: Actor, customer: str = "", as_of: dt.date | None = None) -> dict:
    """Open amounts by days past due on ``as_of``: not yet due, 0–30, 31–60, 61–90, over 90
    (a receivable due today is 0 days past due). One aggregate query."""
    as_of = as_of or timezone.localdate()
    qs = receivable_list(actor=actor, customer=customer, state="open", as_of=as_of)
    result = qs.order_by().aggregate(**_bucket_sums(as_of))
    return {"as_of": as_of, **result}


def ageing_by_customer(*, actor: Actor, as_of: dt.date | None = None) -> list[dict]:
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


def balance_list(*, actor: Actor, q: str = "", nonzero: bool = False) -> QuerySet:
    """Customers in scope with their ledger figures, all computed by the database:
    ``billed`` (receivables), ``paid`` (payments net of reversals), ``adjusted``,
    ``balance = billed − paid + adjusted``, ``outstanding`` (unpaid receivables) and ``credit``
    (money received but not allocated)."""
    from ..models import Adjustment, Payment, Receivable

    permissions.require(actor, "finance.view")
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


def balance_get(*, actor: Actor, code: str) -> "WithAnnotations[Customer, _Balance]":
    customer = customer_get(actor=actor, code=code)
    return balance_list(actor=actor).get(pk=customer.pk)


def payment_list(*, actor: Actor, customer: str = "") -> QuerySet:
    from ..models import Payment

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


def payment_get(*, actor: Actor, payment_id) -> "Payment":
    qs = payment_list(actor=actor).prefetch_related("allocations__receivable__shipment")
    return permissions.get_in_scope(qs, pk=payment_id)


def adjustment_list(*, actor: Actor, customer: str = "") -> QuerySet:
    from ..models import Adjustment

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


def confirmation_list(*, actor: Actor, customer: str = "") -> QuerySet:
    from ..models import StatementConfirmation

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


def credit_get(*, actor: Actor, code: str) -> dict:
    """The customer's credit settings and what the credit check says about them today."""
    from .. import credit
    from ..models import CustomerCredit

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
