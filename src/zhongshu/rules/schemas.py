import datetime as dt
from typing import Any

from ninja import Field, Schema

from zhongshu.core.schemas import InputSchema


class RuleIn(InputSchema):
    name: Any = None
    description: Any = ""
    enabled: Any = True
    triggers: Any = None
    interval_minutes: Any = 15
    condition: Any = None
    actions: Any = None
    dedupe: Any = "day"


class RulePatch(InputSchema):
    name: Any = None
    description: Any = None
    enabled: Any = None
    triggers: Any = None
    interval_minutes: Any = None
    condition: Any = None
    actions: Any = None
    dedupe: Any = None


class RuleOut(Schema):
    id: int
    name: str
    description: str
    enabled: bool
    builtin: bool = Field(False, description="shipped with the product (still editable)")
    triggers: list[str]
    interval_minutes: int
    condition: dict[str, Any]
    actions: list[dict[str, Any]]
    dedupe: str
    last_scan_at: dt.datetime | None
    updated_at: dt.datetime

    @staticmethod
    def resolve_builtin(obj) -> bool:
        return bool(obj.builtin_key)


class DryRunIn(InputSchema):
    condition: Any = None


class DryRunOrder(Schema):
    id: int
    number: str
    customer: str
    status: str
    due_date: dt.date

    @staticmethod
    def resolve_customer(obj) -> str:
        return obj.customer.name


class DryRunOut(Schema):
    count: int
    orders: list[DryRunOrder]


class OperatorOut(Schema):
    op: str
    label: str


class ChoiceOut(Schema):
    value: str
    label: str


class FieldOut(Schema):
    name: str
    type: str
    label: str
    help: str
    integer: bool
    custom: bool = False  # a custom field of orders (``cf.<key>``)
    operators: list[OperatorOut]
    choices: list[ChoiceOut]


class FollowUpIn(InputSchema):
    title: Any = None
    order: Any = None
    assignee: Any = None
    assignee_role: Any = None
    due_date: Any = None
    details: Any = ""


class FollowUpOut(Schema):
    id: int
    title: str
    details: str
    order: str | None
    order_id: int | None
    assignee: str | None
    assignee_role: str
    due_date: dt.date | None
    done_at: dt.datetime | None
    done_by: str | None
    rule_id: int | None
    created_at: dt.datetime

    @staticmethod
    def resolve_order(obj) -> str | None:
        return obj.order.number if obj.order_id else None

    @staticmethod
    def resolve_assignee(obj) -> str | None:
        return obj.assignee.username if obj.assignee_id else None

    @staticmethod
    def resolve_done_by(obj) -> str | None:
        return obj.done_by.username if obj.done_by_id else None


class FollowUpPage(Schema):
    items: list[FollowUpOut]
    count: int
