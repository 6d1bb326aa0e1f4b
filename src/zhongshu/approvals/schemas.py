from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema

from zhongshu.core.schemas import InputSchema

KindName = Literal[
    "rush",
    "design_change",
    "discount_above",
    "amount_above",
    "cancel_after_confirm",
    "credit",
    "purchase_amount",
]


class ConditionIn(InputSchema):
    field: str = Field(
        description="amount, discount_rate, priority, days_to_due, quantity, channel"
    )
    op: str = Field(description="gt, gte, lt, lte, eq, ne")
    value: Any


class StepIn(InputSchema):
    name: str = Field(max_length=80)
    role: str = Field("", description="Role slug whose holders approve (or name users)")
    users: list[str] = Field(default_factory=list, description="Usernames of named approvers")
    mode: Literal["any", "all"] = "any"
    when: Literal["always", "only_if", "skip_if"] = "always"
    condition: ConditionIn | None = None
    time_limit_hours: int | None = None
    deputy_user: str = Field("", description="Username to escalate to after the time limit")
    deputy_role: str = ""


class FlowIn(InputSchema):
    name: str = Field(max_length=80)
    kinds: list[KindName]
    discount_threshold: Decimal | None = None
    amount_threshold: Decimal | None = None
    active: bool = True
    steps: list[StepIn]
    version: int | None = Field(None, description="Required on update: the version you edited")


class StepOut(Schema):
    position: int
    name: str
    role: str
    users: list[str]
    mode: str
    when: str
    condition: dict
    time_limit_hours: int | None
    deputy_user: str | None
    deputy_role: str

    @staticmethod
    def resolve_users(obj) -> list[str]:
        return [u.username for u in obj.users.all()]

    @staticmethod
    def resolve_deputy_user(obj) -> str | None:
        return obj.deputy_user.username if obj.deputy_user else None


class FlowOut(Schema):
    id: int
    name: str
    kinds: list[str]
    discount_threshold: Decimal | None
    amount_threshold: Decimal | None
    active: bool
    version: int
    steps: list[StepOut]

    @staticmethod
    def resolve_steps(obj) -> list:
        return list(obj.steps.all())


class RequestIn(InputSchema):
    order_id: int
    kind: KindName
    reason: str = Field(max_length=2000)
    payload: dict | None = Field(
        None,
        description='Design change: {"due_date": "YYYY-MM-DD", "drawing_revision": "B", '
        '"lines": [{"line_no": 1, "quantity": "12"}, {"line_no": 2, "remove": true}, '
        '{"material": "M-1", "quantity": "3"}]}',
    )


class DecideIn(InputSchema):
    verdict: Literal["approve", "reject"]
    comment: str = Field("", max_length=2000)
    version: int | None = None


class WithdrawIn(InputSchema):
    version: int | None = None


class RequestSummaryOut(Schema):
    id: int
    kind: str
    status: str
    order_id: int | None = Field(description="None for a purchase order's request")
    order_number: str
    customer: str
    purchase_order: str = Field(description="The purchase order's number (purchase_amount)")
    requested_by: str = Field(alias="requested_by.username")
    reason: str
    version: int
    submitted_at: datetime
    decided_at: datetime | None
    link: str

    @staticmethod
    def resolve_order_number(obj) -> str:
        return obj.order.number if obj.order_id else ""

    @staticmethod
    def resolve_customer(obj) -> str:
        return obj.order.customer.name if obj.order_id else ""


class DecisionOut(Schema):
    user: str = Field(alias="user.username")
    on_behalf_of: str | None
    verdict: str
    comment: str
    at: datetime
    channel: str
    minutes: int = Field(description="Minutes from the request's submission to this decision")

    @staticmethod
    def resolve_on_behalf_of(obj) -> str | None:
        return obj.on_behalf_of.username if obj.on_behalf_of else None


class RequestStepOut(Schema):
    position: int
    name: str
    mode: str
    status: str
    approvers: list[str]
    deputies: list[str]
    activated_at: datetime | None
    due_at: datetime | None
    escalated_at: datetime | None
    decided_at: datetime | None
    minutes_to_decide: int | None
    decisions: list[DecisionOut]

    @staticmethod
    def resolve_approvers(obj) -> list[str]:
        return [u.username for u in obj.approvers.all()]

    @staticmethod
    def resolve_deputies(obj) -> list[str]:
        return [u.username for u in obj.deputies.all()]

    @staticmethod
    def resolve_decisions(obj) -> list:
        return list(obj.decisions.all())


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    url: str

    @staticmethod
    def resolve_url(obj) -> str:
        return f"/api/v1/approvals/attachments/{obj.pk}"


class RequestOut(RequestSummaryOut):
    flow_name: str
    payload: dict
    before: dict
    applied_at: datetime | None
    minutes_to_decide: int | None
    decision_minutes: int | None = Field(
        description="Minutes from submission to the final approval or rejection"
    )
    decided_via: str
    steps: list[RequestStepOut]
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_steps(obj) -> list:
        return list(obj.steps.all())

    @staticmethod
    def resolve_attachments(obj) -> list:
        return list(obj.attachments.all())


class RequestPage(Schema):
    items: list[RequestSummaryOut]
    count: int


class DelegationIn(InputSchema):
    to_user: str = Field(description="Username of the stand-in")
    starts_at: datetime
    ends_at: datetime
    note: str = Field("", max_length=200)


class DelegationOut(Schema):
    id: int
    from_user: str = Field(alias="from_user.username")
    to_user: str = Field(alias="to_user.username")
    starts_at: datetime
    ends_at: datetime
    note: str
    revoked_at: datetime | None
