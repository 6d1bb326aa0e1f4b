from datetime import datetime

from ninja import Field, Schema

from zhongshu.core.schemas import InputSchema


class InboxItemOut(Schema):
    id: int
    subject: str
    body: str
    link: str
    source: str
    order_id: int | None
    created_at: datetime
    read_at: datetime | None


class InboxPage(Schema):
    items: list[InboxItemOut]
    next_cursor: int | None
    unread: int


class UnreadOut(Schema):
    unread: int


class MarkedOut(Schema):
    marked: int


class MessageOut(Schema):
    id: int
    channel: str
    target: str
    robot_id: int | None
    subject: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str
    sent_at: datetime | None
    created_at: datetime
    dedupe_key: str | None
    source: str


class MessagePage(Schema):
    items: list[MessageOut]
    next_cursor: int | None


class DeliveryOut(Schema):
    id: int
    message_id: int
    robot_id: int | None
    channel: str
    attempt: int
    started_at: datetime
    duration_ms: int
    ok: bool
    throttled: bool
    http_status: int | None
    error_code: str
    error: str
    worker: str


class DeliveryPage(Schema):
    items: list[DeliveryOut]
    next_cursor: int | None


class RobotIn(InputSchema):
    kind: str = ""
    name: str = ""
    webhook_url: str = ""
    secret: str = ""
    enabled: bool = True


class RobotPatch(InputSchema):
    kind: str | None = None
    name: str | None = None
    webhook_url: str | None = None
    secret: str | None = None
    enabled: bool | None = None


class RobotOut(Schema):
    id: int
    kind: str
    name: str
    webhook_url: str
    has_secret: bool
    enabled: bool

    @staticmethod
    def resolve_has_secret(obj) -> bool:
        return bool(obj.secret)


class ContactIn(InputSchema):
    """Fields left out (or null) stay as they are; an empty string clears one."""

    wecom_userid: str | None = Field(None, max_length=200)
    dingtalk_userid: str | None = Field(None, max_length=200)
    dingtalk_unionid: str | None = Field(None, max_length=200)
    feishu_user_id: str | None = Field(None, max_length=200)
    mobile: str | None = Field(None, max_length=200)
    email: str | None = Field(None, max_length=400)


class ContactOut(Schema):
    user_id: int
    username: str
    wecom_userid: str
    dingtalk_userid: str
    dingtalk_unionid: str
    feishu_user_id: str
    mobile: str
    email: str
