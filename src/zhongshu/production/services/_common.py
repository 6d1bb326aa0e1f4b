"""What every production use case shares: permission and version checks, field cleaning."""

import datetime as dt
import logging
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor
from zhongshu.core.errors import StaleVersion, ValidationFailed
from zhongshu.core.signals import user_activity
from zhongshu.core.text import normalize_text
from zhongshu.core.validation import Errors, clean_decimal

from ..models import (
    Task,
)

log = logging.getLogger("zhongshu.production.services")
User = get_user_model()
MAX_OPERATIONS = 50
MAX_BOM_LINES = 200
MAX_HOURS = Decimal("9999")


def _require(actor: Actor | None, action: str, obj=None) -> None:
    if actor is not None:
        permissions.require(actor, action, obj)


def _check_version(obj, version: Any) -> None:
    if version is None:
        return
    if not isinstance(version, int) or isinstance(version, bool):
        raise ValidationFailed({"version": _("Enter a whole number.")})
    if obj.version != version:
        raise StaleVersion(details={"current_version": obj.version, "your_version": version})


def _clean_hours(errors: Errors, field: str, value: Any, *, places: int = 3) -> Decimal | None:
    return clean_decimal(
        errors, field, value, places=places, min_value=Decimal(0), max_value=MAX_HOURS,
        max_digits=10,
    )  # fmt: skip


def _clean_date(errors: Errors, field: str, value: Any, *, required: bool = True):
    if value in (None, ""):
        if required:
            errors.add(field, _("This field is required."))
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(normalize_text(str(value)))
    except ValueError:
        errors.add(field, _("Enter a date as YYYY-MM-DD."))
        return None


def _activity(actor: Actor | None, kind: str, obj) -> None:
    if actor is None:
        return
    transaction.on_commit(lambda: user_activity.send(sender=Task, user=actor, kind=kind, obj=obj))
