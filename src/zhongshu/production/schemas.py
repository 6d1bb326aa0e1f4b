from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema

from zhongshu.core.schemas import InputSchema

TaskStatusLit = Literal["pending", "in_progress", "done", "cancelled"]


class WorkCenterOut(Schema):
    id: int
    code: str
    name: str
    hours_per_shift: Decimal
    shifts_per_day: int
    hours_per_day: Decimal
    active: bool
    members: list[str]
    scrap_nc_percent: Decimal | None
    version: int

    @staticmethod
    def resolve_members(obj) -> list[str]:
        return sorted(u.username for u in obj.members.all())


class WorkCenterIn(InputSchema):
    code: str = Field(max_length=40)
    name: str = Field(max_length=200)
    hours_per_shift: Any = Decimal("8")
    shifts_per_day: Any = 1
    active: bool = True
    members: list[str] | None = Field(None, max_length=200)
    scrap_nc_percent: Any = Field(None, description="scrap % that opens a nonconformance")


class WorkCenterPatch(InputSchema):
    version: Any = None
    code: str | None = Field(None, max_length=40)
    name: str | None = Field(None, max_length=200)
    hours_per_shift: Any = None
    shifts_per_day: Any = None
    active: bool | None = None
    members: list[str] | None = Field(None, max_length=200)
    scrap_nc_percent: Any = Field(None, description='"" for the factory-wide threshold')


class CalendarExceptionIn(InputSchema):
    date: Any = None
    working: Any = None
    hours: Any = None
    work_center_id: Any = None
    note: str = Field("", max_length=400)


class CalendarExceptionOut(Schema):
    id: int
    date: date
    working: bool
    hours: Decimal | None
    work_center_id: int | None
    work_center: str | None = None
    note: str

    @staticmethod
    def resolve_work_center(obj) -> str | None:
        return obj.work_center.code if obj.work_center_id else None


class CalendarDayOut(Schema):
    day: date
    capacity_hours: Decimal
    national_working_day: bool
    holiday: str
    makeup_workday: bool


class OperationIn(InputSchema):
    work_center: Any = None
    name: Any = ""
    setup_hours: Any = 0
    run_hours_per_unit: Any = None
    default_owner: Any = None


class RoutingIn(InputSchema):
    operations: list[OperationIn] = Field(max_length=200)


class OperationOut(Schema):
    sequence: int
    name: str
    work_center: str
    work_center_name: str
    setup_hours: Decimal
    run_hours_per_unit: Decimal
    default_owner: str | None


class RoutingOut(Schema):
    material: str
    material_name: str
    version: int | None
    operations: list[OperationOut]


class BomLineIn(InputSchema):
    component: Any = None
    quantity_per_unit: Any = None
    scrap_percent: Any = None


class BomIn(InputSchema):
    lines: list[BomLineIn] = Field(max_length=500)


class BomLineOut(Schema):
    component: str
    component_name: str
    unit: str
    quantity_per_unit: Decimal
    scrap_percent: Decimal
    # quantity per unit with the scrap added: what one unit of the product really consumes
    gross_per_unit: Decimal


class BomOut(Schema):
    material: str
    material_name: str
    lines: list[BomLineOut]


class TaskOut(Schema):
    id: int
    sheet_id: int
    sheet: str = Field(alias="sheet.number")
    order_id: int
    order: str = Field(alias="order.number")
    order_priority: str = Field(alias="order.priority")
    order_due_date: date = Field(alias="order.due_date")
    customer: str = Field(alias="order.customer.name")
    material: str = Field(alias="sheet.material.code")
    material_name: str = Field(alias="sheet.material.name")
    quantity: Decimal = Field(alias="sheet.quantity")
    sequence: int
    name: str
    work_center_id: int
    work_center: str = Field(alias="work_center.code")
    owner_id: int | None
    owner: str | None = None
    estimated_hours: Decimal
    status: TaskStatusLit
    is_rework: bool
    note: str
    planned_start: datetime | None
    planned_finish: datetime | None
    pinned_date: date | None
    pinned_work_center_id: int | None
    actual_start: datetime | None
    actual_end: datetime | None
    actual_hours: Decimal | None
    good_quantity: Decimal | None
    scrap_quantity: Decimal | None
    paused: bool = Field(False, description="paused with a reason; still in progress")
    paused_at: datetime | None
    pause_reason: str
    pause_note: str
    version: int

    @staticmethod
    def resolve_paused(obj) -> bool:
        return obj.paused_at is not None

    @staticmethod
    def resolve_owner(obj) -> str | None:
        return obj.owner.username if obj.owner_id else None


