"""Order reads, always scoped to the user (other regions simply do not exist for them)."""

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.catalog.models import Material
from zhongshu.core.actors import Actor
from zhongshu.core.text import normalize_code, normalize_text
from zhongshu.core.validation import Errors
from zhongshu.customers.models import Customer
from zhongshu.customfields import query as custom_query
from zhongshu.customfields import selectors as custom_fields
from zhongshu.customfields.models import FieldDefinition

from . import listfilters
from .models import Order, OrderEvent, OrderLine

# a custom-field condition of the list (field, operator, value), as ``parse_custom_filters`` reads it
CustomCondition = tuple[FieldDefinition, str, Any]

MAX_CUSTOMER_IDS = 500
MIN_PARTIAL = 4  # characters of an external number before a partial match is tried


@dataclass
class OrderFilters:
    status: Sequence[str] | None = None
    customer: str = ""
    priority: str = ""
    due_before: dt.date | None = None
    due_after: dt.date | None = None
    created_from: dt.date | None = None  # order date (local), inclusive
    created_to: dt.date | None = None
    q: str = ""
    channel: str = ""
    owner_id: int | None = None
    queue: str = ""  # the queue a routing rule put the order in (``listfilters``)
    tag: str = ""
    # [(definition, op, value)] from ``parse_custom_filters``; "" / "-due_date" / "cf_<key>" …
    custom: list[CustomCondition] = field(default_factory=list)
    sort: str = ""


# sort name → order_by; every one ends in id so pages are stable
SORTS = {
    "due_date": ("due_date", "id"),
    "-due_date": ("-due_date", "-id"),
    "created": ("id",),
    "-created": ("-id",),
    "total": ("total_amount", "id"),
    "-total": ("-total_amount", "-id"),
    "number": ("number",),
    "-number": ("-number",),
}


def parse_custom_filters(
    *, actor: Actor, params: QueryDict | Mapping[str, list[str]], errors: Errors
) -> list[CustomCondition]:
    """``cf_<key>…`` list parameters → filters on the custom fields the actor may see and filter
    on; anything else (a hidden field, a bad value) is an error, never a silent no-op."""
    return custom_query.parse_filters(custom_fields.filterable(actor, "order"), params, errors)


def _sort_field(actor: Actor, sort: str) -> FieldDefinition | None:
    """The filterable, sortable custom field a ``cf_<key>`` / ``-cf_<key>`` sort names, if any."""
    base = sort.removeprefix("-")
    if not base.startswith("cf_"):
        return None
    fields = custom_fields.filterable(actor, "order")
    return next((d for d in fields if d.param == base and d.sortable), None)


# sorts by a field of a field group: refused to whoever's roles hide the field (its order would
# tell what the field hides)
SORT_FIELDS = {"total": "total_amount"}


def parse_sort(*, actor: Actor, value: str, errors: Errors, name: str = "sort") -> str:
    value = (value or "").strip()
    hidden_field = SORT_FIELDS.get(value.removeprefix("-"))
    if hidden_field is not None and hidden_field in permissions.hidden_fields(actor, "order"):
        errors.add(name, _("You may not sort by a field your roles hide: %(s)s") % {"s": value})
        return ""
    if not value or value in SORTS or _sort_field(actor, value) is not None:
        return value
    errors.add(name, _("Unknown sort: %(s)s") % {"s": value})
    return ""


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def orders_visible(*, actor: Actor) -> QuerySet[Order]:
    permissions.require(actor, "orders.view")
    return permissions.scope_orders(actor, Order.objects.all())


