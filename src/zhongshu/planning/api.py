"""/api/v1/planning: MRP runs, purchase suggestions, purchase orders (receive, cancel), lot
rules, demand forecasts and capable-to-promise dates."""

import datetime as dt

from ninja import Query, Router, Status

from zhongshu.accounts.audit import export_workbook
from zhongshu.core import xlsx
from zhongshu.core.errors import NotFound
from zhongshu.core.pagination import MAX_OFFSET
from zhongshu.core.schemas import errors

from . import exports, selectors, services
from .schemas import (
    CancelIn,
    DismissIn,
    ForecastOut,
    ForecastPage,
    ForecastRunIn,
    ForecastRunOut,
    ParametersIn,
    ParametersOut,
    PromiseIn,
    PromiseOut,
    PurchaseOrderIn,
    PurchaseOrderOut,
    PurchaseOrderPage,
    ReceiveIn,
    RunIn,
    RunOut,
    SuggestionOut,
    SuggestionPage,
    SuggestionPatchIn,
)
from .schemas import Status as SuggestionStatusIn

router = Router(tags=["planning"])


@router.post("/runs", response={201: RunOut, **errors(401, 403, 409, 422)})
def create_run(request, payload: RunIn):
    """Run MRP now (synchronously): replaces the undecided suggestions of earlier runs."""
    return Status(
        201, services.mrp_run(actor=request.auth, today=payload.today, demand=payload.demand)
    )


@router.get("/runs/latest", response={200: RunOut, **errors(401, 403, 404)})
def latest_run(request):
    run = selectors.last_run(actor=request.auth)
    if run is None:
        raise NotFound()
    return run


def _filters(status, q, reason, late) -> selectors.SuggestionFilters:
    return selectors.SuggestionFilters(status=status, q=q, reason=reason, late=late)


