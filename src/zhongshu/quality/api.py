"""/api/v1/qc: inspection plans, the QC queue, inspections and nonconformances."""

from ninja import Query, Router, Status

from zhongshu.core.pagination import keyset_page
from zhongshu.core.schemas import errors

from . import selectors, services
from .models import NcStatus
from .schemas import (
    AwaitingOut,
    ChecklistOut,
    CloseIn,
    InspectionIn,
    InspectionOut,
    InspectionPage,
    NonconformanceOut,
    NonconformancePage,
    PlanIn,
    PlanOut,
    PlanPage,
)

router = Router(tags=["quality"])


@router.get("/plans", response={200: PlanPage, **errors(401, 403)})
def list_plans(request, limit: int = Query(100, ge=1, le=500), offset: int = Query(0, ge=0)):
    qs = selectors.plan_list(actor=request.auth)
    return {"items": list(qs[offset : offset + limit]), "count": qs.count()}


@router.get("/plans/{code}", response={200: PlanOut, **errors(401, 403, 404)})
def get_plan(request, code: str):
    return selectors.plan_get(actor=request.auth, material=code)


@router.put("/plans/{code}", response={200: PlanOut, **errors(401, 403, 409, 422)})
def put_plan(request, code: str, payload: PlanIn):
    """Create or replace the plan of a product; the items replace the old ones in order."""
    services.plan_save(
        actor=request.auth,
        material=code,
        items=[item.dict() for item in payload.items],
        note=payload.note,
        version=payload.version,
        rework_repeats_following=payload.rework_repeats_following,
    )
    return selectors.plan_get(actor=request.auth, material=code)


@router.delete("/plans/{code}", response={204: None, **errors(401, 403, 404)})
def delete_plan(request, code: str):
    services.plan_delete(actor=request.auth, material=code)
    return Status(204, None)


@router.get("/orders", response={200: list[AwaitingOut], **errors(401, 403)})
def list_awaiting(request, limit: int = Query(100, ge=1, le=500)):
    """Orders awaiting QC that you may see."""
    return list(selectors.awaiting_orders(actor=request.auth)[:limit])


@router.get(
    "/orders/{int:order_id}/checklist", response={200: ChecklistOut, **errors(401, 403, 404)}
)
def get_checklist(request, order_id: int):
    """The plan items to measure for this order (from every product on its lines)."""
    order = selectors.order_get(actor=request.auth, order_id=order_id)
    return {
        "order_id": order.pk,
        "order": order.number,
        "status": order.status,
        "items": selectors.checklist(actor=request.auth, order=order),
    }


@router.post("/inspections", response={201: InspectionOut, **errors(401, 403, 404, 409, 422)})
def create_inspection(request, payload: InspectionIn):
    """Record an inspection of an order awaiting QC. Any item out of tolerance fails the record
    and sends the order back to production with a nonconformance and a rework task."""
    record = services.record_inspection(
        actor=request.auth,
        order_id=payload.order_id,
        measurements=[m.dict() for m in payload.measurements],
        note=payload.note,
        result=payload.result,
        rework_line=payload.rework_line,
    )
    return Status(201, selectors.record_get(actor=request.auth, record_id=record.pk))


@router.get("/inspections", response={200: InspectionPage, **errors(401, 403)})
def list_inspections(
    request,
    order: str = "",
    cursor: int | None = None,
    limit: int = Query(50, ge=1, le=200),
):
    qs = selectors.record_list(actor=request.auth, order_number=order)
    items, next_cursor = keyset_page(qs, cursor=cursor, limit=limit)
    return {"items": items, "next_cursor": next_cursor}


@router.get("/inspections/{int:record_id}", response={200: InspectionOut, **errors(401, 403, 404)})
def get_inspection(request, record_id: int):
    return selectors.record_get(actor=request.auth, record_id=record_id)


@router.get("/nonconformances", response={200: NonconformancePage, **errors(401, 403)})
def list_nonconformances(
    request,
    status: NcStatus | None = None,
    cursor: int | None = None,
    limit: int = Query(50, ge=1, le=200),
):
    qs = selectors.nonconformance_list(actor=request.auth, status=status or "")
    items, next_cursor = keyset_page(qs, cursor=cursor, limit=limit)
    return {"items": items, "next_cursor": next_cursor}


@router.post(
    "/nonconformances/{int:nc_id}/close",
    response={200: NonconformanceOut, **errors(401, 403, 404, 409, 422)},
)
def close_nonconformance(request, nc_id: int, payload: CloseIn):
    services.nonconformance_close(actor=request.auth, nc_id=nc_id, note=payload.note)
    return selectors.nonconformance_get(actor=request.auth, nc_id=nc_id)
