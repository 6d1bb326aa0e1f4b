"""/api/v1/planning: MRP runs, purchase suggestions, purchase orders, lot rules."""

from ninja import Query, Router, Status

from zhongshu.accounts.audit import export_workbook
from zhongshu.core import xlsx
from zhongshu.core.errors import NotFound
from zhongshu.core.pagination import MAX_OFFSET
from zhongshu.core.schemas import errors

from . import exports, selectors, services
from .schemas import (
    DismissIn,
    ParametersIn,
    ParametersOut,
    PurchaseOrderIn,
    PurchaseOrderOut,
    PurchaseOrderPage,
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
    return Status(201, services.mrp_run(actor=request.auth, today=payload.today))


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
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    qs = selectors.purchase_order_list(actor=request.auth, status=status)
    return {"items": list(qs[offset : offset + limit]), "count": qs.count()}


@router.post("/purchase-orders", response={201: PurchaseOrderOut, **errors(401, 403, 422)})
def create_purchase_order(request, payload: PurchaseOrderIn):
    po = services.purchase_order_create(
        actor=request.auth,
        material=payload.material,
        quantity=payload.quantity,
        due_date=payload.due_date,
    )
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
