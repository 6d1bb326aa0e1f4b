"""Planning writes: MRP and forecast runs, decisions on purchase suggestions, purchase orders
(create, receive, cancel), lot rules."""

import datetime as dt
import json
import time
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.catalog.models import Material
from zhongshu.core.actors import Actor
from zhongshu.core.errors import NotFound, ValidationFailed
from zhongshu.core.text import normalize_code, normalize_text
from zhongshu.core.validation import parse_decimal

from . import calendar, forecast, mrp
from .exceptions import (
    MrpRunning,
    PurchaseOrderAwaitingApproval,
    PurchaseOrderClosed,
    SuggestionDecided,
)
from .models import (
    ForecastBucket,
    ForecastRun,
    MrpRun,
    PlanningParameters,
    ProductForecast,
    PurchaseApproval,
    PurchaseOrder,
    PurchaseOrderSequence,
    PurchaseOrderStatus,
    PurchaseSuggestion,
    SuggestionStatus,
)

MAX_QTY = Decimal("99999999999")
MRP_LOCK_KEY = 7_013_001  # PostgreSQL advisory lock: one MRP run at a time
BATCH = 2000


def _qty(value, field: str, *, allow_zero: bool = False) -> Decimal:
    """A quantity through the one decimal parser: three decimals at most, never rounded."""
    limits = {"min_value": Decimal(0)} if allow_zero else {"strictly_positive": True}
    try:
        return parse_decimal(value, places=3, max_value=MAX_QTY, **limits)
    except ValueError as exc:
        raise ValidationFailed({field: str(exc)}) from None


