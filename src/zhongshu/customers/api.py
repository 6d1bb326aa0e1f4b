from ninja import Query, Router, Schema
from ninja.pagination import paginate

from zhongshu.accounts.audit import export_workbook
from zhongshu.core import xlsx
from zhongshu.core.pagination import BoundedLimitOffset
from zhongshu.core.schemas import errors

from . import exports, selectors, services
from .schemas import CustomerIn, CustomerOut, CustomerPatch

router = Router(tags=["customers"])


class CustomerFilters(Schema):
    q: str = ""
    region: str = ""


@router.get("", response={200: list[CustomerOut], **errors(401, 403, 422)})
@paginate(BoundedLimitOffset)
def list_customers(request, filters: Query[CustomerFilters]):
    """``cf_<key>=…`` (and ``__gte``, ``__lte``, ``__contains``, ``__empty``) filter on the custom
    fields the caller may filter on; an unknown or bad one is a 422."""
    custom = selectors.custom_filters(actor=request.auth, params=request.GET)
    return selectors.customer_list(
        actor=request.auth, q=filters.q, region=filters.region, custom=custom
    )


# declared before "/{code}", which would otherwise take "export.xlsx" for a customer code
@router.get("/export.xlsx", response=errors(401, 403, 422))
def export_customers(request, filters: Query[CustomerFilters]):
    """The customer list as an xlsx workbook: the same filters and scope as ``GET /customers``."""
    export = exports.customer_export(
        actor=request.auth, q=filters.q, region=filters.region, custom_params=request.GET
    )
    return xlsx.download(*export_workbook(actor=request.auth, export=export))


@router.post("", response={201: CustomerOut, **errors(401, 403, 422)})
def create_customer(request, payload: CustomerIn):
    data = payload.dict(exclude={"code"}, exclude_none=True)
    return 201, services.customer_create(actor=request.auth, code=payload.code, **data)


@router.get("/{code}", response={200: CustomerOut, **errors(401, 403, 404)})
def get_customer(request, code: str):
    return selectors.customer_get(actor=request.auth, code=code)


@router.patch("/{code}", response={200: CustomerOut, **errors(401, 403, 404, 422)})
def update_customer(request, code: str, payload: CustomerPatch):
    customer = selectors.customer_get(actor=request.auth, code=code)
    return services.customer_update(
        actor=request.auth, customer=customer, data=payload.dict(exclude_unset=True)
    )
