"""/api/v1/production — lines, calendar, routings, BOMs, task sheets, tasks, schedule, load."""

import datetime as dt
from decimal import Decimal

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from zhongshu.core.errors import ValidationFailed
from zhongshu.core.pagination import keyset_page
from zhongshu.core.schemas import errors

from . import calendar as cal
from . import selectors, services, whatif
from .schemas import (
    AssignIn,
    AtRiskOut,
    BomIn,
    BomOut,
    CalendarDayOut,
    CalendarExceptionIn,
    CalendarExceptionOut,
    FinishIn,
    LoadOut,
    PauseIn,
    PinIn,
    RescheduleOut,
    RoutingIn,
    RoutingOut,
    ScheduleStatusOut,
    SheetOut,
    TaskOut,
    TaskPage,
    TaskStatusLit,
    VersionIn,
    WhatIfIn,
    WhatIfOut,
    WorkCenterIn,
    WorkCenterOut,
    WorkCenterPatch,
)

router = Router(tags=["production"])
MAX_WINDOW_DAYS = 366


def _window(start: dt.date, end: dt.date) -> None:
    problems = {}
    if end < start:
        problems["end"] = _("The end is before the start.")
    elif (end - start).days >= MAX_WINDOW_DAYS:
        problems["end"] = _("At most %(n)d days at a time.") % {"n": MAX_WINDOW_DAYS}
    if problems:
        raise ValidationFailed(problems)


def _work_center(request, pk: int):
    return (
        selectors.work_center_list(actor=request.auth, include_inactive=True)
        .prefetch_related("members")
        .get(pk=pk)
    )


# --- lines and calendar ---------------------------------------------------------------------------


@router.get("/work-centers", response={200: list[WorkCenterOut], **errors(401, 403)})
def list_work_centers(request, include_inactive: bool = False):
    qs = selectors.work_center_list(actor=request.auth, include_inactive=include_inactive)
    return list(qs.prefetch_related("members"))


@router.post("/work-centers", response={201: WorkCenterOut, **errors(401, 403, 422)})
def create_work_center(request, payload: WorkCenterIn):
    wc = services.work_center_create(actor=request.auth, **payload.dict())
    return Status(201, _work_center(request, wc.pk))


@router.get("/work-centers/{int:wc_id}", response={200: WorkCenterOut, **errors(401, 403, 404)})
def get_work_center(request, wc_id: int):
    selectors.work_center_get(actor=request.auth, work_center_id=wc_id)
    return _work_center(request, wc_id)


@router.patch(
    "/work-centers/{int:wc_id}", response={200: WorkCenterOut, **errors(401, 403, 404, 409, 422)}
)
def update_work_center(request, wc_id: int, payload: WorkCenterPatch):
    data = payload.dict(exclude_unset=True)
    version = data.pop("version", None)
    services.work_center_update(
        actor=request.auth, work_center_id=wc_id, version=version, data=data
    )
    return _work_center(request, wc_id)


@router.get(
    "/calendar/exceptions", response={200: list[CalendarExceptionOut], **errors(401, 403, 422)}
)
def list_calendar_exceptions(request, start: dt.date | None = None, end: dt.date | None = None):
    return list(selectors.calendar_exception_list(actor=request.auth, start=start, end=end)[:1000])


@router.put("/calendar/exceptions", response={200: CalendarExceptionOut, **errors(401, 403, 422)})
def set_calendar_exception(request, payload: CalendarExceptionIn):
    """Override one day for one line (``work_center_id``) or the whole factory (no line)."""
    exc = services.calendar_exception_set(actor=request.auth, **payload.dict())
    return selectors.calendar_exception_list(actor=request.auth).get(pk=exc.pk)


@router.delete("/calendar/exceptions/{int:exc_id}", response={204: None, **errors(401, 403, 404)})
def delete_calendar_exception(request, exc_id: int):
    services.calendar_exception_delete(actor=request.auth, exception_id=exc_id)
    return HttpResponse(status=204)


