"""/api/v1/company: the company printed on every document (administrators), the same details
and rules as the company page."""

from ninja import Router

from zhongshu.core.schemas import errors

from .company import company_get, company_update
from .schemas import CompanyOut, CompanyPatch

router = Router(tags=["company"])


@router.get("", response={200: CompanyOut, **errors(401, 403)})
def get_company(request):
    return company_get(actor=request.auth)


@router.patch("", response={200: CompanyOut, **errors(401, 403, 422)})
def patch_company(request, payload: CompanyPatch):
    company_update(actor=request.auth, **payload.model_dump(exclude_unset=True))
    return company_get(actor=request.auth)
