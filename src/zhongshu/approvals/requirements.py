"""What needs approval before an order may be confirmed.

Other apps register a check per request kind::

    from zhongshu.approvals import requirements
    requirements.register("credit", _("Credit"), lambda order: reason_or_None)

The approvals confirm guard (``hooks.require_approvals``) runs every check; a kind whose check
returns a reason, that an active flow covers, and that has no approved request for the order
refuses the confirmation with ``approval_required`` (409).
"""

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

Check = Callable[[object], "str | None"]


@dataclass(frozen=True)
class Requirement:
    kind: str
    label: object
    check: Check


_registry: dict[str, Requirement] = {}


def register(kind: str, label, check: Callable[[object], str | None]) -> Requirement:
    req = Requirement(kind=kind, label=label, check=check)
    _registry[kind] = req
    return req


def registered() -> dict[str, Requirement]:
    return dict(_registry)


def reasons_for(order) -> dict[str, str]:
    """kind → reason for every registered check that asks for approval of ``order``."""
    found = {}
    for kind, req in _registry.items():
        reason = req.check(order)
        if reason:
            found[kind] = str(reason)
    return found


# --- rush ----------------------------------------------------------------------------------------

DEFAULT_HOURS_PER_DAY = Decimal(8)


def lead_time_days(order) -> int:
    """Production lead time in calendar days: for every operation of every make line, hours =
    setup + quantity × run, divided by its line's hours per day (shifts × hours per shift); the
    operations run one after another, so the days add up; rounded up. Stock lines add nothing."""
    from zhongshu.catalog.models import Fulfilment
    from zhongshu.production.estimates import operation_hours, routing_operations

    lines = [ln for ln in order.lines.all() if ln.fulfilment == Fulfilment.MAKE]
    if not lines:
        return 0
    by_material = routing_operations(order, {ln.material_id for ln in lines})
    days = Decimal(0)
    for line in lines:
        for op in by_material.get(line.material_id, []):
            hours = operation_hours(
                setup_hours=op.setup_hours,
                run_hours_per_unit=op.run_hours_per_unit,
                quantity=line.quantity,
            )
            per_day = op.work_center.hours_per_day or DEFAULT_HOURS_PER_DAY
            days += hours / Decimal(per_day)
    return math.ceil(days)


def rush_reason(order) -> str | None:
    if order.priority in ("urgent", "critical"):
        return _("The order is marked %(p)s.") % {"p": order.get_priority_display()}
    lead = lead_time_days(order)
    if lead and order.due_date < timezone.localdate() + dt.timedelta(days=lead):
        return _("Due %(due)s, sooner than the production lead time of %(n)d days.") % {
            "due": order.due_date.isoformat(),
            "n": lead,
        }
    return None


register("rush", gettext_lazy("Rush order"), rush_reason)
