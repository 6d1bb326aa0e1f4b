"""/api/v1/notifications: my inbox and contact; for admins the outbox, delivery log, robots and
chat apps (secrets are write-only).

Contact details live on the user and ``accounts.Profile``; they are written by
``accounts.services.contact_update``. Fields left out of a PUT stay as they are."""

from ninja import Field, Query, Router, Schema, Status

from zhongshu.accounts import permissions
from zhongshu.accounts.services import contact_update
from zhongshu.core.pagination import MAX_LIMIT, keyset_page
from zhongshu.core.schemas import errors

from . import selectors, services
from .schemas import (
    ChatAppIn,
    ChatAppOut,
    ContactIn,
    ContactOut,
    DeliveryPage,
    InboxItemOut,
    InboxPage,
    MarkedOut,
    MessageOut,
    MessagePage,
    RobotIn,
    RobotOut,
    RobotPatch,
    UnreadOut,
)

router = Router(tags=["notifications"])


class PageIn(Schema):
    cursor: int | None = Field(None, ge=1)
    limit: int = Field(50, ge=1, le=MAX_LIMIT)


class InboxFiltersIn(PageIn):
    unread: bool = False


class OutboxFiltersIn(PageIn):
    status: str = Field("", max_length=20)
    channel: str = Field("", max_length=20)
    robot: str = Field("", max_length=20)
    q: str = Field("", max_length=100)


class DeliveryFiltersIn(PageIn):
    ok: str = Field("", max_length=5)
    channel: str = Field("", max_length=20)
    robot: str = Field("", max_length=20)
    message: str = Field("", max_length=20)


@router.get("/inbox", response={200: InboxPage, **errors(401, 403, 422)})
def list_inbox(request, filters: Query[InboxFiltersIn]):
    qs = selectors.inbox(request.auth, unread=filters.unread)
    items, next_cursor = keyset_page(qs, cursor=filters.cursor, limit=filters.limit)
    return {
        "items": items,
        "next_cursor": next_cursor,
        "unread": selectors.unread_count(request.auth),
    }


@router.get("/inbox/unread-count", response={200: UnreadOut, **errors(401, 403)})
def unread(request):
    permissions.require(request.auth, "notifications.inbox")
    return {"unread": selectors.unread_count(request.auth)}


@router.get("/inbox/{int:message_id}", response={200: InboxItemOut, **errors(401, 403, 404)})
def get_inbox_item(request, message_id: int):
    return selectors.inbox_item(request.auth, message_id)


@router.post("/inbox/{int:message_id}/read", response={200: InboxItemOut, **errors(401, 403, 404)})
def read_inbox_item(request, message_id: int):
    return services.mark_read(actor=request.auth, message_id=message_id)


@router.post("/inbox/read-all", response={200: MarkedOut, **errors(401, 403)})
def read_all(request):
    return {"marked": services.mark_all_read(actor=request.auth)}


@router.get("/contact", response={200: ContactOut, **errors(401, 403)})
def get_my_contact(request):
    return selectors.my_contact(request.auth)


@router.put("/contact", response={200: ContactOut, **errors(401, 403, 422)})
def put_my_contact(request, payload: ContactIn):
    permissions.require(request.auth, "notifications.inbox")
    user = contact_update(actor=request.auth, user_id=request.auth.pk, **payload.dict())
    return selectors.contact_details(user)


@router.put("/contacts/{int:user_id}", response={200: ContactOut, **errors(401, 403, 404, 422)})
def put_contact(request, user_id: int, payload: ContactIn):
    user = contact_update(actor=request.auth, user_id=user_id, **payload.dict())
    return selectors.contact_details(user)


@router.get("/outbox", response={200: MessagePage, **errors(401, 403, 422)})
def list_outbox(request, filters: Query[OutboxFiltersIn]):
    qs = selectors.outbox(
        request.auth,
        status=filters.status,
        channel=filters.channel,
        robot=filters.robot,
        q=filters.q,
    )
    items, next_cursor = keyset_page(qs, cursor=filters.cursor, limit=filters.limit)
    return {"items": items, "next_cursor": next_cursor}


@router.get("/outbox/{int:message_id}", response={200: MessageOut, **errors(401, 403, 404)})
def get_outbox_message(request, message_id: int):
    return selectors.message_get(request.auth, message_id)


@router.post(
    "/outbox/{int:message_id}/retry", response={200: MessageOut, **errors(401, 403, 404, 422)}
)
def retry_message(request, message_id: int):
    return services.message_retry(actor=request.auth, message_id=message_id)


@router.get("/deliveries", response={200: DeliveryPage, **errors(401, 403, 422)})
def list_deliveries(request, filters: Query[DeliveryFiltersIn]):
    qs = selectors.deliveries(
        request.auth,
        ok=filters.ok,
        channel=filters.channel,
        robot=filters.robot,
        message=filters.message,
    )
    items, next_cursor = keyset_page(qs, cursor=filters.cursor, limit=filters.limit)
    return {"items": items, "next_cursor": next_cursor}


@router.get("/robots", response={200: list[RobotOut], **errors(401, 403)})
def list_robots(request):
    return list(selectors.robots(request.auth))


@router.post("/robots", response={201: RobotOut, **errors(401, 403, 422)})
def create_robot(request, payload: RobotIn):
    return Status(201, services.robot_create(actor=request.auth, **payload.dict()))


@router.patch("/robots/{int:robot_id}", response={200: RobotOut, **errors(401, 403, 404, 422)})
def update_robot(request, robot_id: int, payload: RobotPatch):
    data = payload.dict(exclude_unset=True)
    return services.robot_update(actor=request.auth, robot_id=robot_id, **data)


@router.delete("/robots/{int:robot_id}", response={204: None, **errors(401, 403, 404)})
def delete_robot(request, robot_id: int):
    services.robot_delete(actor=request.auth, robot_id=robot_id)
    return Status(204, None)


@router.get("/apps", response={200: list[ChatAppOut], **errors(401, 403)})
def list_chat_apps(request):
    return list(selectors.chat_apps(request.auth).only(*_APP_READ))


@router.put("/apps/{kind}", response={200: ChatAppOut, **errors(401, 403, 422)})
def put_chat_app(request, kind: str, payload: ChatAppIn):
    data = payload.dict(exclude_none=True)
    return services.chat_app_save(actor=request.auth, kind=kind, **data)


@router.delete("/apps/{kind}", response={204: None, **errors(401, 403)})
def delete_chat_app(request, kind: str):
    services.chat_app_delete(actor=request.auth, kind=kind)
    return Status(204, None)


_APP_READ = ("kind", "name", "client_id", "agent_id", "api_base", "open_api_base", "oauth_base",
             "enabled", "secret_encrypted", "callback_token_encrypted", "callback_key_encrypted")  # fmt: skip
