"""Order list, detail and transitions. Reads go through ``orders.selectors``, writes through
``orders.services``; refusals are shown through ``web.errors``."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhongshu.accounts import permissions
from zhongshu.core.errors import DomainError
from zhongshu.core.pagination import keyset_page
from zhongshu.core.signals import user_activity
from zhongshu.orders import selectors, services
from zhongshu.orders.models import Order
from zhongshu.orders.statuses import EDITABLE, TRANSITIONS, OrderStatus

from ..errors import apply_error, domain_errors
from ..forms import OrderFilterForm, TransitionForm
from ..panels import order_panels

DEFAULT_LIMIT = 25
MAX_LIMIT = 100


def _int(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@login_required
@domain_errors
def order_list(request):
    form = OrderFilterForm(request.GET or None)
    form.is_valid()  # invalid dates are shown next to their inputs and ignored
    f = form.cleaned_data if form.is_bound else {}
    filters = selectors.OrderFilters(
        status=f.get("status") or None,
        customer=f.get("customer", ""),
        priority=f.get("priority", ""),
        due_after=f.get("due_from"),
        due_before=f.get("due_to"),
        created_from=f.get("created_from"),
        created_to=f.get("created_to"),
        q=f.get("q", ""),
    )
    limit = min(max(_int(request.GET.get("limit"), DEFAULT_LIMIT), 1), MAX_LIMIT)
    qs = selectors.order_list(actor=request.user, filters=filters)
    orders, next_cursor = keyset_page(qs, cursor=_int(request.GET.get("cursor")), limit=limit)
    params = [(k, v) for k, values in request.GET.lists() if k != "cursor" for v in values]
    next_query = urlencode([*params, ("cursor", next_cursor)]) if next_cursor else None
    context = {
        "form": form,
        "orders": orders,
        "next_query": next_query,
        "first_query": urlencode(params) if request.GET.get("cursor") else None,
        "can_create": permissions.can(request.user, "orders.create"),
    }
    partial = request.htmx and request.htmx.target == "order-table"
    template = "web/orders/_table.html" if partial else "web/orders/list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


@login_required
@domain_errors
def order_detail(request, order_id: int):
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
        event.action_label = transition.label if transition else event.action
    can_edit = order.status in EDITABLE and permissions.can(request.user, "orders.edit", order)
    return render(
        request,
        "web/orders/detail.html",
        {
            "order": order,
            "lines": list(order.lines.all()),
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
def order_transition(request, order_id: int):
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The request could not be processed."))
        return redirect("web:order_detail", order_id=order_id)
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
    return redirect("web:order_detail", order_id=order_id)
