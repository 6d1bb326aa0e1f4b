from django.http import FileResponse
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile

from zhongshu.core.pagination import MAX_OFFSET
from zhongshu.core.schemas import errors

from . import selectors, services
from .schemas import (
    AttachmentOut,
    DecideIn,
    DelegationIn,
    DelegationOut,
    FlowIn,
    FlowOut,
    RequestIn,
    RequestOut,
    RequestPage,
    WithdrawIn,
)

router = Router(tags=["approvals"])


def _flow_data(payload: FlowIn) -> dict:
    data = payload.dict()
    for s in data["steps"]:
        s["condition"] = s.get("condition") or {}
    return data


@router.get("/flows", response={200: list[FlowOut], **errors(401, 403)})
def list_flows(request):
    return list(selectors.flow_list(actor=request.auth))


@router.post("/flows", response={201: FlowOut, **errors(401, 403, 422)})
def create_flow(request, payload: FlowIn):
    flow = services.flow_create(actor=request.auth, data=_flow_data(payload))
    return Status(201, selectors.flow_get(actor=request.auth, flow_id=flow.pk))


@router.get("/flows/{flow_id}", response={200: FlowOut, **errors(401, 403, 404)})
def get_flow(request, flow_id: int):
    return selectors.flow_get(actor=request.auth, flow_id=flow_id)


@router.put("/flows/{flow_id}", response={200: FlowOut, **errors(401, 403, 404, 409, 422)})
def update_flow(request, flow_id: int, payload: FlowIn):
    services.flow_update(
        actor=request.auth, flow_id=flow_id, version=payload.version, data=_flow_data(payload)
    )
    return selectors.flow_get(actor=request.auth, flow_id=flow_id)


@router.delete("/flows/{flow_id}", response={204: None, **errors(401, 403, 404)})
def delete_flow(request, flow_id: int):
    services.flow_delete(actor=request.auth, flow_id=flow_id)
    return Status(204, None)


@router.get("/requests", response={200: RequestPage, **errors(401, 403, 422)})
def list_requests(
    request,
    mine: bool = False,
    status: str = "",
    order_id: int | None = None,
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    qs = selectors.request_list(actor=request.auth, mine=mine, status=status, order_id=order_id)
    return {"items": list(qs[offset : offset + limit]), "count": qs.count()}


@router.get("/waiting", response={200: RequestPage, **errors(401, 403)})
def list_waiting(request):
    """Requests waiting for my decision (directly, as deputy or as someone's delegate)."""
    items = list(selectors.waiting_list(actor=request.auth)[:200])
    return {"items": items, "count": len(items)}


@router.post("/requests", response={201: RequestOut, **errors(401, 403, 404, 409, 422)})
def create_request(request, payload: RequestIn):
    req = services.request_create(
        actor=request.auth,
        order_id=payload.order_id,
        kind=payload.kind,
        reason=payload.reason,
        payload=payload.payload,
    )
    return Status(201, selectors.request_get(actor=request.auth, request_id=req.pk))


@router.get("/requests/{request_id}", response={200: RequestOut, **errors(401, 403, 404)})
def get_request(request, request_id: int):
    return selectors.request_get(actor=request.auth, request_id=request_id)


@router.post(
    "/requests/{request_id}/decide", response={200: RequestOut, **errors(401, 403, 404, 409, 422)}
)
def decide_request(request, request_id: int, payload: DecideIn):
    services.decide(
        actor=request.auth,
        request_id=request_id,
        verdict=payload.verdict,
        comment=payload.comment,
        version=payload.version,
        channel="api",
    )
    return selectors.request_get(actor=request.auth, request_id=request_id)


@router.post(
    "/requests/{request_id}/withdraw", response={200: RequestOut, **errors(401, 403, 404, 409)}
)
def withdraw_request(request, request_id: int, payload: WithdrawIn | None = None):
    services.request_withdraw(
        actor=request.auth, request_id=request_id, version=payload.version if payload else None
    )
    return selectors.request_get(actor=request.auth, request_id=request_id)


@router.post(
    "/requests/{request_id}/attachments",
    response={201: AttachmentOut, **errors(401, 403, 404, 409, 422)},
)
def upload_attachment(request, request_id: int, file: File[UploadedFile]):
    """pdf, png, jpg, dwg, dxf or xlsx (checked by content), at most 10 MB."""
    att = services.attachment_add(actor=request.auth, request_id=request_id, upload=file)
    return Status(201, att)


@router.get("/attachments/{attachment_id}", response=errors(401, 403, 404))
def download_attachment(request, attachment_id: int):
    att = selectors.attachment_get(actor=request.auth, attachment_id=attachment_id)
    return attachment_response(att)


def attachment_response(att) -> FileResponse:
    response = FileResponse(
        att.file.open("rb"), as_attachment=True, filename=att.name, content_type=att.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.get("/delegations", response={200: list[DelegationOut], **errors(401, 403)})
def list_delegations(request):
    return list(selectors.delegation_list(actor=request.auth)[:200])


@router.post("/delegations", response={201: DelegationOut, **errors(401, 403, 422)})
def create_delegation(request, payload: DelegationIn):
    d = services.delegation_create(
        actor=request.auth,
        to_user=payload.to_user,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        note=payload.note,
    )
    return Status(201, selectors.delegation_list(actor=request.auth).get(pk=d.pk))


@router.post(
    "/delegations/{delegation_id}/revoke", response={200: DelegationOut, **errors(401, 403, 404)}
)
def revoke_delegation(request, delegation_id: int):
    d = services.delegation_revoke(actor=request.auth, delegation_id=delegation_id)
    return selectors.delegation_list(actor=request.auth).get(pk=d.pk)
