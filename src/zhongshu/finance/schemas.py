import datetime as dt
from decimal import Decimal

from ninja import Schema

from zhongshu.core.schemas import InputSchema


class CustomerRef(Schema):
    code: str
    name: str
    region: str


class OrderRowOut(Schema):
    number: str
    date: dt.date
    due_date: dt.date
    status: str
    status_label: str
    total: Decimal


class ShipmentLineOut(Schema):
    material_code: str
    material_name: str
    unit: str
    quantity: Decimal
    unit_price: Decimal
    discount_rate: Decimal
    tax_rate: Decimal
    amount: Decimal


class ShipmentRowOut(Schema):
    number: str
    date: dt.date
    order_number: str
    amount: Decimal
    lines: list[ShipmentLineOut]


class PaymentRowOut(Schema):
    date: dt.date
    reference: str
    amount: Decimal
    note: str


class AdjustmentRowOut(Schema):
    date: dt.date
    reason: str
    amount: Decimal


class ReconciliationOut(Schema):
    customer: CustomerRef
    start: dt.date
    end: dt.date
    currency: str = "CNY"
    opening_balance: Decimal
    orders: list[OrderRowOut]
    ordered_total: Decimal
    shipments: list[ShipmentRowOut]
    shipped_total: Decimal
    payments: list[PaymentRowOut]
    payments_recorded: bool
    paid_total: Decimal
    adjustments: list[AdjustmentRowOut] = []
    adjusted_total: Decimal = Decimal(0)
    closing_balance: Decimal
    generated_at: dt.datetime


# --- ledger ------------------------------------------------------------------------------------


class ReceivableOut(Schema):
    id: int
    shipment_number: str
    order_number: str
    customer: str
    amount: Decimal
    paid: Decimal
    outstanding: Decimal
    payment_terms: str
    issued_on: dt.date
    due_on: dt.date

    @staticmethod
    def resolve_shipment_number(obj):
        return obj.reference

    @staticmethod
    def resolve_order_number(obj):
        return obj.order_number

    @staticmethod
    def resolve_customer(obj):
        return obj.customer.code

    @staticmethod
    def resolve_paid(obj):
        return obj.allocated


class ReceivablePage(Schema):
    items: list[ReceivableOut]
    next_cursor: int | None


class AllocationIn(InputSchema):
    receivable_id: int
    amount: str


class PaymentIn(InputSchema):
    customer: str = ""
    reference: str = ""
    amount: str = ""
    received_on: str = ""
    note: str = ""
    # omitted: oldest due first; []: nothing allocated (all credit)
    allocations: list[AllocationIn] | None = None


class AllocateIn(InputSchema):
    allocations: list[AllocationIn] | None = None


class ReasonIn(InputSchema):
    reason: str = ""


class AllocationOut(Schema):
    receivable_id: int
    shipment_number: str
    amount: Decimal

    @staticmethod
    def resolve_shipment_number(obj):
        return obj.receivable.reference


class PaymentOut(Schema):
    id: int
    customer: str
    kind: str
    reference: str
    amount: Decimal
    allocated: Decimal
    unallocated: Decimal
    received_on: dt.date
    note: str
    reverses_id: int | None
    reversed_by: int | None = None
    created_at: dt.datetime

    @staticmethod
    def resolve_customer(obj):
        return obj.customer.code


class PaymentDetailOut(PaymentOut):
    allocations: list[AllocationOut]

    @staticmethod
    def resolve_allocations(obj):
        return list(obj.allocations.all())


class PaymentPage(Schema):
    items: list[PaymentOut]
    next_cursor: int | None


class AdjustmentIn(InputSchema):
    customer: str = ""
    amount: str = ""
    made_on: str = ""
    reason: str = ""


class AdjustmentOut(Schema):
    id: int
    customer: str
    amount: Decimal
    made_on: dt.date
    reason: str
    reverses_id: int | None
    reversed_by: int | None = None
    created_at: dt.datetime

    @staticmethod
    def resolve_customer(obj):
        return obj.customer.code


class AdjustmentPage(Schema):
    items: list[AdjustmentOut]
    next_cursor: int | None


class BalanceOut(Schema):
    code: str
    name: str
    region: str
    billed: Decimal
    paid: Decimal
    adjusted: Decimal
    balance: Decimal
    outstanding: Decimal
    credit: Decimal

    @staticmethod
    def resolve_region(obj):
        return obj.region.name


class BalancePage(Schema):
    items: list[BalanceOut]
    count: int


class AgeingOut(Schema):
    as_of: dt.date
    not_due: Decimal
    d0_30: Decimal
    d31_60: Decimal
    d61_90: Decimal
    d90_plus: Decimal
    total: Decimal


class CustomerAgeingOut(Schema):
    code: str
    name: str
    not_due: Decimal
    d0_30: Decimal
    d31_60: Decimal
    d61_90: Decimal
    d90_plus: Decimal
    total: Decimal


class AgeingReportOut(AgeingOut):
    customers: list[CustomerAgeingOut]


class ConfirmationIn(InputSchema):
    customer: str = ""
    start: str = ""
    end: str = ""
    confirmed_on: str = ""
    confirmed_by: str = ""
    note: str = ""
    attachment_ref: str = ""


class ConfirmationOut(Schema):
    id: int
    customer: str
    start: dt.date
    end: dt.date
    closing_balance: Decimal
    confirmed_on: dt.date
    confirmed_by: str
    note: str
    attachment_ref: str
    created_at: dt.datetime

    @staticmethod
    def resolve_customer(obj):
        return obj.customer.code


class ConfirmationPage(Schema):
    items: list[ConfirmationOut]
    next_cursor: int | None


class CreditIn(InputSchema):
    credit_limit: str | None = None
    overdue_days: str | None = None


class CreditOut(Schema):
    customer: str
    credit_limit: Decimal | None
    overdue_days: int | None
    effective_overdue_days: int
    balance: Decimal
    reasons: list[str]

    @staticmethod
    def resolve_customer(obj):
        return obj["customer"].code
