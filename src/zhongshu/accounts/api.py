from ninja import Router

from zhongshu.core.schemas import errors

from . import permissions, selectors, services
from .schemas import MeOut, RegionIn, RegionOut, TokenIn, TokenOut

router = Router(tags=["accounts"])


@router.post("/auth/token", auth=None, response={200: TokenOut, **errors(401, 422, 429)})
def issue_token(request, payload: TokenIn):
    raw, token = services.token_issue(
        request=request, username=payload.username, password=payload.password
    )
    return {"token": raw, "expires_at": token.expires_at}


@router.get("/me", response={200: MeOut, **errors(401)})
def me(request):
    user = request.auth
    profile = getattr(user, "profile", None)
    return {
        "username": user.username,
        "display_name": profile.display_name if profile else user.username,
        "roles": sorted(permissions.roles_of(user)),
        "regions": sorted(r.name for r in profile.regions.all()) if profile else [],
    }


@router.get("/regions", response={200: list[RegionOut], **errors(401)})
def list_regions(request):
    return selectors.region_list(actor=request.auth)


@router.post("/regions", response={201: RegionOut, **errors(401, 403, 422)})
def create_region(request, payload: RegionIn):
    return 201, services.region_create(actor=request.auth, name=payload.name)
