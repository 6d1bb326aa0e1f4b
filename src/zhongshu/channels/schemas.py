import datetime as dt
from decimal import Decimal

from ninja import Schema

from zhongshu.core.schemas import InputSchema


class AccountOut(Schema):
    id: int
    kind: str
    name: str
    base_url: str
    app_key: str
    shop_id: str
    default_region: str
    lead_days: int
    overlap_seconds: int
    is_active: bool
    secret_set: bool
    token_set: bool
    api_key_prefix: str
    synced_to: dt.datetime | None
    last_sync_at: dt.datetime | None
    last_error: str

    @staticmethod
    def resolve_default_region(obj):
        return obj.default_region.name

    @staticmethod
    def resolve_secret_set(obj):
        return bool(obj.secret_enc)

    @staticmethod
    def resolve_token_set(obj):
        return bool(obj.token_enc)


class AccountIn(InputSchema):
    kind: str | None = None
    name: str | None = None
    base_url: str | None = None
    app_key: str | None = None
    shop_id: str | None = None
    secret: str | None = None
    token: str | None = None
    default_region: str | None = None
    lead_days: int | None = None
    overlap_seconds: int | None = None
    is_active: bool | None = None


class AccountCreated(AccountOut):
    api_key: str = ""


class MappingIn(InputSchema):
    channel: str
    channel_sku: str
    material: str
    multiplier: Decimal | str = "1"


class MappingOut(Schema):
    id: int
    channel: str
    channel_sku: str
    material: str
    multiplier: Decimal

    @staticmethod
    def resolve_material(obj):
        return obj.material.code


class MappingPage(Schema):
    items: list[MappingOut]
    count: int


class CarrierOut(Schema):
    id: int
    channel: str
    code: str
    name: str


class CarrierMappingIn(InputSchema):
    name: str  # the warehouse's name of the carrier, as typed on a shipment
    channel: str  # taobao | douyin
    code: str  # the platform's company code


class CarrierMappingOut(Schema):
    id: int
    name: str
    channel: str
    code: str
    carrier_name: str

    @staticmethod
    def resolve_code(obj):
        return obj.carrier.code

    @staticmethod
    def resolve_carrier_name(obj):
        return obj.carrier.name


class CarrierRefreshOut(Schema):
    listed: int
    added: int
    renamed: int


class ExceptionOut(Schema):
    id: int
    reason: str  # sku | address | change | refund | carrier | invalid
    detail: str
    province: str
    city: str
    channel: str
    account: str
    external_id: str
    sku_id: str
    outer_sku: str
    title: str
    quantity: Decimal
    created_at: dt.datetime

    @staticmethod
    def resolve_account(obj):
        return obj.channel_order.account.name

    @staticmethod
    def resolve_external_id(obj):
        return obj.channel_order.external_id


class ExceptionPage(Schema):
    items: list[ExceptionOut]
    count: int


class MapRetryIn(InputSchema):
    material: str
    multiplier: Decimal | str = "1"


class DismissIn(InputSchema):
    note: str = ""


class RouteRetryIn(InputSchema):
    region: str
    city_only: bool = False


class RouteRetryOut(Schema):
    rule_id: int
    retried: int
    ordered: int


class AddressRegionIn(InputSchema):
    province: str
    city: str = ""
    region: str


class AddressRegionOut(Schema):
    id: int
    province: str
    city: str
    region: str

    @staticmethod
    def resolve_region(obj):
        return obj.region.name


class MapRetryOut(Schema):
    mapping_id: int
    retried: int
    ordered: int


class RunOut(Schema):
    id: int
    account_id: int
    trigger: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    ok: bool
    pages: int
    seen: int
    created: int
    updated: int
    ignored: int
    throttled: int
    error: str


class RunPage(Schema):
    items: list[RunOut]
    count: int


class PushOut(Schema):
    code: int = 0
    msg: str = "success"


class PoolOrderOut(Schema):
    id: int
    account: str
    channel: str
    external_id: str
    status: str
    state: str
    modified_at: dt.datetime
    buyer_name: str
    amount: Decimal
    order_number: str | None
    tags: list[str]
    error: str

    @staticmethod
    def resolve_account(obj):
        return obj.account.name

    @staticmethod
    def resolve_channel(obj):
        return obj.account.kind

    @staticmethod
    def resolve_order_number(obj):
        return obj.order.number if obj.order_id else None


class PoolPage(Schema):
    items: list[PoolOrderOut]
    count: int
