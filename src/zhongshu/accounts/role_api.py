"""/api/v1/permissions/catalogue and /api/v1/roles: roles as data (docs/permissions.md)."""

from typing import Any

from ninja import Field, Router, Schema

from zhongshu.core.actors import ApiRequest
from zhongshu.core.schemas import InputSchema, errors

from . import catalogue, permissions, role_services

router = Router(tags=["roles"])


class EntryOut(Schema):
    code: str
    label: str
    meaning: str


class CatalogueOut(Schema):
    actions: list[EntryOut]
    field_groups: list[EntryOut]
    scopes: list[EntryOut]
    levels: list[EntryOut]


class RoleOut(Schema):
    code: str
    name: str
    shipped: bool
    retired: bool
    scope: str
    actions: list[str]
    fields: dict[str, str] = Field(description="Field group → hidden, read or edit")
    users: int = Field(description="Active users holding the role")


class RoleChangeOut(RoleOut):
    change: dict[str, Any]


class RolePatch(InputSchema):
    name: str | None = None
    actions: list[str] | None = Field(None, description="Every action the role may do")
    fields: dict[str, str] | None = Field(None, description="Field group → hidden, read or edit")
    scope: str | None = None


class RoleIn(RolePatch):
    code: str
    copy_from: str | None = Field(None, description="Start from this role's definition")


class PreviewOut(Schema):
    gains: list[str]
    losses: list[str]
    fields: dict[str, list[str]]
    scope: list[str] | None = None
    name: list[str] | None = None
    users: list[str]
    user_count: int


def _data(payload: RolePatch) -> dict[str, Any]:
    return payload.model_dump(exclude={"code", "copy_from"})


@router.get("/permissions/catalogue", response={200: CatalogueOut, **errors(401, 403)})
def get_catalogue(request: ApiRequest) -> dict[str, Any]:
    permissions.require(request.auth, role_services.ADMIN_ACTION)
    return catalogue.catalogue()


@router.get("/roles", response={200: list[RoleOut], **errors(401, 403)})
def list_roles(request: ApiRequest) -> list[dict[str, Any]]:
    return role_services.role_list(actor=request.auth)


@router.get("/roles/{code}", response={200: RoleOut, **errors(401, 403, 404)})
def get_role(request: ApiRequest, code: str) -> dict[str, Any]:
    return role_services.role_get(actor=request.auth, code=code)


@router.post("/roles", response={201: RoleChangeOut, **errors(401, 403, 404, 409, 422)})
def create_role(request: ApiRequest, payload: RoleIn) -> tuple[int, dict[str, Any]]:
    role = role_services.role_create(
        actor=request.auth, code=payload.code, data=_data(payload), copy_from=payload.copy_from
    )
    return 201, role


@router.patch("/roles/{code}", response={200: RoleChangeOut, **errors(401, 403, 404, 409, 422)})
def update_role(request: ApiRequest, code: str, payload: RolePatch) -> dict[str, Any]:
    return role_services.role_update(actor=request.auth, code=code, data=_data(payload))


@router.post("/roles/{code}/preview", response={200: PreviewOut, **errors(401, 403, 404, 422)})
def preview_role(request: ApiRequest, code: str, payload: RolePatch) -> dict[str, Any]:
    return role_services.role_preview(actor=request.auth, code=code, data=_data(payload))


@router.post("/roles/{code}/retire", response={200: RoleChangeOut, **errors(401, 403, 404, 409)})
def retire_role(request: ApiRequest, code: str) -> dict[str, Any]:
    return role_services.role_retire(actor=request.auth, code=code)


@router.post("/roles/{code}/restore", response={200: RoleChangeOut, **errors(401, 403, 404, 409)})
def restore_role(request: ApiRequest, code: str) -> dict[str, Any]:
    return role_services.role_retire(actor=request.auth, code=code, retired=False)


@router.post("/roles/{code}/reset", response={200: RoleChangeOut, **errors(401, 403, 404, 409)})
def reset_role(request: ApiRequest, code: str) -> dict[str, Any]:
    return role_services.role_reset(actor=request.auth, code=code)
