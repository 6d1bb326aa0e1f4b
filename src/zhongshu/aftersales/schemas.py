from datetime import datetime
from decimal import Decimal

from ninja import Schema

from zhongshu.core.schemas import InputSchema


class CaseIn(InputSchema):
    order_id: int
    category: str = ""
    severity: str = ""
    description: str = ""
    shipment_id: int | None = None
    material_code: str | None = None


class CasePatch(InputSchema):
    version: int | None = None
    category: str | None = None
    severity: str | None = None
    description: str | None = None
    owner: str | None = None
    status: str | None = None
    resolution: str | None = None
    cost: str | None = None


class CaseOut(Schema):
    id: int
    order_id: int
    order_number: str
    customer: str
    shipment_number: str | None
    material_code: str | None
    category: str
    severity: str
    status: str
    description: str
    owner: str | None
    resolution: str
    cost: Decimal
    source: str
    version: int
    created_at: datetime
    resolved_at: datetime | None
    closed_at: datetime | None

    @staticmethod
    def resolve_order_number(obj):
        return obj.order.number

    @staticmethod
    def resolve_customer(obj):
        return obj.order.customer.code

    @staticmethod
    def resolve_shipment_number(obj):
        return obj.shipment.number if obj.shipment_id else None

    @staticmethod
    def resolve_material_code(obj):
        return obj.material.code if obj.material_id else None

    @staticmethod
    def resolve_owner(obj):
        return obj.owner.get_username() if obj.owner_id else None


class CasePage(Schema):
    items: list[CaseOut]
    next_cursor: int | None


class ComplaintRateOut(Schema):
    year: int
    quarter: int
    cases: int
    shipped_orders: int
    rate: Decimal | None
