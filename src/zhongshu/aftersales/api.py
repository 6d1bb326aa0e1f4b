"""/api/v1/aftersales: cases (list, create, read, update — there is no delete) and the
quarterly complaint rate."""

from ninja import Query, Router, Schema, Status

from zhongshu.accounts.audit import export_workbook
from zhongshu.core import xlsx
from zhongshu.core.pagination import keyset_page
from zhongshu.core.schemas import errors

from . import exports, selectors, services
from .schemas import CaseIn, CaseOut, CasePage, CasePatch, ComplaintRateOut

router = Router(tags=["aftersales"])


class CaseFiltersIn(Schema):
    status: str = ""
    category: str = ""
    severity: str = ""
    order: str = ""
    q: str = ""


def _filters(f: CaseFiltersIn) -> selectors.CaseFilters:
    return selectors.CaseFilters(**f.dict())


@router.get("/cases", response={200: CasePage, **errors(401, 403, 422)})
def list_cases(request, filters: Query[CaseFiltersIn], cursor: int | None = None, limit: int = 50):
    limit = max(1, min(limit, 200))
    qs = selectors.case_list(actor=request.auth, filters=_filters(filters))
    items, next_cursor = keyset_page(qs, cursor=cursor, limit=limit)
    return {"items": items, "next_cursor": next_cursor}


@router.get("/cases/export.xlsx", response=errors(401, 403, 422))
def export_cases(request, filters: Query[CaseFiltersIn]):
    export = exports.case_export(actor=request.auth, filters=_filters(filters))
    return xlsx.download(*export_workbook(actor=request.auth, export=export))


@router.post("/cases", response={201: CaseOut, **errors(401, 403, 404, 422)})
def create_case(request, payload: CaseIn):
    case = services.case_create(actor=request.auth, **payload.dict())
    return Status(201, selectors.case_get(actor=request.auth, case_id=case.pk))


@router.get("/cases/{int:case_id}", response={200: CaseOut, **errors(401, 403, 404)})
def get_case(request, case_id: int):
    return selectors.case_get(actor=request.auth, case_id=case_id)


@router.patch("/cases/{int:case_id}", response={200: CaseOut, **errors(401, 403, 404, 409, 422)})
def update_case(request, case_id: int, payload: CasePatch):
    data = payload.dict(exclude_unset=True)
    version = data.pop("version", None)
    services.case_update(actor=request.auth, case_id=case_id, data=data, version=version)
    return selectors.case_get(actor=request.auth, case_id=case_id)


@router.get("/complaint-rate", response={200: ComplaintRateOut, **errors(401, 403, 422)})
def get_complaint_rate(request, year: str = "", quarter: str = ""):
    """Cases opened in the quarter ÷ orders shipped in it, in the caller's scope."""
    return selectors.complaint_rate(actor=request.auth, year=year, quarter=quarter)