class TaskPage(Schema):
    items: list[TaskOut]
    next_cursor: int | None


class SheetTaskOut(Schema):
    id: int
    sequence: int
    name: str
    work_center: str = Field(alias="work_center.code")
    owner: str | None = None
    estimated_hours: Decimal
    status: TaskStatusLit
    is_rework: bool
    planned_start: datetime | None
    planned_finish: datetime | None
    actual_start: datetime | None
    actual_end: datetime | None
    actual_hours: Decimal | None
    good_quantity: Decimal | None
    scrap_quantity: Decimal | None
    paused: bool = Field(False, description="paused with a reason; still in progress")
    paused_at: datetime | None
    pause_reason: str
    pause_note: str
    version: int

    @staticmethod
    def resolve_paused(obj) -> bool:
        return obj.paused_at is not None

    @staticmethod
    def resolve_owner(obj) -> str | None:
        return obj.owner.username if obj.owner_id else None


class SheetOut(Schema):
    id: int
    number: str
    order_id: int
    material: str = Field(alias="material.code")
    material_name: str = Field(alias="material.name")
    quantity: Decimal
    status: str
    tasks: list[SheetTaskOut]

    @staticmethod
    def resolve_tasks(obj):
        return list(obj.tasks.all())


class VersionIn(InputSchema):
    version: Any = None


class FinishIn(InputSchema):
    version: Any = None
    actual_hours: Any = None
    good_quantity: Any = Field(None, description="good units (default: planned less scrap)")
    scrap_quantity: Any = Field(None, description="scrapped units (default 0)")


class PauseIn(InputSchema):
    version: Any = None
    reason: Any = Field(None, description="machine_down | material_missing | other")
    note: Any = Field("", description="required with reason other")


class AssignIn(InputSchema):
    version: Any = None
    owner_id: Any = None


class PinIn(InputSchema):
    version: Any = None
    date: Any = None
    work_center_id: Any = None


class RescheduleOut(Schema):
    tasks: int
    scheduled: int
    unscheduled: int
    changed: int
    at_risk: int
    seconds: float


class LoadOut(Schema):
    work_center_id: int
    code: str
    name: str
    day: date
    planned_hours: Decimal
    capacity_hours: Decimal
    load_rate: float | None


class ScheduleStatusOut(Schema):
    updating: bool


class AtRiskOut(Schema):
    order_id: int
    order: str = Field(alias="order.number")
    customer: str = Field(alias="order.customer.name")
    status: str = Field(alias="order.status")
    priority: str = Field(alias="order.priority")
    due_date: date = Field(alias="order.due_date")
    projected_finish: datetime | None
    unscheduled_tasks: int
    computed_at: datetime


class WhatIfIn(InputSchema):
    material: Any = None
    quantity: Any = None
    due_date: Any = None
    priority: Any = None


class WhatIfLateOut(Schema):
    order_id: int
    number: str
    customer: str
    priority: str
    due_date: date
    finish_before: datetime | None
    finish_after: datetime | None


class WhatIfOut(Schema):
    material: str
    quantity: Decimal
    due_date: date
    priority: str
    promise_date: date | None
    projected_finish: datetime | None
    on_time: bool
    turn_late: list[WhatIfLateOut]
    turn_late_count: int
