"""After-sales reads, scoped by the orders the user may see."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor
from zhongshu.core.text import normalize_text
from zhongshu.core.validation import Errors
from zhongshu.orders.models import Order

from .models import Case, CaseStatus, Category, Severity


@dataclass
class CaseFilters:
    status: str = ""
    category: str = ""
    severity: str = ""
    order: str = ""
    q: str = ""


def case_list(*, actor: Actor, filters: CaseFilters | None = None) -> QuerySet:
    permissions.require(actor, "aftersales.view")
    f = filters or CaseFilters()
    qs = permissions.scope_orders(
        actor,
        Case.objects.select_related(
            "order", "order__customer", "shipment", "material", "owner", "created_by"
        ),
        prefix="order__",
    )
    if f.status in CaseStatus.values:
        qs = qs.filter(status=f.status)
    elif f.status == "active":
        qs = qs.filter(status__in=[CaseStatus.OPEN, CaseStatus.IN_PROGRESS])
    if f.category in Category.values:
        qs = qs.filter(category=f.category)
    if f.severity in Severity.values:
        qs = qs.filter(severity=f.severity)
    order = normalize_text(f.order or "")
    if order:
        qs = qs.filter(order__number__iexact=order)
    text = normalize_text(f.q or "")
    if text:
        qs = qs.filter(
            Q(description__icontains=text)
            | Q(order__customer__name__icontains=text)
            | Q(order__customer__code__iexact=text)
        )
    return qs.order_by("-id")


def case_get(*, actor: Actor, case_id) -> Case:
    return permissions.get_in_scope(case_list(actor=actor), pk=case_id)


def quarter_bounds(year: int, quarter: int) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime(year, 3 * (quarter - 1) + 1, 1, tzinfo=tz)
    end = dt.datetime(year + (quarter == 4), (3 * quarter) % 12 + 1, 1, tzinfo=tz)
    return start, end


def clean_quarter(year, quarter) -> tuple[int, int]:
    errors = Errors()
    out = []
    for name, raw, low, high in (("year", year, 2000, 2100), ("quarter", quarter, 1, 4)):
        try:
            value = int(str(raw).strip())
            if not low <= value <= high:
                raise ValueError
            out.append(value)
        except (TypeError, ValueError):
            errors.add(name, _("Enter a whole number from %(a)d to %(b)d.") % {"a": low, "b": high})
    errors.raise_if_any()
    return out[0], out[1]


def complaint_rate(*, actor: Actor, year, quarter) -> dict:
    """Cases opened in the quarter ÷ orders shipped in the quarter (local time), both in the
    user's order scope. ``rate`` is ``None`` when nothing was shipped. Two queries."""
    permissions.require(actor, "aftersales.view")
    year, quarter = clean_quarter(year, quarter)
    start, end = quarter_bounds(year, quarter)
    cases = (
        permissions.scope_orders(actor, Case.objects.all(), prefix="order__")
        .filter(created_at__gte=start, created_at__lt=end)
        .aggregate(n=Count("id"))["n"]
    )
    shipped = (
        permissions.scope_orders(actor, Order.objects.all())
        .filter(shipped_at__gte=start, shipped_at__lt=end)
        .aggregate(n=Count("id"))["n"]
    )
    rate = (Decimal(cases) / Decimal(shipped)).quantize(Decimal("0.0001")) if shipped else None
    return {
        "year": year,
        "quarter": quarter,
        "cases": cases,
        "shipped_orders": shipped,
        "rate": rate,
    }
