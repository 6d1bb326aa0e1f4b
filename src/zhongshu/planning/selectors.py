"""Planning reads: suggestions with their pegged orders, purchase orders, the last run, demand
forecasts and capable-to-promise dates."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.catalog.models import Material
from zhongshu.core.actors import Actor
from zhongshu.core.errors import ValidationFailed
from zhongshu.core.text import normalize_code, normalize_text
from zhongshu.core.validation import parse_decimal
from zhongshu.orders.models import Order, OrderLine

from . import promise as ctp
from .models import (
    ForecastRun,
    MrpRun,
    ProductForecast,
    PurchaseOrder,
    PurchaseOrderStatus,
    PurchaseSuggestion,
    SuggestionStatus,
)

MAX_PROMISE_LINES = 200
MAX_PROMISE_QTY = Decimal("99999999999")


@dataclass
class SuggestionFilters:
    status: str = SuggestionStatus.NEW
    q: str = ""  # material code or name
    reason: str = ""
    order_by_until: dt.date | None = None
    late: bool = False


def suggestion_list(*, actor: Actor, filters: SuggestionFilters | None = None) -> QuerySet:
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


def suggestion_get(*, actor: Actor, suggestion_id) -> PurchaseSuggestion:
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


def purchase_order_list(*, actor: Actor, status: str = "", q: str = "") -> QuerySet:
    permissions.require(actor, "planning.po_view")
    qs = PurchaseOrder.objects.select_related("material", "created_by", "supplier")
    if status in PurchaseOrderStatus.values:
        qs = qs.filter(status=status)
    q = normalize_text(q)
    if q:
        qs = qs.filter(
            Q(number__icontains=q) | Q(material__code__icontains=q) | Q(material__name__icontains=q)
        )
    return qs.order_by("-id")


def purchase_order_get(*, actor: Actor, po_id) -> PurchaseOrder:
    return permissions.get_in_scope(purchase_order_list(actor=actor), pk=po_id)


def last_run(*, actor: Actor) -> MrpRun | None:
    permissions.require(actor, "planning.view")
    return MrpRun.objects.select_related("started_by").order_by("-id").first()


def last_forecast_run(*, actor: Actor) -> ForecastRun | None:
    permissions.require(actor, "planning.view")
    return ForecastRun.objects.select_related("started_by").order_by("-id").first()


def forecast_list(*, actor: Actor, q: str = "", method: str = "") -> QuerySet:
    """The forecasts of the latest run (older runs' rows are replaced by each run)."""
    permissions.require(actor, "planning.view")
    qs = ProductForecast.objects.select_related("material", "run")
    q = normalize_text(q)
    if q:
        qs = qs.filter(Q(material__code__icontains=q) | Q(material__name__icontains=q))
    if method:
        qs = qs.filter(method=method)
    return qs.order_by("material__code")


def forecast_get(*, actor: Actor, code: str) -> ProductForecast:
    qs = forecast_list(actor=actor)
    return permissions.get_in_scope(qs, material__code=normalize_code(code))


def periods(run: ForecastRun) -> list[dt.date]:
    from .forecast import shift

    return [shift(run.first_period, run.bucket, i) for i in range(run.horizon)]


def order_promise(*, actor: Actor, lines, requested=None, order_id=None, today=None) -> ctp.Promise:
    """Capable-to-promise for order lines ``[{"material": code, "quantity": q}, …]`` (see
    ``planning.promise``). ``order_id``: an order being edited, whose own demand and reservations
    are not counted against it (it must be visible to the user)."""
    permissions.require(actor, "planning.promise")
    today = today or timezone.localdate()
    if order_id is not None:
        permissions.get_in_scope(permissions.scope_orders(actor, Order.objects.all()), pk=order_id)
    errors: dict[str, str] = {}
    if not lines:
        errors["lines"] = _("Add at least one line.")
    elif len(lines) > MAX_PROMISE_LINES:
        errors["lines"] = _("At most %(n)d lines.") % {"n": MAX_PROMISE_LINES}
    parsed = []
    for i, line in enumerate(lines[:MAX_PROMISE_LINES]):
        code = normalize_code(line.get("material") or "")
        try:
            qty = parse_decimal(
                line.get("quantity"), places=3, strictly_positive=True, max_value=MAX_PROMISE_QTY
            )
        except ValueError as exc:
            errors[f"lines.{i}.quantity"] = str(exc)
            qty = None
        parsed.append((i, code, qty))
    codes = {code for _i, code, _q in parsed if code}
    ids = dict(Material.objects.filter(code__in=codes).values_list("code", "id")) if codes else {}
    for i, code, _qty in parsed:
        if code not in ids:
            errors[f"lines.{i}.material"] = _("Unknown material: %(code)s") % {"code": code}
    if errors:
        raise ValidationFailed(errors)
    world = ctp.load_world(today, set(ids.values()), exclude_order=order_id)
    # (every quantity is parsed here: a bad one was refused above)
    return ctp.promise(
        world, [(ids[code], qty) for _i, code, qty in parsed if qty is not None], requested
    )
