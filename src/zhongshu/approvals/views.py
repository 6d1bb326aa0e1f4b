"""Approval pages, phone first: what waits for me, a request with its before/after diff and
approve/reject in one tap, my requests, new request, delegation, and the flow admin."""

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from zhongshu.accounts import permissions
from zhongshu.accounts.roles import Role
from zhongshu.core.errors import DomainError, PermissionDenied
from zhongshu.core.text import normalize_text
from zhongshu.core.web_errors import apply_error, domain_errors
from zhongshu.orders.models import Order
from zhongshu.orders.statuses import Priority

from . import impact, selectors, services

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise
from .api import attachment_response
from .hooks import missing_approvals
from .models import (
    CONDITION_FIELDS_LABELS,
    DecisionChannel,
    Kind,
    Mode,
    RequestStatus,
    When,
)

PAGE = 50
STEP_ROWS = 5
WEB_CHANNELS = {c for c in DecisionChannel.values if c != DecisionChannel.API}


def _int(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@login_required
@domain_errors
def waiting(request):
    items = list(selectors.waiting_list(actor=request.user)[:PAGE])
    return render(request, "approvals/list.html", {"items": items, "tab": "waiting"})


@login_required
@domain_errors
def mine(request):
    items = list(selectors.request_list(actor=request.user, mine=True)[:PAGE])
    return render(request, "approvals/list.html", {"items": items, "tab": "mine"})


@login_required
@domain_errors
def all_requests(request):
    status = request.GET.get("status", "")
    items = list(selectors.request_list(actor=request.user, status=status)[:PAGE])
    return render(
        request,
        "approvals/list.html",
        {"items": items, "tab": "all", "status": status, "statuses": RequestStatus.choices},
    )


def _priority_label(value) -> str:
    return str(Priority(value).label) if value in Priority.values else (value or "—")


def _channel(value) -> str:
    """Where the page was opened from (``?via=`` on a message link): recorded with the decision.
    The API records its own channel; anything unknown counts as the web."""
    return value if value in WEB_CHANNELS else DecisionChannel.WEB


def diff_rows(req) -> list[dict]:
    """The change as rows of (what, before, after) for the detail page."""
    before = req.before or {}
    lines = {str(ln["line_no"]): ln for ln in before.get("lines", [])}
    rows = []
    change = req.payload or {}
    if change.get("due_date"):
        rows.append(
            {"what": _("Due date"), "before": before.get("due_date"), "after": change["due_date"]}
        )
    if change.get("priority"):
        rows.append({"what": _("Priority"), "before": _priority_label(before.get("priority")),
                     "after": _priority_label(change["priority"])})  # fmt: skip
    if change.get("drawing_revision"):
        rows.append({"what": _("Drawing revision"), "before": "—",
                     "after": change["drawing_revision"]})  # fmt: skip
    for item in change.get("lines", []):
        if not isinstance(item, dict):
            continue
        old = lines.get(str(item.get("line_no")))
        if old is not None:
            what = _("Line %(n)s · %(m)s") % {"n": old["line_no"], "m": old["material"]}
            if item.get("remove"):
                rows.append({"what": what, "before": old["quantity"], "after": _("removed")})
            if item.get("quantity") not in (None, ""):
                rows.append({"what": what + " · " + _("quantity"), "before": old["quantity"],
                             "after": str(item["quantity"])})  # fmt: skip
            if item.get("note") not in (None, ""):
                rows.append({"what": what + " · " + _("note"), "before": old.get("note") or "—",
                             "after": item["note"]})  # fmt: skip
        else:
            rows.append({"what": _("New line · %(m)s") % {"m": item.get("material", "?")},
                         "before": "—", "after": str(item.get("quantity", ""))})  # fmt: skip
    return rows


def _detail_context(request, req) -> dict:
    user = request.user
    active = next((s for s in req.steps.all() if s.status == "active"), None)
    can_decide = (
        req.status == RequestStatus.PENDING
        and selectors.waiting_queryset(user).filter(pk=req.pk).exists()
    )
    return {
        "req": req,
        "order": req.order,
        "rows": diff_rows(req),
        "impact": impact.preview(req, actor=user) if req.status == RequestStatus.PENDING else None,
        "via": _channel(request.GET.get("via") or request.POST.get("channel")),
        "active_step": active,
        "can_decide": can_decide,
        "can_withdraw": req.status == RequestStatus.PENDING
        and (req.requested_by_id == user.pk or permissions.can(user, "approvals.act_for_others")),
    }


@login_required
@domain_errors
def detail(request, request_id: int):
    req = selectors.request_get(actor=request.user, request_id=request_id)
    return render(request, "approvals/detail.html", _detail_context(request, req))


@login_required
@require_POST
@domain_errors
def decide(request, request_id: int):
    verdict = request.POST.get("verdict", "")
    try:
        services.decide(
            actor=request.user,
            request_id=request_id,
            verdict=verdict,
            comment=request.POST.get("comment", ""),
            version=_int(request.POST.get("version")),
            channel=_channel(request.POST.get("channel")),
        )
    except DomainError as e:
        return _refused(request, request_id, e)
    messages.success(request, _("Approved.") if verdict == "approve" else _("Rejected."))
    return redirect("approvals:detail", request_id=request_id)


@login_required
@require_POST
@domain_errors
def withdraw(request, request_id: int):
    try:
        services.request_withdraw(actor=request.user, request_id=request_id)
    except DomainError as e:
        return _refused(request, request_id, e)
    messages.success(request, _("Request withdrawn."))
    return redirect("approvals:detail", request_id=request_id)


def _refused(request, request_id: int, error: DomainError):
    """The request page again, with the refusal shown and its HTTP status (a missing role is a
    plain 403 page: ``domain_errors``)."""
    if isinstance(error, PermissionDenied):
        raise error
    status = apply_error(request, error)
    req = selectors.request_get(actor=request.user, request_id=request_id)
    return render(request, "approvals/detail.html", _detail_context(request, req), status=status)


@login_required
@require_POST
@domain_errors
def upload(request, request_id: int):
    f = request.FILES.get("file")
    if f is None:
        messages.error(request, _("Choose a file."))
    else:
        try:
            services.attachment_add(actor=request.user, request_id=request_id, upload=f)
        except DomainError as e:
            return _refused(request, request_id, e)
        messages.success(request, _("File attached."))
    return redirect("approvals:detail", request_id=request_id)


@login_required
@require_GET
@domain_errors
def attachment(request, attachment_id: int):
    att = selectors.attachment_get(actor=request.user, attachment_id=attachment_id)
    return attachment_response(att)


def _order_for_request(user, order_id):
    qs = permissions.scope_orders(user, Order.objects.select_related("customer"))
    order = qs.filter(pk=_int(order_id, 0)).prefetch_related("lines__material").first()
    if order is None:
        raise Http404
    return order


def _change_from_post(post, order) -> dict:
    change: dict = {}
    if normalize_text(post.get("due_date", "")):
        change["due_date"] = normalize_text(post["due_date"])
    if normalize_text(post.get("drawing_revision", "")):
        change["drawing_revision"] = normalize_text(post["drawing_revision"])
    if normalize_text(post.get("priority", "")) and post["priority"] != order.priority:
        change["priority"] = normalize_text(post["priority"])
    lines = []
    for line in order.lines.all():
        qty = normalize_text(post.get(f"qty-{line.line_no}", ""))
        if post.get(f"remove-{line.line_no}"):
            lines.append({"line_no": line.line_no, "remove": True})
        elif qty and qty != f"{line.quantity.normalize():f}" and qty != str(line.quantity):
            lines.append({"line_no": line.line_no, "quantity": qty})
    if normalize_text(post.get("new_material", "")):
        lines.append({"material": post["new_material"], "quantity": post.get("new_quantity", "")})
    if lines:
        change["lines"] = lines
    return change


def _rush_from_post(post) -> dict:
    return {k: normalize_text(post.get(k, "")) for k in ("priority", "due_date")
            if normalize_text(post.get(k, ""))}  # fmt: skip


@login_required
@domain_errors
def new_request(request):
    permissions.require(request.user, "approvals.request")
    order = _order_for_request(request.user, request.GET.get("order") or request.POST.get("order"))
    kind = request.POST.get("kind") or request.GET.get("kind") or ""
    if kind not in Kind.values:
        kind = Kind.DESIGN_CHANGE if order.status not in services.BEFORE_CONFIRM else Kind.RUSH
    errors = []
    if request.method == "POST":
        payload = None
        if kind == Kind.DESIGN_CHANGE:
            payload = _change_from_post(request.POST, order)
        elif kind == Kind.RUSH and order.status in services.EXPEDITABLE:
            payload = _rush_from_post(request.POST)
        try:
            req = services.request_create(
                actor=request.user,
                order_id=order.pk,
                kind=kind,
                reason=request.POST.get("reason", ""),
                payload=payload,
            )
            f = request.FILES.get("file")
            if f is not None:
                services.attachment_add(actor=request.user, request_id=req.pk, upload=f)
        except DomainError as e:
            apply_error(request, e)
            errors = e.details.get("errors", []) if isinstance(e.details, dict) else []
        else:
            messages.success(request, _("Request submitted."))
            return redirect("approvals:detail", request_id=req.pk)
    kinds = [
        (k, label) for k, label in Kind.choices
        if order.status in services.ORDER_STATUS_FOR_KIND.get(k, ())
    ]  # fmt: skip
    return render(
        request,
        "approvals/new.html",
        {
            "order": order,
            "kind": kind,
            "kinds": kinds,
            "post": request.POST,
            "errors": errors,
            "lines": list(order.lines.all()),
            "expedite": kind == Kind.RUSH and order.status in services.EXPEDITABLE,
            "priorities": Priority.choices,
        },
        status=422 if errors else 200,
    )


@login_required
@domain_errors
def delegations(request):
    permissions.require(request.user, "approvals.view")
    if request.method == "POST":
        try:
            if request.POST.get("revoke"):
                services.delegation_revoke(
                    actor=request.user, delegation_id=_int(request.POST["revoke"], 0)
                )
                messages.success(request, _("Delegation ended."))
            else:
                services.delegation_create(
                    actor=request.user,
                    to_user=request.POST.get("to_user", ""),
                    starts_at=request.POST.get("starts_at", ""),
                    ends_at=request.POST.get("ends_at", ""),
                    note=request.POST.get("note", ""),
                )
                messages.success(request, _("Delegation saved."))
            return redirect("approvals:delegations")
        except DomainError as e:
            apply_error(request, e)
    return render(
        request,
        "approvals/delegations.html",
        {"items": list(selectors.delegation_list(actor=request.user)[:100]),
         "post": request.POST, "tab": "delegations"},
    )  # fmt: skip


# --- flow admin ----------------------------------------------------------------------------------


@login_required
@domain_errors
def flows(request):
    items = list(selectors.flow_list(actor=request.user))
    fields = dict(CONDITION_FIELDS_LABELS)
    return render(
        request, "approvals/flows.html", {"items": items, "tab": "flows", "fields": fields}
    )


def _flow_from_post(post) -> dict:
    steps = []
    for i in range(STEP_ROWS):
        name = normalize_text(post.get(f"s{i}-name", ""))
        if not name:
            continue
        cond = {}
        if post.get(f"s{i}-cfield"):
            cond = {"field": post.get(f"s{i}-cfield"), "op": post.get(f"s{i}-cop"),
                    "value": post.get(f"s{i}-cvalue", "")}  # fmt: skip
        steps.append({
            "name": name,
            "role": post.get(f"s{i}-role", ""),
            "users": post.get(f"s{i}-users", ""),
            "mode": post.get(f"s{i}-mode", "any"),
            "when": post.get(f"s{i}-when", "always"),
            "condition": cond,
            "time_limit_hours": post.get(f"s{i}-limit", ""),
            "deputy_user": post.get(f"s{i}-deputy_user", ""),
            "deputy_role": post.get(f"s{i}-deputy_role", ""),
        })  # fmt: skip
    return {
        "name": post.get("name", ""),
        "kinds": post.getlist("kinds"),
        "discount_threshold": post.get("discount_threshold", ""),
        "amount_threshold": post.get("amount_threshold", ""),
        "active": bool(post.get("active")),
        "steps": steps,
    }


def _step_rows(flow=None, post=None) -> list[dict]:
    rows = []
    existing = list(flow.steps.all()) if flow is not None else []
    for i in range(STEP_ROWS):
        if post is not None:
            rows.append({
                "i": i, "name": post.get(f"s{i}-name", ""), "role": post.get(f"s{i}-role", ""),
                "users": post.get(f"s{i}-users", ""), "mode": post.get(f"s{i}-mode", "any"),
                "when": post.get(f"s{i}-when", "always"),
                "cfield": post.get(f"s{i}-cfield", ""), "cop": post.get(f"s{i}-cop", ""),
                "cvalue": post.get(f"s{i}-cvalue", ""), "limit": post.get(f"s{i}-limit", ""),
                "deputy_user": post.get(f"s{i}-deputy_user", ""),
                "deputy_role": post.get(f"s{i}-deputy_role", ""),
            })  # fmt: skip
        elif i < len(existing):
            s = existing[i]
            rows.append({
                "i": i, "name": s.name, "role": s.role,
                "users": ", ".join(u.username for u in s.users.all()), "mode": s.mode,
                "when": s.when, "cfield": s.condition.get("field", ""),
                "cop": s.condition.get("op", ""), "cvalue": s.condition.get("value", ""),
                "limit": s.time_limit_hours or "",
                "deputy_user": s.deputy_user.username if s.deputy_user else "",
                "deputy_role": s.deputy_role,
            })  # fmt: skip
        else:
            rows.append({"i": i, "mode": "any", "when": "always"})
    return rows


@login_required
@domain_errors
def flow_edit(request, flow_id: int | None = None):
    permissions.require(request.user, "approvals.configure")
    flow = selectors.flow_get(actor=request.user, flow_id=flow_id) if flow_id else None
    if request.method == "POST":
        data = _flow_from_post(request.POST)
        try:
            if request.POST.get("delete") and flow is not None:
                services.flow_delete(actor=request.user, flow_id=flow.pk)
                messages.success(request, _("Flow deleted."))
                return redirect("approvals:flows")
            if flow is None:
                services.flow_create(actor=request.user, data=data)
            else:
                services.flow_update(actor=request.user, flow_id=flow.pk,
                                     version=_int(request.POST.get("version")), data=data)  # fmt: skip
            messages.success(request, _("Flow saved."))
            return redirect("approvals:flows")
        except DomainError as e:
            apply_error(request, e)
    post = request.POST if request.method == "POST" else None
    kinds_on = post.getlist("kinds") if post is not None else (flow.kinds if flow else [])
    return render(
        request,
        "approvals/flow_form.html",
        {
            "flow": flow,
            "post": post or {},
            "rows": _step_rows(flow, post),
            "kinds": Kind.choices,
            "kinds_on": kinds_on,
            "roles": Role.choices,
            "modes": Mode.choices,
            "whens": When.choices,
            "fields": CONDITION_FIELDS_LABELS,
            "ops": services.CONDITION_OPS,
            "tab": "flows",
        },
        status=422 if request.method == "POST" else 200,
    )


# --- order detail panel --------------------------------------------------------------------------


def order_panel(request, order) -> str | None:
    """The order's approval requests, and a button to ask for one where the confirm guard would
    refuse (or, for a released order, to ask for a design change / cancellation)."""
    user = request.user
    if not permissions.can(user, "approvals.view"):
        return None
    try:
        reqs = list(selectors.request_list(actor=user, order_id=order.pk)[:20])
    except DomainError:
        return None
    missing = {}
    if order.status in services.BEFORE_CONFIRM:
        missing = missing_approvals(order)
    can_request = permissions.can(user, "approvals.request")
    offer: list[tuple[str, StrOrPromise]] = []
    if can_request:
        if missing:
            offer = [(k, Kind(k).label) for k in sorted(missing) if k in Kind.values]
        elif order.status in services.EXPEDITABLE:
            offer = [(Kind.RUSH, _("Expedite"))]
            if order.status in services.CHANGEABLE:
                offer.append((Kind.DESIGN_CHANGE, Kind.DESIGN_CHANGE.label))
            offer.append((Kind.CANCEL_AFTER_CONFIRM, Kind.CANCEL_AFTER_CONFIRM.label))
    if not reqs and not offer and not missing:
        return None
    return render_to_string(
        "approvals/_order_panel.html",
        {"order": order, "reqs": reqs, "missing": missing, "offer": offer},
        request=request,
    )
