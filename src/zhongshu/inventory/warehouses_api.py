"""/api/v1/warehouses: list, read, create, rename or make default, deactivate, reactivate, delete,
xlsx export."""

from django.db import transaction
from django.http import FileResponse
from ninja import Router
from ninja.responses import Status

from zhongshu.accounts.audit import export_download
from zhongshu.core.actors import ApiRequest
from zhongshu.core.schemas import errors

from . import warehouses
from .models import Warehouse
from .schemas import WarehouseIn, WarehouseOut, WarehousePatch

router = Router(tags=["warehouses"])


@router.get("", response={200: list[WarehouseOut], **errors(401, 403, 422)})
def list_warehouses(
    request: ApiRequest, q: str = "", active: bool | None = None
) -> list[Warehouse]:
    return list(warehouses.warehouse_list(actor=request.auth, q=q, active=active)[:1000])


@router.get("/export.xlsx", response=errors(401, 403, 422))
def export_warehouses(request: ApiRequest, q: str = "", active: bool | None = None) -> FileResponse:
    export = warehouses.warehouse_export(actor=request.auth, q=q, active=active)
    return export_download(actor=request.auth, export=export)


@router.post("", response={201: WarehouseOut, **errors(401, 403, 409, 422)})
def create_warehouse(request: ApiRequest, payload: WarehouseIn) -> Status[Warehouse]:
    wh, _created = warehouses.warehouse_save(actor=request.auth, creating=True, **payload.dict())
    return Status(201, wh)


@router.get("/{code}", response={200: WarehouseOut, **errors(401, 403, 404)})
def get_warehouse(request: ApiRequest, code: str) -> Warehouse:
    return warehouses.warehouse_get(actor=request.auth, code=code)


@router.patch("/{code}", response={200: WarehouseOut, **errors(401, 403, 404, 409, 422)})
def update_warehouse(request: ApiRequest, code: str, payload: WarehousePatch) -> Warehouse:
    with transaction.atomic():  # all the changes of one request, or none
        wh = warehouses.warehouse_get(actor=request.auth, code=code)
        name = payload.name if payload.name is not None else wh.name
        if payload.active is not None and payload.active != wh.is_active:
            wh = warehouses.warehouse_set_active(
                actor=request.auth, code=code, active=payload.active
            )
        wh, _created = warehouses.warehouse_save(
            actor=request.auth, code=wh.code, name=name, is_default=bool(payload.is_default),
            creating=False,
        )  # fmt: skip
    return wh


@router.delete("/{code}", response={204: None, **errors(401, 403, 404, 409)})
def delete_warehouse(request: ApiRequest, code: str) -> Status[None]:
    warehouses.warehouse_delete(actor=request.auth, code=code)
    return Status(204, None)