@router.get("/suggestions", response={200: SuggestionPage, **errors(401, 403, 422)})
def list_suggestions(
    request,
    status: SuggestionStatusIn = "new",
    q: str = "",
    reason: str = "",
    late: bool = False,
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    qs = selectors.suggestion_list(actor=request.auth, filters=_filters(status, q, reason, late))
    return {"items": list(qs[offset : offset + limit]), "count": qs.count()}


@router.get("/suggestions/export.xlsx", response=errors(401, 403, 422))
def export_suggestions(
    request, status: SuggestionStatusIn = "new", q: str = "", reason: str = "", late: bool = False
):
    export = exports.suggestion_export(
        actor=request.auth, filters=_filters(status, q, reason, late)
    )
    return xlsx.download(*export_workbook(actor=request.auth, export=export))


@router.get(
    "/suggestions/{int:suggestion_id}", response={200: SuggestionOut, **errors(401, 403, 404)}
)
def get_suggestion(request, suggestion_id: int):
    return selectors.suggestion_get(actor=request.auth, suggestion_id=suggestion_id)


@router.patch(
    "/suggestions/{int:suggestion_id}",
    response={200: SuggestionOut, **errors(401, 403, 404, 409, 422)},
)
def update_suggestion(request, suggestion_id: int, payload: SuggestionPatchIn):
    services.suggestion_update(
        actor=request.auth,
        suggestion_id=suggestion_id,
        quantity=payload.quantity,
        order_by=payload.order_by,
        need_date=payload.need_date,
    )
    return selectors.suggestion_get(actor=request.auth, suggestion_id=suggestion_id)


@router.post(
    "/suggestions/{int:suggestion_id}/accept",
    response={201: PurchaseOrderOut, **errors(401, 403, 404, 409)},
)
def accept_suggestion(request, suggestion_id: int):
    po = services.suggestion_accept(actor=request.auth, suggestion_id=suggestion_id)
    return Status(201, selectors.purchase_order_list(actor=request.auth).get(pk=po.pk))


@router.post(
    "/suggestions/{int:suggestion_id}/dismiss",
    response={200: SuggestionOut, **errors(401, 403, 404, 409, 422)},
)
def dismiss_suggestion(request, suggestion_id: int, payload: DismissIn):
    services.suggestion_dismiss(
        actor=request.auth, suggestion_id=suggestion_id, reason=payload.reason
    )
    return selectors.suggestion_get(actor=request.auth, suggestion_id=suggestion_id)


@router.get("/purchase-orders", response={200: PurchaseOrderPage, **errors(401, 403, 422)})
def list_purchase_orders(
    request,
    status: str = "",
    q: str = "",
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    qs = selectors.purchase_order_list(actor=request.auth, status=status, q=q)
    return {"items": list(qs[offset : offset + limit]), "count": qs.count()}


@router.post("/purchase-orders", response={201: PurchaseOrderOut, **errors(401, 403, 422)})
def create_purchase_order(request, payload: PurchaseOrderIn):
    po = services.purchase_order_create(actor=request.auth, **payload.dict())
    return Status(201, selectors.purchase_order_list(actor=request.auth).get(pk=po.pk))


@router.put("/parameters/{code}", response={200: ParametersOut, **errors(401, 403, 404, 422)})
def set_parameters(request, code: str, payload: ParametersIn):
    """A material's lot rule: minimum order quantity and order multiple (0 and 0: lot-for-lot)."""
    params = services.parameters_set(
        actor=request.auth,
        material=code,
        min_order_qty=payload.min_order_qty,
        order_multiple=payload.order_multiple,
    )
    return params


@router.get(
    "/purchase-orders/{int:po_id}", response={200: PurchaseOrderOut, **errors(401, 403, 404)}
)
def get_purchase_order(request, po_id: int):
    return selectors.purchase_order_get(actor=request.auth, po_id=po_id)


@router.post(
    "/purchase-orders/{int:po_id}/receive",
    response={200: PurchaseOrderOut, **errors(401, 403, 404, 409, 422)},
)
def receive_purchase_order(request, po_id: int, payload: ReceiveIn):
    """Goods arrived (all or part): books a stock receipt; closes the PO when all is in."""
    services.purchase_order_receive(
        actor=request.auth, po_id=po_id, quantity=payload.quantity, warehouse=payload.warehouse
    )
    return selectors.purchase_order_get(actor=request.auth, po_id=po_id)


@router.post(
    "/purchase-orders/{int:po_id}/cancel",
    response={200: PurchaseOrderOut, **errors(401, 403, 404, 409, 422)},
)
def cancel_purchase_order(request, po_id: int, payload: CancelIn):
    services.purchase_order_cancel(actor=request.auth, po_id=po_id, reason=payload.reason)
    return selectors.purchase_order_get(actor=request.auth, po_id=po_id)


# --- forecasts ------------------------------------------------------------------------------------


@router.post("/forecasts/runs", response={201: ForecastRunOut, **errors(401, 403, 409, 422)})
def create_forecast_run(request, payload: ForecastRunIn):
    """Forecast every finished product from its order history (method chosen by back-test)."""
    run = services.forecast_run(
        actor=request.auth, bucket=payload.bucket, horizon=payload.horizon, today=payload.today
    )
    return Status(201, run)


@router.get("/forecasts", response={200: ForecastPage, **errors(401, 403, 422)})
def list_forecasts(
    request,
    q: str = "",
    method: str = "",
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    """The latest run's forecasts: method, back-test WAPE next to seasonal naive's, periods."""
    qs = selectors.forecast_list(actor=request.auth, q=q, method=method)
    run = selectors.last_forecast_run(actor=request.auth)
    return {"run": run, "items": list(qs[offset : offset + limit]), "count": qs.count()}


@router.get("/forecasts/{code}", response={200: ForecastOut, **errors(401, 403, 404)})
def get_forecast(request, code: str):
    return selectors.forecast_get(actor=request.auth, code=code)


# --- capable-to-promise ---------------------------------------------------------------------------


def _promise_out(p) -> dict:
    return {
        "date": p.date, "requested": p.requested, "on_time": p.on_time,
        "days_late": p.days_late, "lines": p.lines,
    }  # fmt: skip


@router.post("/promise", response={200: PromiseOut, **errors(401, 403, 404, 422)})
def post_promise(request, payload: PromiseIn):
    """Earliest ship date per line and for the order, with the reasons behind each."""
    p = selectors.order_promise(
        actor=request.auth,
        lines=[{"material": ln.material, "quantity": ln.quantity} for ln in payload.lines],
        requested=payload.due_date,
        order_id=payload.order_id,
    )
    return _promise_out(p)


MATERIALS = Query(..., description="material code of each line")
QUANTITIES = Query(..., description="quantity of each line, in the same order")


@router.get("/promise", response={200: PromiseOut, **errors(401, 403, 404, 422)})
def get_promise(
    request,
    material: list[str] = MATERIALS,
    quantity: list[str] = QUANTITIES,
    due_date: dt.date | None = None,
    order_id: int | None = None,
):
    """The same as POST, lines as repeated ``material=…&quantity=…`` pairs."""
    lines = [{"material": m, "quantity": q} for m, q in zip(material, quantity, strict=False)]
    if len(material) != len(quantity):
        lines.append({"material": "", "quantity": ""})  # reported as a bad line
    p = selectors.order_promise(
        actor=request.auth, lines=lines, requested=due_date, order_id=order_id
    )
    return _promise_out(p)
