"""Planning reads: suggestions with their pegged orders, purchase orders, the last run."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from zhongshu.accounts import permissions
from zhongshu.core.text import normalize_text
from zhongshu.orders.models import OrderLine

from .models import MrpRun, PurchaseOrder, PurchaseSuggestion, SuggestionStatus


@dataclass
class SuggestionFilters:
    status: str = SuggestionStatus.NEW
    q: str = ""  # material code or name
    reason: str = ""
    order_by_until: dt.date | None = None
    late: bool = False


def suggestion_list(*, actor, filters: SuggestionFilters | None = None) -> QuerySet:
    permissions.require(actor, "planning.view")
    f = filters or SuggestionFilters()
    qs = PurchaseSuggestion.objects.select_related("material", "purchase_order")
    if f.status in SuggestionStatus.values:
        qs = qs.filter(status=f.status)
    q = normalize_text(f.q)
    if q:
        qs = qs.filter(Q(material__code__icontains=q) | Q(material__name__icontains=q))
    if f.reason:
        qs = qs.filter(reason=f.reason)
    if f.order_by_until:
        qs = qs.filter(order_by__lte=f.order_by_until)
    if f.late:
        qs = qs.filter(late=True)
    return qs.order_by("order_by", "id")


def suggestion_get(*, actor, suggestion_id) -> PurchaseSuggestion:
    qs = suggestion_list(actor=actor, filters=SuggestionFilters(status="all"))
    return permissions.get_in_scope(qs, pk=suggestion_id)


def attach_pegs(suggestions) -> None:
    """Give each suggestion ``pegs``: its pegged order lines as (order number, line no, material
    code), read for the whole page in one query."""
    ids = {i for s in suggestions for i in s.pegged_lines}
    lines = (
        {
            pk: (number, no, code)
            for pk, number, no, code in OrderLine.objects.filter(pk__in=ids).values_list(
                "id", "order__number", "line_no", "material__code"
            )
        }
        if ids
        else {}
    )
    for s in suggestions:
        s.pegs = [lines[i] for i in s.pegged_lines if i in lines]


def purchase_order_list(*, actor, status: str = "") -> QuerySet:
    permissions.require(actor, "planning.view")
    qs = PurchaseOrder.objects.select_related("material", "created_by")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-id")


def last_run(*, actor) -> MrpRun | None:
    permissions.require(actor, "planning.view")
    return MrpRun.objects.select_related("started_by").order_by("-id").first()
