"""/api/v1/views: saved views of the order list (personal, or shared with a role)."""

from django.http import HttpResponse
from ninja import Router

from zhongshu.accounts import permissions
from zhongshu.core.schemas import errors

from . import columns, selectors, services
from .schemas import ColumnOut, SavedViewIn, SavedViewOut, SavedViewPatch

router = Router(tags=["saved views"])


@router.get("/orders", response={200: list[SavedViewOut], **errors(401, 403)})
def list_views(request):
    permissions.require(request.auth, "orders.view")
    return selectors.views_for(actor=request.auth, list_name="orders")


@router.get("/orders/columns", response={200: list[ColumnOut], **errors(401, 403)})
def list_columns(request):
    """The columns the caller may show (custom fields they may see included)."""
    permissions.require(request.auth, "orders.view")
    return [{"name": k, "label": v} for k, v in columns.available(request.auth).items()]


@router.post("/orders", response={201: SavedViewOut, **errors(401, 403, 422)})
def create_view(request, payload: SavedViewIn):
    data = payload.dict()
    role = data.pop("share_with_role")
    return 201, services.view_save(
        actor=request.auth, list_name="orders", share_with_role=role, **data
    )


@router.patch("/orders/{int:view_id}", response={200: SavedViewOut, **errors(401, 403, 404, 422)})
def update_view(request, view_id: int, payload: SavedViewPatch):
    return services.view_save(
        actor=request.auth, view_id=view_id, **payload.dict(exclude_unset=True)
    )


@router.delete("/orders/{int:view_id}", response={204: None, **errors(401, 403, 404)})
def delete_view(request, view_id: int):
    services.view_delete(actor=request.auth, view_id=view_id)
    return HttpResponse(status=204)
