from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema

from zhongshu.core.schemas import InputSchema


class ItemIn(InputSchema):
    name: Any = Field(None, description="Item name, unique within the plan")
    method: Any = Field("", description="How to check it (gauge, visual…)")
    kind: Any = Field("measure", description='"measure" (value with tolerance) or "attribute"')
    target: Any = Field(None, description="measure: the nominal value")
    lower_tolerance: Any = Field(None, description="measure: allowed deviation below, ≥ 0")
    upper_tolerance: Any = Field(None, description="measure: allowed deviation above, ≥ 0")
    unit: Any = Field("", description="e.g. mm")
    operation: Any = Field(
        None,
        description="Sequence number of the routing operation producing it (rework goes there)",
    )


class PlanIn(InputSchema):
    items: list[ItemIn]
    note: str = Field("", max_length=200)
    rework_repeats_following: bool = Field(
        False, description="Rework at an operation repeats the operations after it"
    )
    version: int | None = Field(None, description="Send the version you read to avoid overwrites")


class ItemOut(Schema):
    id: int
    sequence: int
    name: str
    method: str
    kind: Literal["measure", "attribute"]
    target: Decimal | None
    lower_tolerance: Decimal | None
    upper_tolerance: Decimal | None
    operation: int | None = Field(None, alias="operation_sequence")
    lower_limit: Decimal | None
    upper_limit: Decimal | None
    unit: str


class PlanOut(Schema):
    material: str = Field(alias="material.code")
    material_name: str = Field(alias="material.name")
    note: str
    rework_repeats_following: bool
    version: int
    updated_at: datetime
    items: list[ItemOut]


class PlanPage(Schema):
    items: list[PlanOut]
    count: int


class MeasurementIn(InputSchema):
    item: Any = Field(None, description="Plan item id")
    value: Any = Field(None, description="measure items: the measured value")
    ok: Any = Field(None, description="attribute items: true (OK) or false (NG)")


class InspectionIn(InputSchema):
    order_id: int
    measurements: list[MeasurementIn] = Field(default_factory=list)
    note: Any = ""
    result: Any = Field(
        None, description='Computed from the measurements; "fail" for a defect the plan lacks'
    )
    rework_line: Any = Field(
        None,
        description="When the inspection fails: the id of the production line for the rework "
        "(an active line with working hours); default: the line of the operation that produced "
        "the failed characteristic",
    )


class MeasurementOut(Schema):
    item_id: int | None
    sequence: int
    name: str
    kind: str
    unit: str
    lower_limit: Decimal | None
    upper_limit: Decimal | None
    value: Decimal | None
    ok: bool | None
    passed: bool


class InspectionOut(Schema):
    id: int
    order_id: int
    order: str = Field(alias="order.number")
    inspector: str = Field(alias="inspector.username")
    at: datetime
    result: Literal["pass", "fail"]
    note: str
    measurements: list[MeasurementOut]


class InspectionPage(Schema):
    items: list[InspectionOut]
    next_cursor: int | None


class ChecklistOut(Schema):
    order_id: int
    order: str
    status: str
    items: list[ItemOut]


class AwaitingOut(Schema):
    id: int
    number: str
    customer: str = Field(alias="customer.name")
    due_date: Any
    priority: str
    production_finished_at: datetime | None


class NonconformanceOut(Schema):
    id: int
    order_id: int
    order: str = Field(alias="order.number")
    record_id: int | None
    description: str
    disposition: str
    status: Literal["open", "closed"]
    rework_task_id: int | None
    opened_by: str = Field(alias="opened_by.username")
    opened_at: datetime
    closed_at: datetime | None
    close_note: str


class NonconformancePage(Schema):
    items: list[NonconformanceOut]
    next_cursor: int | None


class CloseIn(InputSchema):
    note: Any = ""
