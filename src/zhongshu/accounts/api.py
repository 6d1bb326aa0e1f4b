from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from zhongshu.core.actors import Actor, ApiRequest
from zhongshu.core.errors import NotFound
from zhongshu.core.schemas import errors

from . import permissions, regions, selectors, services
from .audit import export_download
from .models import ApiToken, Region
from .role_api import router as role_router
from .schemas import (
    ApiTokenCreatedOut,
    ApiTokenIn,
    ApiTokenOut,
    MeOut,
    RegionIn,
    RegionOut,
    RegionPatch,
    TokenIn,
    TokenOut,
    UserOut,
)

router = Router(tags=["accounts"])
router.add_router("", role_router)


@router.post("/auth/token", auth=None, response={200: TokenOut, **errors(401, 422, 429)})
def issue_token(request: HttpRequest, payload: TokenIn) -> dict[str, Any]:
    raw, token = services.token_issue(
        request=request, username=payload.username, password=payload.password
    )
    return {"token": raw, "expires_at": token.expires_at}


@router.get("/me", response={200: MeOut, **errors(401)})
def me(request: ApiRequest) -> dict[str, Any]:
    user = request.auth
    profile = getattr(user, "profile", None)
    return {
        "username": user.username,
        "display_name": profile.display_name if profile else user.username,
        "roles": sorted(permissions.roles_of(user)),
        "regions": sorted(r.name for r in profile.regions.all()) if profile else [],
    }


@router.get("/regions", response={200: list[RegionOut], **errors(401)})
def list_regions(request: ApiRequest) -> QuerySet[Region]:
    return selectors.region_list(actor=request.auth)


@router.post("/regions", response={201: RegionOut, **errors(401, 403, 422)})
def create_region(request: ApiRequest, payload: RegionIn) -> tuple[int, Region]:
    return 201, services.region_create(actor=request.auth, name=payload.name)


@router.get("/regions/export.xlsx", response=errors(401, 403, 422))
def export_regions(request: ApiRequest, active: bool | None = None) -> FileResponse:
    export = regions.region_export(actor=request.auth, active=active)
    return export_download(actor=request.auth, export=export)


@router.patch("/regions/{int:region_id}", response={200: RegionOut, **errors(401, 403, 404, 422)})
def update_region(request: ApiRequest, region_id: int, payload: RegionPatch) -> Region:
    with transaction.atomic():  # all the changes of one request, or none
        region = regions.region_get(actor=request.auth, region_id=region_id)
        if payload.name is not None:
            region = regions.region_rename(
                actor=request.auth, region_id=region_id, name=payload.name
            )
        if payload.active is not None:
            region = regions.region_set_active(
                actor=request.auth, region_id=region_id, active=payload.active
            )
    return region


def _user_out(user: Actor) -> dict[str, Any]:
    profile = getattr(user, "profile", None)
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": (profile.display_name if profile else "") or user.username,
        "is_active": user.is_active,
        "roles": [g.name for g in user.groups.all()],
        "regions": [r.name for r in profile.regions.all()] if profile else [],
    }


@router.get("/users", response={200: list[UserOut], **errors(401, 403)})
def list_users(request: ApiRequest, q: str = "", role: str = "") -> list[dict[str, Any]]:
    return [_user_out(u) for u in selectors.user_list(actor=request.auth, q=q, role=role)]


@router.post("/users/{user_id}/deactivate", response={200: UserOut, **errors(401, 403, 404, 409)})
def deactivate_user(request: ApiRequest, user_id: int) -> dict[str, Any]:
    services.user_set_active(actor=request.auth, user_id=user_id, active=False)
    return _user_out(selectors.user_get(actor=request.auth, user_id=user_id))


@router.get("/me/tokens", response={200: list[ApiTokenOut], **errors(401)})
def list_my_tokens(request: ApiRequest) -> QuerySet[ApiToken]:
    return selectors.token_list_for(actor=request.auth, user_id=request.auth.pk)


@router.post("/me/tokens", response={201: ApiTokenCreatedOut, **errors(401, 403, 422)})
def create_my_token(request: ApiRequest, payload: ApiTokenIn) -> tuple[int, ApiToken]:
    raw, token = services.token_create_for(
        actor=request.auth, user_id=request.auth.pk, name=payload.name, days=payload.days
    )
    token.token = raw  # type: ignore[attr-defined]  # shown once, read by ApiTokenCreatedOut
    return 201, token


@router.delete("/me/tokens/{token_id}", response={204: None, **errors(401, 404)})
def revoke_my_token(request: ApiRequest, token_id: int) -> tuple[int, None]:
    token = selectors.token_list_for(actor=request.auth, user_id=request.auth.pk).filter(
        pk=token_id
    )
    if not token.exists():
        raise NotFound(_("Token not found."))
    services.token_revoke(actor=request.auth, token_id=token_id)
    return 204, None