@router.get("/calendar/days", response={200: list[CalendarDayOut], **errors(401, 403, 404, 422)})
def calendar_days(request, start: dt.date, end: dt.date, work_center_id: int):
    """Capacity hours of one line per day, with the national calendar's verdict."""
    _window(start, end)
    wc = selectors.work_center_get(actor=request.auth, work_center_id=work_center_id)
    line = services.line_calendars([wc], since=start)[wc.pk]
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    return [
        {
            "day": d,
            "capacity_hours": (Decimal(line.minutes(d)) / 60).quantize(Decimal("0.01")),
            "national_working_day": cal.is_national_working_day(d),
            "holiday": cal.national_holiday_name(d),
            "makeup_workday": cal.is_makeup_workday(d),
        }
        for d in days
    ]


# --- routings and BOMs ----------------------------------------------------------------------------


@router.get("/routings/{code}", response={200: RoutingOut, **errors(401, 403, 404)})
def get_routing(request, code: str):
    return selectors.routing_get(actor=request.auth, material_code=code)


@router.put("/routings/{code}", response={200: RoutingOut, **errors(401, 403, 404, 422)})
def put_routing(request, code: str, payload: RoutingIn):
    services.routing_set(
        actor=request.auth,
        material_code=code,
        operations=[op.dict() for op in payload.operations],
    )
    return selectors.routing_get(actor=request.auth, material_code=code)


@router.get("/boms/{code}", response={200: BomOut, **errors(401, 403, 404)})
def get_bom(request, code: str):
    return selectors.bom_get(actor=request.auth, material_code=code)


@router.put("/boms/{code}", response={200: BomOut, **errors(401, 403, 404, 422)})
def put_bom(request, code: str, payload: BomIn):
    services.bom_set(
        actor=request.auth, material_code=code, lines=[line.dict() for line in payload.lines]
    )
    return selectors.bom_get(actor=request.auth, material_code=code)


# --- task sheets and tasks -------------------------------------------------------------------------


@router.get(
    "/orders/{int:order_id}/sheets", response={200: list[SheetOut], **errors(401, 403, 404)}
)
def order_sheets(request, order_id: int):
    return selectors.sheets_for_order(actor=request.auth, order_id=order_id)


@router.get("/tasks", response={200: TaskPage, **errors(401, 403, 422)})
def list_tasks(
    request,
    work_center: int | None = None,
    owner: str = Query("", description='"me" for my tasks'),
    status: TaskStatusLit | None = None,
    order_id: int | None = None,
    cursor: int | None = Query(None, description="next_cursor of the previous page"),
    limit: int = Query(50, ge=1, le=200),
):
    if owner not in ("", "me"):
        raise ValidationFailed({"owner": _('Only "me" is supported.')})
    qs = selectors.task_list(
        actor=request.auth,
        work_center=work_center,
        owner_me=owner == "me",
        status=status,
        order_id=order_id,
    )
    items, next_cursor = keyset_page(qs, cursor=cursor, limit=limit)
    return {"items": items, "next_cursor": next_cursor}


@router.get("/tasks/{int:task_id}", response={200: TaskOut, **errors(401, 403, 404)})
def get_task(request, task_id: int):
    return selectors.task_get(actor=request.auth, task_id=task_id)


def _task_out(request, task):
    return selectors.task_get(actor=request.auth, task_id=task.pk)


@router.post(
    "/tasks/{int:task_id}/start", response={200: TaskOut, **errors(401, 403, 404, 409, 422)}
)
def start_task(request, task_id: int, payload: VersionIn | None = None):
    task = services.task_start(
        actor=request.auth, task_id=task_id, version=payload.version if payload else None
    )
    return _task_out(request, task)


