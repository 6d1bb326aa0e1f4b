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


class ChatAppIn(InputSchema):
    """A field left out keeps its value; a secret is write-only (empty keeps the stored one)."""

    name: str | None = Field(None, max_length=200)
    client_id: str | None = Field(None, max_length=200)
    agent_id: str | None = Field(None, max_length=100)
    secret: str | None = Field(None, max_length=600)
    callback_token: str | None = Field(None, max_length=600)
    callback_key: str | None = Field(None, max_length=600)
    api_base: str | None = Field(None, max_length=600)
    open_api_base: str | None = Field(None, max_length=600)
    oauth_base: str | None = Field(None, max_length=600)
    enabled: bool | None = None


class ChatAppOut(Schema):
    kind: str
    name: str
    client_id: str
    agent_id: str
    api_base: str
    open_api_base: str
    oauth_base: str
    enabled: bool
    has_secret: bool
    has_callback_token: bool
    has_callback_key: bool

    @staticmethod
    def resolve_has_secret(obj) -> bool:
        return bool(obj.secret_encrypted)

    @staticmethod
    def resolve_has_callback_token(obj) -> bool:
        return bool(obj.callback_token_encrypted)

    @staticmethod
    def resolve_has_callback_key(obj) -> bool:
        return bool(obj.callback_key_encrypted)