def _date(value, field: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationFailed({field: _("Enter a date as YYYY-MM-DD.")}) from None


def _lock_run() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_try_advisory_xact_lock(%s)", [MRP_LOCK_KEY])
            if not cur.fetchone()[0]:
                raise MrpRunning()


DEMAND_SOURCES = ("orders", "orders_forecast")


@transaction.atomic
def mrp_run(
    *, actor: Actor, today: dt.date | None = None, horizon_days: int = 730, demand: str = "orders"
) -> MrpRun:
    """Run MRP over all open orders and replace the undecided suggestions of earlier runs with the
    new ones. Accepted and dismissed suggestions stay as they were (their purchase orders are
    open supply for this run). ``demand="orders_forecast"`` adds the latest demand forecast,
    net of the orders already booked in each bucket. Guarantees: one run at a time on
    PostgreSQL; all or nothing."""
    permissions.require(actor, "planning.run")
    if demand not in DEMAND_SOURCES:
        raise ValidationFailed({"demand": _("Choose open orders or open orders and forecast.")})
    _lock_run()
    started = time.perf_counter()
    today = today or timezone.localdate()
    run = MrpRun.objects.create(started_by=actor)
    extra = None
    if demand == "orders_forecast":
        extra = forecast.extra_demand(ForecastRun.objects.order_by("-id").first(), today)
    inputs = mrp.load_inputs(today, forecast=extra)
    loaded = time.perf_counter()
    last = max(
        [today]
        + [max(days) for days in inputs.demand.values() if days]
        + [max(days) for days in inputs.receipts.values() if days]
    )
    cal = calendar.load(today - dt.timedelta(days=horizon_days), last)
    planned = mrp.plan(inputs, cal)
    netted = time.perf_counter()
    bought = [p for p in planned if not p.make]
    _replace_new_suggestions(run, bought)
    run.finished_at = timezone.now()
    run.stats = {
        "materials": len(inputs.materials),
        "demand": demand,
        "demand_lines": inputs.demand_lines,
        "forecast_products": inputs.forecast_products,
        "wip_sheets": inputs.wip_sheets,
        "planned_orders": len(planned),
        "suggestions": len(bought),
        "calendar": "working_days",
        "load_seconds": round(loaded - started, 3),
        "net_seconds": round(netted - loaded, 3),
        "seconds": round(time.perf_counter() - started, 3),
    }
    run.save(update_fields=["finished_at", "stats"])
    return run


SUGGESTION_COLUMNS = (
    "run_id", "material_id", "quantity", "net_requirement", "order_by", "need_date", "reason",
    "late", "pegged_lines", "peg_count", "status", "dismiss_reason", "edited",
)  # fmt: skip


def _replace_new_suggestions(run: MrpRun, bought: list[mrp.PlannedOrder]) -> None:
    """Delete the undecided suggestions and write the new ones. Undecided suggestions have no
    purchase order pointing at them (only accepted ones do), so a plain DELETE is safe and skips
    Django's per-row collection; on PostgreSQL the new rows go in with COPY."""
    table = PurchaseSuggestion._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE status = %s", [SuggestionStatus.NEW])
        if connection.vendor == "postgresql":
            sql = f"COPY {table} ({', '.join(SUGGESTION_COLUMNS)}) FROM STDIN"
            with cursor.cursor.copy(sql) as copy:
                for p in bought:
                    copy.write_row((
                        run.pk, p.material_id, p.quantity, p.net, p.order_by, p.need_date,
                        p.reason, p.late, json.dumps(p.pegs), p.peg_count, "new", "", False,
                    ))  # fmt: skip
            return
    PurchaseSuggestion.objects.bulk_create(
        (
            PurchaseSuggestion(
                run=run,
                material_id=p.material_id,
                quantity=p.quantity,
                net_requirement=p.net,
                order_by=p.order_by,
                need_date=p.need_date,
                reason=p.reason,
                late=p.late,
                pegged_lines=p.pegs,
                peg_count=p.peg_count,
            )
            for p in bought
        ),
        batch_size=BATCH,
    )


def _locked_new(suggestion_id) -> PurchaseSuggestion:
    suggestion = PurchaseSuggestion.objects.select_for_update().filter(pk=suggestion_id).first()
    if suggestion is None:
        raise NotFound()
    if suggestion.status != SuggestionStatus.NEW:
        raise SuggestionDecided(details={"status": suggestion.status})
    return suggestion


@transaction.atomic
def suggestion_update(
    *, actor: Actor, suggestion_id, quantity=None, order_by=None, need_date=None
) -> PurchaseSuggestion:
    """Change the quantity or dates of an undecided suggestion before accepting it."""
    permissions.require(actor, "planning.decide")
    suggestion = _locked_new(suggestion_id)
    changed = []
    if quantity is not None:
        suggestion.quantity = _qty(quantity, "quantity")
        changed.append("quantity")
    if order_by is not None:
        suggestion.order_by = _date(order_by, "order_by")
        changed.append("order_by")
    if need_date is not None:
        suggestion.need_date = _date(need_date, "need_date")
        changed.append("need_date")
    if suggestion.need_date < suggestion.order_by:
        raise ValidationFailed({"need_date": _("The need date is before the order-by date.")})
    if changed:
        suggestion.edited = True
        suggestion.save(update_fields=[*changed, "edited"])
    return suggestion


def _next_po_number() -> str:
    """PO<year><6 digits> from a per-year counter, incremented by an UPDATE that row-locks it
    until the accepting transaction ends (the pattern of order numbers): concurrent accepts
    queue on the row and never get the same number; a rollback gives the number back."""
    year = timezone.localdate().year
    for _attempt in range(3):
        seq = PurchaseOrderSequence.objects.filter(year=year)
        if seq.update(last_value=F("last_value") + 1):
            return f"PO{year}{seq.get().last_value:06d}"
        try:
            with transaction.atomic():
                PurchaseOrderSequence.objects.create(year=year, last_value=1)
            return f"PO{year}{1:06d}"
        except IntegrityError:
            continue  # another transaction created the year's row first; increment it
    raise RuntimeError("could not allocate a purchase order number")


@transaction.atomic
def suggestion_accept(*, actor: Actor, suggestion_id) -> PurchaseOrder:
    """Accept a suggestion: a purchase order for its quantity, due on its need date, which every
    later MRP run counts as open supply — from the material's preferred supplier at its valid
    price when there is one (``purchasing.suggestions_accept_grouped`` accepts many at once,
    one purchase order per supplier)."""
    from .po_approval import hold_if_above
    from .purchasing import priced_line

    permissions.require(actor, "planning.decide")
    suggestion = _locked_new(suggestion_id)
    po = priced_line(suggestion=suggestion, number=_next_po_number(), actor=actor)
    suggestion.status = SuggestionStatus.ACCEPTED
    suggestion.decided_by, suggestion.decided_at = actor, timezone.now()
    suggestion.save(update_fields=["status", "decided_by", "decided_at"])
    if hold_if_above(actor=actor, numbers=[po.number]):
        po.refresh_from_db()
    return po


@transaction.atomic
def suggestion_dismiss(*, actor: Actor, suggestion_id, reason: str) -> PurchaseSuggestion:
    permissions.require(actor, "planning.decide")
    reason = normalize_text(reason)[:200]
    if not reason:
        raise ValidationFailed({"reason": _("Say why the suggestion is dismissed.")})
    suggestion = _locked_new(suggestion_id)
    suggestion.status = SuggestionStatus.DISMISSED
    suggestion.dismiss_reason = reason
    suggestion.decided_by, suggestion.decided_at = actor, timezone.now()
    suggestion.save(update_fields=["status", "dismiss_reason", "decided_by", "decided_at"])
    return suggestion


@transaction.atomic
def purchase_order_create(
    *,
    actor: Actor,
    material: str,
    quantity,
    due_date,
    supplier: str | None = None,
    unit_price=None,
    tax_rate=None,
    currency=None,
) -> PurchaseOrder:
    """A purchase order entered by hand (not from a suggestion), optionally from a supplier at a
    price (the supplier's valid price when no unit price is given); above the approval amount it
    waits for approval (``po_approval``)."""
    from .po_approval import hold_if_above
    from .purchasing import hand_price

    permissions.require(actor, "planning.decide")
    mat = Material.objects.filter(code=normalize_code(material)).first()
    if mat is None:
        raise ValidationFailed({"material": _("Unknown material.")})
    priced = hand_price(
        material=mat, supplier=supplier, unit_price=unit_price, tax_rate=tax_rate, currency=currency
    )
    po = PurchaseOrder.objects.create(
        number=_next_po_number(),
        material=mat,
        quantity=_qty(quantity, "quantity"),
        due_date=_date(due_date, "due_date"),
        created_by=actor,
        **priced,
    )
    if hold_if_above(actor=actor, numbers=[po.number]):
        po.refresh_from_db()
    return po


@transaction.atomic
def parameters_set(
    *, actor: Actor, material: str, min_order_qty, order_multiple
) -> PlanningParameters:
    """Set a material's lot rule: both zero means lot-for-lot."""
    permissions.require(actor, "planning.configure")
    mat = Material.objects.filter(code=normalize_code(material)).first()
    if mat is None:
        raise NotFound()
    params, _created = PlanningParameters.objects.update_or_create(
        material=mat,
        defaults={
            "min_order_qty": _qty(min_order_qty, "min_order_qty", allow_zero=True),
            "order_multiple": _qty(order_multiple, "order_multiple", allow_zero=True),
        },
    )
    return params


def _locked_open_po(po_id) -> PurchaseOrder:
    po = PurchaseOrder.objects.select_for_update().filter(pk=po_id).first()
    if po is None:
        raise NotFound()
    if po.status != PurchaseOrderStatus.OPEN:
        raise PurchaseOrderClosed(details={"status": po.status})
    return po


@transaction.atomic
def purchase_order_receive(*, actor: Actor, po_id, quantity, warehouse: str | None = None):
    """Goods arrived against a purchase order (all or part of what is open): books a stock
    receipt through inventory (ledger movement, reason = PO number) and closes the purchase order
    as received once everything has arrived. Only the rest stays open supply for MRP."""
    from zhongshu.inventory import services as inventory

    permissions.require(actor, "planning.receive")
    po = _locked_open_po(po_id)
    if po.approval_status == PurchaseApproval.PENDING:
        raise PurchaseOrderAwaitingApproval(details={"number": po.number})
    qty = _qty(quantity, "quantity")
    if qty > po.open_quantity:
        raise ValidationFailed(
            {"quantity": _("At most %(n)s is still open.") % {"n": f"{po.open_quantity:f}"}}
        )
    inventory.stock_receive(
        actor=actor,
        material=po.material.code,
        quantity=qty,
        warehouse=warehouse,
        reason=po.number,  # stored data: the number reads the same in every language
        document="purchase_receipt",  # 采购入库单 in T+
    )
    po.received_quantity += qty
    fields = ["received_quantity"]
    if po.received_quantity >= po.quantity:
        po.status, po.closed_at = PurchaseOrderStatus.RECEIVED, timezone.now()
        fields += ["status", "closed_at"]
    po.save(update_fields=fields)
    return po


@transaction.atomic
def purchase_order_cancel(*, actor: Actor, po_id, reason: str) -> PurchaseOrder:
    """Cancel what is still open on a purchase order (what was received stays received)."""
    permissions.require(actor, "planning.decide")
    reason = normalize_text(reason)[:200]
    if not reason:
        raise ValidationFailed({"reason": _("Say why the purchase order is cancelled.")})
    po = _locked_open_po(po_id)
    po.status, po.closed_at, po.cancel_reason = (
        PurchaseOrderStatus.CANCELLED,
        timezone.now(),
        reason,
    )
    po.save(update_fields=["status", "closed_at", "cancel_reason"])
    return po


# --- demand forecast ------------------------------------------------------------------------------

HORIZON: dict[str, int] = {ForecastBucket.MONTH: 6, ForecastBucket.WEEK: 13}
MAX_HORIZON: dict[str, int] = {ForecastBucket.MONTH: 24, ForecastBucket.WEEK: 104}


@transaction.atomic
def forecast_run(
    *,
    actor: Actor,
    bucket: str = ForecastBucket.MONTH,
    horizon: int | str | None = None,
    today=None,
) -> ForecastRun:
    """Forecast every finished product with order history: back-test the methods, keep the best
    per product, store its forecast for ``horizon`` buckets. Replaces the previous forecasts."""
    permissions.require(actor, "planning.run")
    if bucket not in ForecastBucket.values:
        raise ValidationFailed({"bucket": _("Choose weekly or monthly buckets.")})
    horizon = HORIZON[bucket] if horizon in (None, "") else horizon
    try:
        horizon = int(horizon)
    except (TypeError, ValueError):
        horizon = 0
    if not 1 <= horizon <= MAX_HORIZON[bucket]:
        raise ValidationFailed(
            {"horizon": _("Between 1 and %(n)d buckets.") % {"n": MAX_HORIZON[bucket]}}
        )
    started = time.perf_counter()
    today = today or timezone.localdate()
    first, results = forecast.forecast_all(bucket, today, horizon)
    computed = time.perf_counter()
    run = ForecastRun.objects.create(
        started_by=actor, bucket=bucket, horizon=horizon, first_period=first
    )
    ProductForecast.objects.exclude(run=run).delete()
    methods: dict[str, int]
    rows, methods, better, scored = [], {}, 0, 0
    for mid, c in results:
        methods[c.method] = methods.get(c.method, 0) + 1
        if c.wape is not None and c.naive_wape is not None:
            scored += 1
            better += c.wape < c.naive_wape
        rows.append(
            ProductForecast(
                run=run, material_id=mid, method=c.method,
                wape=_ratio(c.wape), naive_wape=_ratio(c.naive_wape),
                history_periods=len(c.history), history_total=forecast.qty(sum(c.history)),
                intermittent=c.intermittent,
                values=[str(forecast.qty(v)) for v in c.forecast],
                params=c.params,
            )
        )  # fmt: skip
    ProductForecast.objects.bulk_create(rows, batch_size=BATCH)
    run.finished_at = timezone.now()
    run.stats = {
        "products": len(rows),
        "methods": methods,
        "backtested": scored,
        "beats_naive": better,
        "compute_seconds": round(computed - started, 3),
        "seconds": round(time.perf_counter() - started, 3),
    }
    run.save(update_fields=["finished_at", "stats"])
    return run


def _ratio(value: float | None) -> Decimal | None:
    if value is None:
        return None
    return min(Decimal(repr(value)), Decimal("9999")).quantize(Decimal("0.0001"))
