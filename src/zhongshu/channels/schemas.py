import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

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
    auto_confirm: bool
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
    auto_confirm: bool | None = Field(
        None, description="confirm paid orders that pass every check without a person"
    )


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


class RoutingRuleIn(InputSchema):
    name: str = Field(..., max_length=200)
    priority: int = Field(100, ge=0, le=100_000, description="lower goes first")
    enabled: bool = True
    channel: str = Field("", max_length=20, description="taobao | douyin | agent; empty: any")
    account: int | None = Field(None, description="a shop (channel account id); empty: any")
    customer_tier: str = Field(
        "", max_length=20, description="key | growing | at_risk | new | regular"
    )
    min_amount: Decimal | None = Field(None, description="the channel order's amount, inclusive")
    max_amount: Decimal | None = None
    region: str = Field("", max_length=60, description="the buyer's sales region (name)")
    sku: str = Field("", max_length=200, description="a platform SKU id or outer SKU code")
    owner: int | None = Field(None, description="the sales owner to set (user id)")
    queue: str = Field("", max_length=200)
    tags: list[str] = Field(default_factory=list, max_length=50)


class RoutingRuleOut(Schema):
    id: int
    name: str
    priority: int
    enabled: bool
    channel: str
    account: int | None
    customer_tier: str
    min_amount: Decimal | None
    max_amount: Decimal | None
    region: str
    sku: str
    owner: int | None
    queue: str
    tags: list[str]

    @staticmethod
    def resolve_account(obj):
        return obj.account_id

    @staticmethod
    def resolve_owner(obj):
        return obj.owner_id

    @staticmethod
    def resolve_region(obj):
        return obj.region.name if obj.region_id else ""
