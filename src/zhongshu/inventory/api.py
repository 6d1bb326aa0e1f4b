from typing import Any

from django.http import FileResponse, JsonResponse
from ninja import Query, Router, Status
from ninja.params import functions as param

from zhongshu.accounts.audit import export_workbook
from zhongshu.core import xlsx
from zhongshu.core.actors import ApiRequest
from zhongshu.core.errors import NotFound
from zhongshu.core.idempotency import run_once
from zhongshu.core.pagination import MAX_OFFSET, keyset_page
from zhongshu.core.schemas import errors

from . import erp_api, exports, selectors, services
from .models import Shipment, StockLevel
from .schemas import (
    AvailabilityOut,
    LevelOut,
    LevelPage,
    MovementFiltersIn,
    MovementPage,
    ShipmentIn,
    ShipmentOut,
    ShipmentPage,
    StockChangeIn,
)

router = Router(tags=["inventory"])
router.add_router("", erp_api.router)  # reconciliation, postings, connection, master data


@router.get("/availability", response={200: AvailabilityOut, **errors(401, 403, 404)})
def get_availability(request: ApiRequest, material: str, warehouse: str = "") -> dict[str, Any]:
    """Available = on hand − reserved, refreshed from T+ when it answers within the short
    timeout; otherwise the last synced figure with ``stale: true``."""
    result = selectors.availability(actor=request.auth, material=material, warehouse=warehouse)
    if result is None:
        raise NotFound()
    return result


@router.post("/receipts", response={201: LevelOut, **errors(401, 403, 409, 422)})
def create_receipt(request: ApiRequest, payload: StockChangeIn) -> Status[StockLevel]:
    level = services.stock_receive(
        actor=request.auth,
        material=payload.material,
        warehouse=payload.warehouse,
        quantity=payload.quantity,
        reason=payload.reason or "",
    )
    return Status(201, selectors.level_list(actor=request.auth).get(pk=level.pk))


@router.post("/adjustments", response={201: LevelOut, **errors(401, 403, 409, 422)})
def create_adjustment(request: ApiRequest, payload: StockChangeIn) -> Status[StockLevel]:
    level = services.stock_adjust(
        actor=request.auth,
        material=payload.material,
        warehouse=payload.warehouse,
        quantity=payload.quantity,
        reason=payload.reason or "",
    )
    return Status(201, selectors.level_list(actor=request.auth).get(pk=level.pk))


@router.get("/levels", response={200: LevelPage, **errors(401, 403, 422)})
def list_levels(
    request: ApiRequest,
    q: str = "",
    warehouse: str = "",
    below_safety: bool = False,
    limit: int = param.Query(50, ge=1, le=200),
    offset: int = param.Query(0, ge=0, le=MAX_OFFSET),
) -> dict[str, Any]:
    qs = selectors.level_list(
        actor=request.auth, q=q, warehouse=warehouse, below_safety=below_safety
    )
    return {"items": list(qs[offset : offset + limit]), "count": qs.count()}


@router.get("/levels/export.xlsx", response=errors(401, 403, 422))
def export_levels(
    request: ApiRequest, q: str = "", warehouse: str = "", below_safety: bool = False
) -> FileResponse:
    """The stock levels as an xlsx workbook: the same filters as ``GET /inventory/levels``."""
    export = exports.level_export(
        actor=request.auth, q=q, warehouse=warehouse, below_safety=below_safety
    )
    return xlsx.download(*export_workbook(actor=request.auth, export=export))


@router.get("/movements", response={200: MovementPage, **errors(401, 403, 422)})
def list_movements(request: ApiRequest, filters: Query[MovementFiltersIn]) -> dict[str, Any]:
    qs = selectors.movement_list(
        actor=request.auth,
        filters=selectors.MovementFilters(
            material=filters.material,
            warehouse=filters.warehouse,
            kind=filters.kind or "",
            order=filters.order,
            since=filters.since,
            until=filters.until,
        ),
    )
    items, next_cursor = keyset_page(qs, cursor=filters.cursor, limit=filters.limit)
    return {"items": items, "next_cursor": next_cursor}


@router.post("/shipments", response={201: ShipmentOut, **errors(401, 403, 404, 409, 422)})
def create_shipment(
    request: ApiRequest,
    payload: ShipmentIn,
    idempotency_key: str | None = param.Header(None, alias="Idempotency-Key"),
) -> JsonResponse:
    """Ship some lines (or, without ``lines``, everything remaining). Send an
    ``Idempotency-Key`` header: a retried request returns the first answer and ships nothing."""

    def run() -> tuple[int, dict[str, Any]]:
        shipment = services.shipment_create(
            actor=request.auth,
            order_id=payload.order_id,
            lines=[line.dict() for line in payload.lines] if payload.lines is not None else None,
            carrier=payload.carrier,
            tracking_no=payload.tracking_no,
        )
        obj = selectors.shipment_get(actor=request.auth, shipment_id=shipment.pk)
        return 201, ShipmentOut.model_validate(obj).model_dump(mode="json")

    status, body = run_once(
        user=request.auth,
        scope="inventory.shipments.create",
        key=idempotency_key,
        payload=payload.dict(),
        run=run,
    )
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


@router.get("/shipments", response={200: ShipmentPage, **errors(401, 403, 422)})
def list_shipments(
    request: ApiRequest,
    order: str = "",
    cursor: int | None = None,
    limit: int = param.Query(50, ge=1, le=200),
) -> dict[str, Any]:
    qs = selectors.shipment_list(actor=request.auth, order=order)
    items, next_cursor = keyset_page(qs, cursor=cursor, limit=limit)
    return {"items": items, "next_cursor": next_cursor}


@router.get("/shipments/export.xlsx", response=errors(401, 403, 422))
def export_shipments(request: ApiRequest, order: str = "") -> FileResponse:
    """The shipments as an xlsx workbook: the same filter and scope as ``GET /shipments``."""
    export = exports.shipment_export(actor=request.auth, order=order)
    return xlsx.download(*export_workbook(actor=request.auth, export=export))


@router.get("/shipments/{int:shipment_id}", response={200: ShipmentOut, **errors(401, 403, 404)})
def get_shipment(request: ApiRequest, shipment_id: int) -> Shipment:
    return selectors.shipment_get(actor=request.auth, shipment_id=shipment_id)
