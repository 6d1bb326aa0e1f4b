"""/api/v1/planning: suppliers, supplier prices, and accepting suggestions into one purchase order
per supplier."""

from ninja import Query, Router, Status

from zhongshu.accounts.audit import export_workbook
from zhongshu.core import xlsx
from zhongshu.core.pagination import MAX_OFFSET
from zhongshu.core.schemas import errors

from . import exports, purchasing
from . import purchasing_selectors as selectors
from .schemas import (
    GroupAcceptIn,
    GroupAcceptOut,
    SupplierIn,
    SupplierOut,
    SupplierPage,
    SupplierPatch,
    SupplierPriceIn,
    SupplierPriceOut,
    SupplierPricePage,
    SupplierPricePatch,
)

router = Router(tags=["planning"])


@router.get("/suppliers", response={200: SupplierPage, **errors(401, 403, 422)})
def list_suppliers(
    request,
    q: str = "",
    active: bool | None = None,
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    qs = selectors.supplier_list(actor=request.auth, q=q, active=active)
    return {"items": list(qs[offset : offset + limit]), "count": qs.count()}


@router.get("/suppliers/export.xlsx", response=errors(401, 403, 422))
def export_suppliers(request, q: str = "", active: bool | None = None):
    export = exports.supplier_export(actor=request.auth, q=q, active=active)
    return xlsx.download(*export_workbook(actor=request.auth, export=export))


@router.post("/suppliers", response={201: SupplierOut, **errors(401, 403, 422)})
def create_supplier(request, payload: SupplierIn):
    return Status(201, purchasing.supplier_create(actor=request.auth, **payload.dict()))


@router.get("/suppliers/{code}", response={200: SupplierOut, **errors(401, 403, 404)})
def get_supplier(request, code: str):
    return selectors.supplier_get(actor=request.auth, code=code)


@router.patch("/suppliers/{code}", response={200: SupplierOut, **errors(401, 403, 404, 422)})
def update_supplier(request, code: str, payload: SupplierPatch):
    return purchasing.supplier_update(
        actor=request.auth, code=code, **payload.dict(exclude_unset=True)
    )


@router.post("/suppliers/{code}/deactivate", response={200: SupplierOut, **errors(401, 403, 404)})
def deactivate_supplier(request, code: str):
    return purchasing.supplier_deactivate(actor=request.auth, code=code)


@router.get("/supplier-prices", response={200: SupplierPricePage, **errors(401, 403, 422)})
def list_prices(
    request,
    supplier: str = "",
    material: str = "",
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    qs = selectors.price_list(actor=request.auth, supplier=supplier, material=material)
    return {"items": list(qs[offset : offset + limit]), "count": qs.count()}


@router.post("/supplier-prices", response={201: SupplierPriceOut, **errors(401, 403, 422)})
def create_price(request, payload: SupplierPriceIn):
    data = payload.dict()
    if data["valid_from"] is None:
        data.pop("valid_from")
    return Status(201, purchasing.supplier_price_create(actor=request.auth, **data))


@router.patch(
    "/supplier-prices/{int:price_id}",
    response={200: SupplierPriceOut, **errors(401, 403, 404, 422)},
)
def update_price(request, price_id: int, payload: SupplierPricePatch):
    return purchasing.supplier_price_update(
        actor=request.auth, price_id=price_id, **payload.dict(exclude_unset=True)
    )


@router.post("/suggestions/accept-grouped", response={201: GroupAcceptOut, **errors(401, 403, 422)})
def accept_grouped(request, payload: GroupAcceptIn):
    numbers = purchasing.suggestions_accept_grouped(
        actor=request.auth, suggestion_ids=payload.suggestions
    )
    return Status(201, {"purchase_orders": numbers})
