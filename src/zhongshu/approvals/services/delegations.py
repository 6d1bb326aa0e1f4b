"""Delegating one's approvals to someone else for a while."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor
from zhongshu.core.text import normalize_text
from zhongshu.core.validation import Errors, clean_text

from ..models import (
    Delegation,
)
from ._common import User
from .flows import _user_by_name


def _clean_when(errors: Errors, field: str, value: Any) -> dt.datetime | None:
    if value in (None, ""):
        errors.add(field, _("This field is required."))
        return None
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, dt.date):
        parsed = dt.datetime.combine(value, dt.time())
    else:
        try:
            parsed = dt.datetime.fromisoformat(normalize_text(str(value)))
        except ValueError:
            errors.add(field, _("Enter a date as YYYY-MM-DD."))
            return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


@transaction.atomic
def delegation_create(
    *, actor: Actor, to_user: Any, starts_at: Any, ends_at: Any, note: str = ""
) -> Delegation:
    permissions.require(actor, "approvals.decide")
    errors = Errors()
    target = None
    if isinstance(to_user, int):
        target = User.objects.filter(pk=to_user, is_active=True).first()
        if target is None:
            errors.add("to_user", _("Unknown user: %(u)s") % {"u": to_user})
    else:
        target = _user_by_name(errors, "to_user", to_user)
        if target is None and not errors:
            errors.add("to_user", _("This field is required."))
    if target is not None and target.pk == actor.pk:
        errors.add("to_user", _("Choose someone other than yourself."))
    start = _clean_when(errors, "starts_at", starts_at)
    end = _clean_when(errors, "ends_at", ends_at)
    if start and end and end <= start:
        errors.add("ends_at", _("The end must be after the start."))
    if start and end and end - start > dt.timedelta(days=366):
        errors.add("ends_at", _("At most one year."))
    note = clean_text(errors, "note", note, max_length=200)
    errors.raise_if_any()
    assert start is not None and end is not None  # a missing or bad date was refused above
    d = Delegation(from_user=actor, to_user=target, starts_at=start, ends_at=end, note=note)
    d._history_user = actor  # type: ignore[attr-defined]  # read by simple_history
    d.save()
    return d


@transaction.atomic
def delegation_revoke(*, actor: Actor, delegation_id: Any) -> Delegation:
    permissions.require(actor, "approvals.view")
    d = permissions.get_in_scope(
        Delegation.objects.select_for_update().filter(Q(from_user=actor)), pk=delegation_id
    )
    if d.revoked_at is None:
        d.revoked_at = timezone.now()
        d._history_user = actor
        d.save()
    return d
