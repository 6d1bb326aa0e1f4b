from ninja import Query, Router, Schema
from ninja.pagination import paginate

from zhongshu.accounts.audit import export_workbook
from zhongshu.core import xlsx
from zhongshu.core.pagination import BoundedLimitOffset
from zhongshu.core.schemas import errors

from . import exports, releases, selectors, services
from .schemas import MaterialIn, MaterialOut, MaterialPatch

router = Router(tags=["materials"])


class MaterialFilters(Schema):
    q: str = ""
    kind: str = ""


@router.get("", response={200: list[MaterialOut], **errors(401, 403, 422)})
@paginate(BoundedLimitOffset)
def list_materials(request, filters: Query[MaterialFilters]):
    """``cf_<key>=…`` (and ``__gte``, ``__lte``, ``__contains``, ``__empty``) filter on the custom
    fields the caller may filter on; an unknown or bad one is a 422."""
    custom = selectors.custom_filters(actor=request.auth, params=request.GET)
    return selectors.material_list(
        actor=request.auth, q=filters.q, kind=filters.kind, custom=custom
    )


# declared before "/{code}", which would otherwise take "export.xlsx" for a material code
@router.get("/export.xlsx", response=errors(401, 403, 422))
def export_materials(request, filters: Query[MaterialFilters]):
    """The material list as an xlsx workbook: the same filters as ``GET /materials``."""
    export = exports.material_export(
        actor=request.auth, q=filters.q, kind=filters.kind, custom_params=request.GET
    )
    return xlsx.download(*export_workbook(actor=request.auth, export=export))


@router.post("", response={201: MaterialOut, **errors(401, 403, 422)})
def create_material(request, payload: MaterialIn):
    data = payload.dict(exclude={"code"}, exclude_none=True)
    return 201, services.material_create(actor=request.auth, code=payload.code, **data)


@router.get("/{code}", response={200: MaterialOut, **errors(401, 403, 404)})
def get_material(request, code: str):
    return selectors.material_get(actor=request.auth, code=code)


@router.patch("/{code}", response={200: MaterialOut, **errors(401, 403, 404, 422)})
def update_material(request, code: str, payload: MaterialPatch):
    material = selectors.material_get(actor=request.auth, code=code)
    return services.material_update(
        actor=request.auth, material=material, data=payload.dict(exclude_unset=True)
    )


@router.post("/{code}/release-new", response={200: MaterialOut, **errors(401, 403, 404, 409)})
def release_new_material(request, code: str):
    """Release the material as a new product (once): the account owners of the customers on the
    trial list (``TRIAL_LIST_NAME``, default 新品试用邀请) are asked to invite them."""
    material = selectors.material_get(actor=request.auth, code=code)
    return releases.material_release_new(actor=request.auth, code=material.code)