def order_list(*, actor: Actor, filters: OrderFilters | None = None) -> QuerySet[Order]:
    """The filtered order list, newest first; stable (ordered by id) so keyset paging works."""
    f = filters or OrderFilters()
    qs = orders_visible(actor=actor)
    if f.status:
        qs = qs.filter(status__in=f.status)
    if f.customer:
        # Resolve the code first: filtering on customer_id uses the (customer, -id) index in order,
        # where a join on the code makes PostgreSQL read and sort every order of the customer.
        customer_id = (
            Customer.objects.filter(code=normalize_code(f.customer))
            .values_list("id", flat=True)
            .first()
        )
        if customer_id is None:
            return qs.none()
        qs = qs.filter(customer_id=customer_id)
    if f.priority:
        qs = qs.filter(priority=f.priority)
    if f.due_before:
        qs = qs.filter(due_date__lte=f.due_before)
    if f.due_after:
        qs = qs.filter(due_date__gte=f.due_after)
    if f.created_from:
        qs = qs.filter(created_at__gte=_local_midnight(f.created_from))
    if f.created_to:
        qs = qs.filter(created_at__lt=_local_midnight(f.created_to + dt.timedelta(days=1)))
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.owner_id:
        qs = qs.filter(sales_owner_id=f.owner_id)
    for name in ("queue", "tag"):
        value = normalize_text(getattr(f, name))
        if value:
            qs = listfilters.apply(qs, name, value)
    q = normalize_text(f.q)
    if q:
        # Customers are few and orders many: match customers first, then orders by customer id,
        # so the search stays an index lookup at a million orders.
        # A literal id list (not a subquery) lets PostgreSQL combine the three indexes in a
        # bitmap OR instead of walking the whole primary key backwards.
        customers = Customer.objects.filter(Q(code__icontains=q) | Q(name__icontains=q))
        ids = list(customers.values_list("id", flat=True)[: MAX_CUSTOMER_IDS + 1])
        match = Q(number__startswith=q.upper()) | Q(external_no=q)
        if len(q) >= MIN_PARTIAL:
            match |= Q(external_no__icontains=q)  # the tail of a platform's long number
        if len(ids) > MAX_CUSTOMER_IDS:
            match |= Q(customer_id__in=customers.values("id"))
        elif ids:
            match |= Q(customer_id__in=ids)
        materials = Material.objects.filter(Q(code__icontains=q) | Q(name__icontains=q))
        material_ids = list(materials.values_list("id", flat=True)[: MAX_CUSTOMER_IDS + 1])
        if material_ids:
            lines = OrderLine.objects.filter(material_id__in=material_ids[:MAX_CUSTOMER_IDS])
            match |= Q(pk__in=lines.values("order_id"))
        qs = qs.filter(match)
    qs = custom_query.apply_filters(qs, f.custom)
    qs = qs.select_related("customer", "customer__region", "sales_owner")
    return _sorted(actor, qs, due_order(f) or f.sort)


def _sorted(actor: Actor, qs: QuerySet[Order], sort: str) -> QuerySet[Order]:
    if sort in SORTS:
        return qs.order_by(*SORTS[sort])
    defn = _sort_field(actor, sort)
    if defn is not None:
        return custom_query.order_by(qs, defn, descending=sort.startswith("-"))
    return qs.order_by("-id")


def due_order(filters: OrderFilters | None) -> str | None:
    """``"due_date"`` / ``"-due_date"`` when the list is in due-date order: sorted by it, or
    filtered by it without another sort (a due-filtered list reads soonest first). Such a list
    pages with a (due date, id) cursor."""
    if not filters:
        return None
    if filters.sort in ("due_date", "-due_date"):
        return filters.sort
    if not filters.sort and (filters.due_before or filters.due_after):
        return "due_date"
    return None


def is_keyset(filters: OrderFilters | None) -> bool:
    """Whether the list is in its default order (newest first), which pages by id."""
    return not filters or (filters.sort in ("", "-created") and due_order(filters) is None)


def order_get(*, actor: Actor, order_id: Any) -> Order:
    qs = (
        orders_visible(actor=actor)
        .select_related("customer", "customer__region", "sales_owner", "created_by")
        .prefetch_related(
            Prefetch(
                "lines", queryset=OrderLine.objects.select_related("material").order_by("line_no")
            ),
            Prefetch("events", queryset=OrderEvent.objects.select_related("actor").order_by("id")),
        )
    )
    order: Order = permissions.get_in_scope(qs, pk=order_id)
    return order