@router.post(
    "/tasks/{int:task_id}/finish", response={200: TaskOut, **errors(401, 403, 404, 409, 422)}
)
def finish_task(request, task_id: int, payload: FinishIn | None = None):
    task = services.task_finish(
        actor=request.auth,
        task_id=task_id,
        actual_hours=payload.actual_hours if payload else None,
        good_quantity=payload.good_quantity if payload else None,
        scrap_quantity=payload.scrap_quantity if payload else None,
        version=payload.version if payload else None,
    )
    return _task_out(request, task)


@router.post(
    "/tasks/{int:task_id}/undo-finish", response={200: TaskOut, **errors(401, 403, 404, 409)}
)
def undo_finish_task(request, task_id: int):
    """Take a finish back within one minute (409 ``undo_expired`` after it)."""
    task = services.task_finish_undo(actor=request.auth, task_id=task_id)
    return _task_out(request, task)


@router.post(
    "/tasks/{int:task_id}/pause", response={200: TaskOut, **errors(401, 403, 404, 409, 422)}
)
def pause_task(request, task_id: int, payload: PauseIn):
    task = services.task_pause(
        actor=request.auth,
        task_id=task_id,
        reason=payload.reason,
        note=payload.note,
        version=payload.version,
    )
    return _task_out(request, task)


@router.post(
    "/tasks/{int:task_id}/resume", response={200: TaskOut, **errors(401, 403, 404, 409, 422)}
)
def resume_task(request, task_id: int, payload: VersionIn | None = None):
    task = services.task_resume(
        actor=request.auth, task_id=task_id, version=payload.version if payload else None
    )
    return _task_out(request, task)


@router.post(
    "/tasks/{int:task_id}/assign", response={200: TaskOut, **errors(401, 403, 404, 409, 422)}
)
def assign_task(request, task_id: int, payload: AssignIn):
    task = services.task_assign(
        actor=request.auth, task_id=task_id, owner_id=payload.owner_id, version=payload.version
    )
    return _task_out(request, task)


@router.post("/tasks/{int:task_id}/pin", response={200: TaskOut, **errors(401, 403, 404, 409, 422)})
def pin_task(request, task_id: int, payload: PinIn):
    """Pin a task to start no earlier than ``date`` and/or on line ``work_center_id``; send
    both empty to unpin. The schedule reflows right away."""
    task = services.task_pin(
        actor=request.auth,
        task_id=task_id,
        date=payload.date,
        work_center_id=payload.work_center_id,
        version=payload.version,
    )
    return _task_out(request, task)


# --- schedule, load, at risk -----------------------------------------------------------------------


@router.post("/reschedule", response={200: RescheduleOut, **errors(401, 403)})
def reschedule(request):
    return services.reschedule(actor=request.auth)


@router.post("/what-if", response={200: WhatIfOut, **errors(401, 403, 422)})
def what_if(request, payload: WhatIfIn):
    """A hypothetical order (material, quantity, due date, priority): the date it could ship
    and the open orders it would make late, by the same scheduler. Nothing is saved."""
    return whatif.what_if(actor=request.auth, data=payload.dict())


@router.get("/load", response={200: list[LoadOut], **errors(401, 403, 422)})
def load(request, start: dt.date, end: dt.date, work_center_id: int | None = None):
    """Per line and day: planned hours, capacity hours, load rate = planned / capacity."""
    _window(start, end)
    return selectors.line_load(
        actor=request.auth, start=start, end=end, work_center_id=work_center_id
    )


@router.get("/schedule-status", response={200: ScheduleStatusOut, **errors(401, 403)})
def schedule_status(request):
    """Whether the schedule is being reflowed after recent changes: while ``updating``, planned
    dates and projected finishes are about to change (new task sheets have none yet)."""
    return {"updating": selectors.schedule_updating(actor=request.auth)}


@router.get("/at-risk", response={200: list[AtRiskOut], **errors(401, 403)})
def at_risk(request, limit: int = Query(200, ge=1, le=500)):
    """Orders the last schedule projects to finish after their due date."""
    return list(selectors.at_risk_orders(actor=request.auth)[:limit])
