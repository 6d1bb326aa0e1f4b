"""Shop-floor pages: the kanban per line (polled by htmx), the operator's own tasks with big
Start/Finish buttons, setup of lines/calendar/routings/BOMs, and the production panel on the order
detail page. The planner's pages (line load, schedule, what-if) are in ``schedule_views``.

Reads go through ``production.selectors``, writes through ``production.services``; refusals are
shown through ``web.errors``.
"""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.messages import get_messages
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from zhongshu.accounts import permissions
from zhongshu.core.errors import DomainError, PermissionDenied, ValidationFailed
from zhongshu.core.redirects import redirect_back
from zhongshu.core.text import normalize_code, normalize_text
from zhongshu.core.web_errors import apply_error, domain_errors

from . import selectors, services
from .models import OPEN_TASK, ProductionPlan, Task, TaskStatus

MY_LIMIT = 100


def _int(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


# --- cards ------------------------------------------------------------------------------------------


def _at_risk_ids(tasks) -> set[int]:
    """Orders among these cards that the last schedule flagged as late (one query)."""
    order_ids = {t.order_id for t in tasks}
    if not order_ids:
        return set()
    return set(
        ProductionPlan.objects.filter(order_id__in=order_ids, at_risk=True).values_list(
            "order_id", flat=True
        )
    )


def _mark_waiting(tasks) -> None:
    """A pending card waits while an earlier operation of its sheet is not done (kanban() says
    so itself; for other lists one query over the cards' sheets answers it)."""
    unknown = [
        t for t in tasks if t.status == TaskStatus.PENDING and not hasattr(t, "predecessor_done")
    ]
    first_open: dict[int, int] = {}
    if unknown:
        for sheet_id, sequence in (
            Task.objects.filter(sheet_id__in={t.sheet_id for t in unknown}, status__in=OPEN_TASK)
            .order_by("sheet_id", "sequence")
            .values_list("sheet_id", "sequence")
        ):
            first_open.setdefault(sheet_id, sequence)
    for t in tasks:
        if hasattr(t, "predecessor_done"):
            t.waiting = t.status == TaskStatus.PENDING and not t.predecessor_done
        else:
            t.waiting = (
                t.status == TaskStatus.PENDING
                and first_open.get(t.sheet_id, t.sequence) < t.sequence
            )


def _mark_reporting(tasks) -> None:
    """What the finish form proposes (the good units of the sheet's previous finished operation,
    else the sheet's quantity: one query for all cards) and until when a finish can be undone."""
    running = [t for t in tasks if t.status == TaskStatus.IN_PROGRESS]
    reported: dict[int, list[tuple[int, Decimal]]] = {}
    if running:
        for sheet_id, seq, good in Task.objects.filter(
            sheet_id__in={t.sheet_id for t in running}, status=TaskStatus.DONE,
            good_quantity__isnull=False,
        ).values_list("sheet_id", "sequence", "good_quantity"):  # fmt: skip
            reported.setdefault(sheet_id, []).append((seq, good or Decimal(0)))
    now = timezone.now()
    for t in tasks:
        earlier = [(seq, g) for seq, g in reported.get(t.sheet_id, []) if seq < t.sequence]
        t.planned_qty = max(earlier)[1] if earlier else t.sheet.quantity
        deadline = services.undo_deadline(t)
        t.undo_until = deadline if deadline is not None and deadline > now else None


def _decorate(request, tasks, *, buttons: bool) -> None:
    """Mark each card with at-risk and with the buttons the user may press. The permission module
    decides; an operator's line membership is asked once per line, not once per card."""
    risky = _at_risk_ids(tasks)
    _mark_waiting(tasks)
    _mark_reporting(tasks)
    may_work = permissions.can(request.user, "production.work")
    per_line: dict[int, bool] = {}
    for t in tasks:
        t.at_risk = t.order_id in risky
        t.may_work = False
        if not (buttons and may_work and (t.status in OPEN_TASK or t.undo_until)):
            continue
        if t.owner_id is None:
            if t.work_center_id not in per_line:
                per_line[t.work_center_id] = permissions.can(request.user, "production.work", t)
            t.may_work = per_line[t.work_center_id]
        else:
            t.may_work = permissions.can(request.user, "production.work", t)


def _today_start():
    return timezone.make_aware(
        dt.datetime.combine(timezone.localdate(), dt.time.min), timezone.get_current_timezone()
    )


# --- kanban -------------------------------------------------------------------------------------------


def _board_context(request):
    lines = list(selectors.work_center_list(actor=request.user))
    line_id = _int(request.GET.get("line"))
    line = next((wc for wc in lines if wc.pk == line_id), lines[0] if lines else None)
    columns = {"pending": [], "in_progress": [], "done": []}
    if line is not None:
        columns = selectors.kanban(actor=request.user, work_center_id=line.pk)
        today = _today_start()
        columns["done"] = [t for t in columns["done"] if t.actual_end and t.actual_end >= today]
        _decorate(
            request,
            [*columns["pending"], *columns["in_progress"], *columns["done"]],
            buttons=True,
        )
    return {
        "lines": lines,
        "line": line,
        "columns": [
            ("pending", _("Pending"), columns["pending"]),
            ("in_progress", _("In progress"), columns["in_progress"]),
            ("done", _("Done today"), columns["done"]),
        ],
        "refreshed_at": timezone.localtime(),
    }


@login_required
@domain_errors
def kanban(request):
    permissions.require(request.user, "production.view")
    context = _board_context(request)
    return render(request, "production/kanban.html", context)


@require_GET
@login_required
@domain_errors
def board(request):
    """Only the board of one line: what the kanban page polls every 10 seconds."""
    permissions.require(request.user, "production.view")
    response = render(request, "production/_board.html", _board_context(request))
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- my tasks -------------------------------------------------------------------------------------------


def _my_tasks(request):
    user = request.user
    qs = selectors.task_list(actor=user).filter(
        Q(owner=user) | Q(owner__isnull=True, work_center__members=user)
    )
    open_tasks = list(qs.filter(status__in=OPEN_TASK).order_by("planned_start", "id")[:MY_LIMIT])
    done = list(
        qs.filter(status=TaskStatus.DONE, actual_end__gte=_today_start()).order_by("-actual_end")[
            :MY_LIMIT
        ]
    )
    _decorate(request, [*open_tasks, *done], buttons=True)
    return open_tasks, done


@login_required
@domain_errors
def my_tasks(request):
    permissions.require(request.user, "production.work")
    open_tasks, done = _my_tasks(request)
    return render(request, "production/my.html", {"open_tasks": open_tasks, "done": done})


def _action_kwargs(request, action: str) -> dict:
    post = request.POST
    kwargs: dict = {} if action == "undo" else {"version": _int(post.get("version"))}
    if action == "finish":
        for field in ("actual_hours", "good_quantity", "scrap_quantity"):
            if post.get(field):
                kwargs[field] = normalize_text(post[field])[:20]
    elif action == "pause":
        kwargs["reason"] = normalize_text(post.get("reason", ""))[:20]
        kwargs["note"] = normalize_text(post.get("note", ""))[:400]
    return kwargs


SERVICES: dict[str, Callable[..., Task]] = {
    "start": services.task_start,
    "finish": services.task_finish,
    "pause": services.task_pause,
    "resume": services.task_resume,
    "undo": services.task_finish_undo,
}


def _done_message(task) -> str:
    label = _label(task)
    figures = _("good %(good)s, scrap %(scrap)s") % {
        "good": f"{task.good_quantity.normalize():f}",
        "scrap": f"{task.scrap_quantity.normalize():f}",
    }
    if task.order.status == "awaiting_qc":
        return _("Finished: %(task)s (%(figures)s). Order %(order)s is complete and awaits QC.") % {
            "task": label, "figures": figures, "order": task.order.number,
        }  # fmt: skip
    return _("Finished: %(task)s (%(figures)s). You can undo within one minute.") % {
        "task": label, "figures": figures,
    }  # fmt: skip


def _message(task, action: str) -> str:
    if action == "finish":
        return _done_message(task)
    text = {
        "start": _("Started: %(task)s."),
        "pause": _("Paused: %(task)s."),
        "resume": _("Resumed: %(task)s."),
        "undo": _("Finish undone: %(task)s is in progress again."),
    }[action]
    return text % {"task": _label(task)}


def _task_action(request, task_id: int, action: str):
    permissions.require(request.user, "production.work")
    error = None
    try:
        task = SERVICES[action](
            actor=request.user, task_id=task_id, **_action_kwargs(request, action)
        )
    except DomainError as exc:
        if isinstance(exc, PermissionDenied):
            raise
        error = exc
        apply_error(request, exc)  # NotFound → 404
    else:
        task.order.refresh_from_db(fields=["status"])
        messages.success(request, _message(task, action))
    if not request.htmx:
        return redirect_back(request, "production:my")
    return _card_response(request, task_id, failed=error is not None)


def _card_response(request, task_id: int, *, failed: bool) -> HttpResponse:
    task = selectors.task_get(actor=request.user, task_id=task_id)
    # the other open cards of the sheet are swapped out of band: finishing one operation makes
    # the next one startable on the same screen
    siblings = []
    if not failed:
        siblings = list(
            selectors.task_list(actor=request.user, order_id=task.order_id)
            .filter(sheet_id=task.sheet_id, status__in=OPEN_TASK)
            .exclude(pk=task.pk)
            .order_by("sequence")
        )
    _decorate(request, [task, *siblings], buttons=True)
    notes = [str(m) for m in get_messages(request)]
    html = render_to_string(
        "production/_card.html",
        {"t": task, "notes": notes, "failed": failed, "big": True},
        request=request,
    )
    for sibling in siblings:
        html += render_to_string(
            "production/_card.html", {"t": sibling, "big": True, "oob": True}, request=request
        )
    return HttpResponse(html)


def _label(task) -> str:
    return f"{task.order.number} · {task.name or task.sequence}"


@login_required
@require_POST
@domain_errors
def task_start(request, task_id: int):
    return _task_action(request, task_id, "start")


@login_required
@require_POST
@domain_errors
def task_finish(request, task_id: int):
    return _task_action(request, task_id, "finish")


@login_required
@require_POST
@domain_errors
def task_undo(request, task_id: int):
    return _task_action(request, task_id, "undo")


@login_required
@require_POST
@domain_errors
def task_pause(request, task_id: int):
    return _task_action(request, task_id, "pause")


@login_required
@require_POST
@domain_errors
def task_resume(request, task_id: int):
    return _task_action(request, task_id, "resume")


def _field_messages(exc: ValidationFailed) -> list[str]:
    return [f"{e['field']}: {e['message']}" for e in exc.errors]


def _setup_context(request, **extra):
    code = normalize_code(request.GET.get("material") or request.POST.get("material") or "")[:40]
    routing = bom = None
    if code:
        try:
            routing = selectors.routing_get(actor=request.user, material_code=code)
            bom = selectors.bom_get(actor=request.user, material_code=code)
        except DomainError:
            messages.error(request, _("No material %(code)s.") % {"code": code})
            code = ""
    today = timezone.localdate()
    return {
        "lines": list(selectors.work_center_list(actor=request.user, include_inactive=True)),
        "exceptions": list(
            selectors.calendar_exception_list(actor=request.user, start=today)[:200]
        ),
        "material": code,
        "routing": routing,
        "bom": bom,
        "blank_ops": range(len(routing["operations"]) if routing else 0, 8),
        "blank_bom": range(len(bom["lines"]) if bom else 0, 10),
        "errors": [],
        **extra,
    }


def _rows(post, prefix: str, fields: tuple[str, ...], count: int) -> list[dict]:
    rows = []
    for i in range(count):
        row = {f: normalize_text(post.get(f"{prefix}-{i}-{f}", ""))[:80] for f in fields}
        if any(row.values()):
            rows.append(row)
    return rows


@login_required
@domain_errors
def setup(request):
    permissions.require(request.user, "production.manage")
    if request.method != "POST":
        return render(request, "production/setup.html", _setup_context(request))
    form = request.POST.get("form", "")
    post = request.POST
    try:
        if form == "line":
            services.work_center_create(
                actor=request.user,
                code=post.get("code", ""),
                name=post.get("name", ""),
                hours_per_shift=post.get("hours_per_shift", ""),
                shifts_per_day=_int(post.get("shifts_per_day"), -1),
                members=[u for u in normalize_text(post.get("members", "")).split() if u][:200],
            )
        elif form == "exception":
            services.calendar_exception_set(
                actor=request.user,
                date=post.get("date", ""),
                working=post.get("working") == "1",
                hours=post.get("hours") or None,
                work_center_id=post.get("work_center_id") or None,
                note=post.get("note", ""),
            )
        elif form == "exception_delete":
            services.calendar_exception_delete(
                actor=request.user, exception_id=_int(post.get("exception_id"), 0)
            )
        elif form == "routing":
            services.routing_set(
                actor=request.user,
                material_code=post.get("material", ""),
                operations=_rows(
                    post,
                    "ops",
                    ("name", "work_center", "setup_hours", "run_hours_per_unit", "default_owner"),
                    50,
                ),
            )
        elif form == "bom":
            services.bom_set(
                actor=request.user,
                material_code=post.get("material", ""),
                lines=_rows(post, "bom", ("component", "quantity_per_unit", "scrap_percent"), 200),
            )
        else:
            raise Http404()
    except ValidationFailed as exc:
        messages.error(request, str(exc.message))
        context = _setup_context(request, errors=_field_messages(exc))
        return render(request, "production/setup.html", context, status=exc.http_status)
    except DomainError as exc:
        if isinstance(exc, PermissionDenied):
            raise
        status = apply_error(request, exc)
        return render(request, "production/setup.html", _setup_context(request), status=status)
    messages.success(request, _("Saved."))
    material = normalize_code(post.get("material", ""))
    target = redirect("production:setup")
    if material:
        target["Location"] += f"?material={material}"
    return target


# --- order detail panel -------------------------------------------------------------------------------------


def order_panel(request, order) -> str | None:
    """Task sheets of the order with their tasks and planned finish, and the at-risk flag."""
    user = request.user
    if not permissions.can(user, "production.view") or not permissions.can(user, "orders.view"):
        return None
    try:
        sheets = selectors.sheets_for_order(actor=user, order_id=order.pk)
        plan = selectors.order_plan(actor=user, order_id=order.pk)
    except DomainError:
        return None
    if not sheets:
        return None
    total = sum((t.estimated_hours for s in sheets for t in s.tasks.all()), Decimal(0))
    updating = selectors.schedule_updating(actor=user)
    return render_to_string(
        "production/_order_panel.html",
        {
            "order": order,
            "sheets": sheets,
            "plan": plan,
            "total_hours": total,
            "updating": updating,
        },
        request=request,
    )
