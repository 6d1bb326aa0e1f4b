"""Production lines (work centers) and their calendars."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor
from zhongshu.core.errors import ValidationFailed
from zhongshu.core.text import normalize_code, normalize_text
from zhongshu.core.validation import Errors, clean_decimal, clean_text

from ..calendar import Exception_, LineCalendar, hours_to_minutes
from ..models import (
    CalendarException,
    WorkCenter,
)
from ._common import User, _check_version, _clean_date, _require
from .reflow import request_reflow


def _clean_work_center(errors: Errors, data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if not partial or "code" in data:
        out["code"] = clean_text(
            errors, "code", normalize_code(data.get("code")), max_length=20, required=True
        )
    if not partial or "name" in data:
        out["name"] = clean_text(errors, "name", data.get("name"), max_length=80, required=True)
    if not partial or "hours_per_shift" in data:
        hours = clean_decimal(
            errors, "hours_per_shift", data.get("hours_per_shift"), places=2,
            min_value=Decimal(0), max_value=Decimal(24), max_digits=4,
        )  # fmt: skip
        out["hours_per_shift"] = hours
    if not partial or "shifts_per_day" in data:
        shifts = data.get("shifts_per_day")
        if isinstance(shifts, bool) or not isinstance(shifts, int) or not 0 <= shifts <= 3:
            errors.add("shifts_per_day", _("Enter a whole number from 0 to 3."))
        out["shifts_per_day"] = shifts
    if "scrap_nc_percent" in data:
        # empty: the factory-wide threshold applies
        out["scrap_nc_percent"] = (
            None
            if data["scrap_nc_percent"] in (None, "")
            else clean_decimal(
                errors, "scrap_nc_percent", data["scrap_nc_percent"], places=2,
                min_value=Decimal(0), max_value=Decimal(100), max_digits=5,
            )
        )  # fmt: skip
    if "active" in data:
        if not isinstance(data["active"], bool):
            errors.add("active", _("Enter true or false."))
        out["active"] = data["active"]
    if (
        out.get("hours_per_shift") is not None
        and isinstance(out.get("shifts_per_day"), int)
        and out["hours_per_shift"] * out["shifts_per_day"] > 24
    ):
        errors.add("hours_per_shift", _("A day has at most 24 working hours."))
    return out


def _members(errors: Errors, usernames: Any) -> list | None:
    if usernames is None:
        return None
    if not isinstance(usernames, list | tuple):
        errors.add("members", _("Enter a list of user names."))
        return None
    names = [normalize_text(str(u)) for u in usernames]
    users = list(User.objects.filter(username__in=names, is_active=True))
    missing = sorted(set(names) - {u.username for u in users})
    if missing:
        errors.add("members", _("Unknown users: %(names)s") % {"names": ", ".join(missing)})
    return users


@transaction.atomic
def work_center_create(
    *,
    actor: Actor | None,
    code: str,
    name: str,
    hours_per_shift: Any = Decimal("8"),
    shifts_per_day: int = 1,
    active: bool = True,
    members: list[str] | None = None,
    scrap_nc_percent: Any = None,
) -> WorkCenter:
    _require(actor, "production.manage")
    errors = Errors()
    data = _clean_work_center(
        errors,
        {"code": code, "name": name, "hours_per_shift": hours_per_shift,
         "shifts_per_day": shifts_per_day, "active": active,
         "scrap_nc_percent": scrap_nc_percent},
        partial=False,
    )  # fmt: skip
    users = _members(errors, members)
    errors.raise_if_any()
    if WorkCenter.objects.filter(code=data["code"]).exists():
        raise ValidationFailed(
            {"code": _("Production line %(code)s already exists.") % {"code": data["code"]}}
        )
    wc = WorkCenter.objects.create(**data)
    if users:
        wc.members.set(users)
    request_reflow()
    return wc


@transaction.atomic
def work_center_update(*, actor: Actor, work_center_id: Any, version: Any, data: dict[str, Any]):
    _require(actor, "production.manage")
    wc = permissions.get_in_scope(WorkCenter.objects.select_for_update(), pk=work_center_id)
    if version is None:
        raise ValidationFailed({"version": _("The version you edited is required.")})
    _check_version(wc, version)
    errors = Errors()
    merged = {
        "hours_per_shift": wc.hours_per_shift,
        "shifts_per_day": wc.shifts_per_day,
        **{k: v for k, v in data.items() if v is not None},
    }
    changes = _clean_work_center(errors, merged, partial=True)
    changes = {k: v for k, v in changes.items() if k in data and data[k] is not None}
    users = _members(errors, data.get("members"))
    errors.raise_if_any()
    code = changes.get("code")
    if code and WorkCenter.objects.filter(code=code).exclude(pk=wc.pk).exists():
        raise ValidationFailed(
            {"code": _("Production line %(code)s already exists.") % {"code": code}}
        )
    for k, v in changes.items():
        setattr(wc, k, v)
    wc.version += 1
    wc.save()
    if users is not None:
        wc.members.set(users)
    request_reflow()
    return wc


@transaction.atomic
def calendar_exception_set(
    *,
    actor: Actor,
    date: Any,
    working: Any,
    hours: Any = None,
    work_center_id: Any = None,
    note: str = "",
) -> CalendarException:
    """Override one day, for one line or (no line) for the whole factory. Replaces an earlier
    override of the same day."""
    _require(actor, "production.manage")
    errors = Errors()
    day = _clean_date(errors, "date", date)
    if not isinstance(working, bool):
        errors.add("working", _("Enter true or false."))
    value = None
    if hours not in (None, ""):
        value = clean_decimal(
            errors, "hours", hours, places=2, min_value=Decimal(0), max_value=Decimal(24),
            max_digits=4,
        )  # fmt: skip
    note = clean_text(errors, "note", note, max_length=200)
    wc = None
    if work_center_id not in (None, ""):
        wc = (
            WorkCenter.objects.filter(pk=work_center_id).first()
            if str(work_center_id).isdigit()
            else None
        )
        if wc is None:
            errors.add("work_center_id", _("Unknown production line."))
    errors.raise_if_any()
    exc, _created = CalendarException.objects.update_or_create(
        work_center=wc,
        date=day,
        defaults={"working": working, "hours": value if working else None, "note": note,
                  "created_by": actor},
    )  # fmt: skip
    request_reflow()
    return exc


@transaction.atomic
def calendar_exception_delete(*, actor: Actor, exception_id: Any) -> None:
    _require(actor, "production.manage")
    exc = permissions.get_in_scope(CalendarException.objects.all(), pk=exception_id)
    exc.delete()
    request_reflow()


def line_calendars(work_centers=None, *, since: dt.date | None = None) -> dict[int, LineCalendar]:
    """The calendar of every line (inactive lines have no capacity), exceptions included."""
    wcs = list(work_centers if work_centers is not None else WorkCenter.objects.all())
    exc_qs = CalendarException.objects.all()
    if since is not None:
        exc_qs = exc_qs.filter(date__gte=since)
    own: dict[int, dict] = defaultdict(dict)
    factory: dict = {}
    for wc_id, day, working, hours in exc_qs.values_list(
        "work_center_id", "date", "working", "hours"
    ):
        exc = Exception_(working, None if hours is None else hours_to_minutes(hours))
        if wc_id is None:
            factory[day] = exc
        else:
            own[wc_id][day] = exc
    return {
        wc.pk: LineCalendar(
            minutes_per_day=hours_to_minutes(wc.hours_per_day) if wc.active else 0,
            own=own.get(wc.pk, {}) if wc.active else {},
            factory=factory if wc.active else {},
        )
        for wc in wcs
    }
