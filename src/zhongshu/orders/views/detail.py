"""Order list, detail and transitions. Reads go through ``orders.selectors``, writes through
``orders.services``; refusals are shown through ``core.web_errors``."""

from typing import Any, TypedDict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor, ActorRequest
from zhongshu.core.errors import DomainError
from zhongshu.core.signals import user_activity
from zhongshu.core.web_errors import apply_error, domain_errors
from zhongshu.customfields import inputs as custom_forms
from zhongshu.customfields import selectors as custom_fields
from zhongshu.customfields.models import FieldType
from zhongshu.customfields.values import display
from zhongshu.orders import selectors, services
from zhongshu.orders.models import Order
from zhongshu.orders.statuses import EDITABLE, TRANSITIONS, OrderStatus

from ..forms import TransitionForm
from ..panels import order_panels

DEFAULT_LIMIT = 25
# timeline entries that are not transitions
EVENT_LABELS = {
    "channel_changed": _lazy("Changed by channel"),
    "changed": _lazy("Changed"),
    # written by inventory when a confirmed make line lacks components, and when they are held
    "components_short": _lazy("Components short"),
    "components_topped_up": _lazy("Components held"),
    # written by a rule's "set priority" action, the rule's name as the note
    "rule": _lazy("Changed by rule"),
}
MAX_LIMIT = 100


class _Fact(TypedDict):
    """A custom field of the order as the detail page lists it."""

    label: str
    text: str
    file_id: object  # the stored file's id, for a file field


def _int(value: Any, default: int | None = None) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _custom_facts(user: Actor, order: Order) -> list[_Fact]:
    defs = [d for d in custom_fields.visible(user, "order") if d.key in order.custom]
    users = custom_fields.user_names(defs, [order.custom])
    return [
        {
            "label": d.label,
            "text": display(d, order.custom[d.key], users),
            "file_id": order.custom[d.key].get("id") if d.type == FieldType.FILE else None,
        }
        for d in defs
    ]


@login_required
@domain_errors
def order_detail(request: ActorRequest, order_id: int) -> HttpResponse:
    order = selectors.order_get(actor=request.user, order_id=order_id)
    # a status look-up made in the system instead of by phone (counted for the effect report)
    user_activity.send(sender=Order, user=request.user, kind="order.viewed", obj=order)
    actions = [
        {"name": a, "label": TRANSITIONS[a].label, "note_required": TRANSITIONS[a].note_required}
        for a in services.allowed_actions(request.user, order)
    ]
    events = list(order.events.all())
    for event in events:
        transition = TRANSITIONS.get(event.action)
        event.action_label = (  # type: ignore[attr-defined]  # for the template
            transition.label if transition else EVENT_LABELS.get(event.action, event.action)
        )
    can_edit = order.status in EDITABLE and permissions.can(request.user, "orders.edit", order)
    lines = list(order.lines.all())
    line_fields = custom_fields.visible(request.user, "order_line")
    custom_forms.attach_cells(lines, line_fields)
    return render(
        request,
        "orders/detail.html",
        {
            "order": order,
            "lines": lines,
            "line_fields": line_fields,
            "custom_facts": _custom_facts(request.user, order),
            "events": events,
            "actions": actions,
            "can_edit": can_edit,
            "status_label": OrderStatus(order.status).label,
            "panels": order_panels(request, order),
        },
    )


@login_required
@require_POST
@domain_errors
def order_transition(request: ActorRequest, order_id: int) -> HttpResponse:
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The request could not be processed."))
        return redirect("orders:order_detail", order_id=order_id)
    action = form.cleaned_data["action"]
    try:
        services.order_transition(
            actor=request.user,
            order_id=order_id,
            action=action,
            note=form.cleaned_data["note"],
            version=form.cleaned_data["version"],
        )
    except DomainError as exc:
        apply_error(request, exc)
    else:
        label = TRANSITIONS[action].label
        messages.success(request, _("Done: %(action)s.") % {"action": label})
    return redirect("orders:order_detail", order_id=order_id)
