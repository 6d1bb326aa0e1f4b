"""Rules pages: the rule list, the editor (field/operator/value pickers, dry run, history), my
follow-up tasks, and the order-detail panel."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from zhongshu.accounts import permissions
from zhongshu.accounts.roles import Role
from zhongshu.core import xlsx
from zhongshu.core.errors import DomainError, ValidationFailed
from zhongshu.core.web_errors import apply_error, domain_errors

from . import compiler, selectors, services
from .models import CUSTOMER_TRIGGERS, Dedupe, Rule, Trigger

ACTION_LABELS = {
    "notify": gettext_lazy("Notify"),
    "block": gettext_lazy("Block submission"),
    "tag": gettext_lazy("Tag the order"),
    "route": gettext_lazy("Route to a queue"),
    "followup": gettext_lazy("Create a follow-up task"),
    "set_priority": gettext_lazy("Set priority"),
}
CUSTOMER_ACTION_LABELS = {
    "owner_followup": gettext_lazy("Follow-up task for the account owner"),
    "add_to_list": gettext_lazy("Add the customer to a list"),
}


@login_required
@domain_errors
def rule_list(request):
    rules = list(selectors.rule_list(actor=request.user))
    return render(
        request,
        "rules/rule_list.html",
        {
            "rules": rules,
            "can_manage": permissions.can(request.user, "rules.manage"),
            "trigger_labels": dict(Trigger.choices),
            "action_labels": {**ACTION_LABELS, **CUSTOMER_ACTION_LABELS},
        },
    )


def _posted(request) -> tuple[dict, list[str]]:
    """The editor's form as the service's input; JSON that does not parse is reported."""
    problems = []
    data = {
        "name": request.POST.get("name", ""),
        "description": request.POST.get("description", ""),
        "enabled": request.POST.get("enabled") == "on",
        "triggers": request.POST.getlist("triggers"),
        "interval_minutes": request.POST.get("interval_minutes", "15"),
        "dedupe": request.POST.get("dedupe", Dedupe.DAY),
    }
    for key in ("condition", "actions"):
        try:
            data[key] = json.loads(request.POST.get(key) or ("{}" if key == "condition" else "[]"))
        except ValueError:
            problems.append(key)
            data[key] = None
    return data, problems


def _editor_context(request, *, rule: Rule | None, data: dict) -> dict:
    return {
        "rule": rule,
        "data": data,
        "condition_json": json.dumps(data.get("condition") or {"all": []}, ensure_ascii=False),
        "actions_json": json.dumps(data.get("actions") or [], ensure_ascii=False),
        "catalogue": {
            "fields": compiler.catalogue(actor=request.user),
            "actions": [{"type": k, "label": str(v)} for k, v in ACTION_LABELS.items()],
            # rules with a customer trigger use these fields and actions instead
            "customer_triggers": list(CUSTOMER_TRIGGERS),
            "customer_fields": compiler.catalogue(compiler.CUSTOMER),
            "customer_actions": [
                {"type": k, "label": str(v)} for k, v in CUSTOMER_ACTION_LABELS.items()
            ],
            "roles": [{"value": r.value, "label": str(r.label)} for r in Role],
            "channels": [{"value": c, "label": c} for c in services.CHANNELS],
            "priorities": [
                {"value": v, "label": str(lbl)} for v, lbl in compiler.FIELDS["priority"].choices
            ],
        },
        "triggers": Trigger.choices,
        "dedupes": Dedupe.choices,
        "history": selectors.rule_history(actor=request.user, rule=rule) if rule else [],
        "can_manage": permissions.can(request.user, "rules.manage"),
    }


def _save(request, *, rule: Rule | None):
    data, problems = _posted(request)
    try:
        if problems:
            raise ValidationFailed(
                {p: _("The editor sent text that is not valid JSON.") for p in problems}
            )
        if rule is None:
            saved = services.rule_create(actor=request.user, data=data)
        else:
            saved = services.rule_update(actor=request.user, rule_id=rule.pk, data=data)
    except DomainError as exc:
        status = apply_error(request, exc)
        return render(
            request,
            "rules/rule_form.html",
            _editor_context(request, rule=rule, data=data),
            status=status,
        )
    messages.success(request, _("Rule saved."))
    return redirect("rules:rule_edit", rule_id=saved.pk)


@login_required
@domain_errors
def rule_create(request):
    permissions.require(request.user, "rules.manage")
    if request.method == "POST":
        return _save(request, rule=None)
    data = {"enabled": True, "triggers": [Trigger.SCHEDULE], "interval_minutes": 15,
            "condition": {"all": []}, "actions": [], "dedupe": Dedupe.DAY}  # fmt: skip
    return render(request, "rules/rule_form.html", _editor_context(request, rule=None, data=data))


@login_required
@domain_errors
def rule_edit(request, rule_id: int):
    rule = selectors.rule_get(actor=request.user, rule_id=rule_id)
    if request.method == "POST":
        permissions.require(request.user, "rules.manage")
        return _save(request, rule=rule)
    data = {
        k: getattr(rule, k)
        for k in ("name", "description", "enabled", "triggers", "interval_minutes", "condition",
                  "actions", "dedupe")
    }  # fmt: skip
    return render(request, "rules/rule_form.html", _editor_context(request, rule=rule, data=data))


@login_required
@require_POST
@domain_errors
def rule_delete(request, rule_id: int):
    services.rule_delete(actor=request.user, rule_id=rule_id)
    messages.success(request, _("Rule deleted."))
    return redirect("rules:rule_list")


@login_required
@require_POST
@domain_errors
def dry_run(request):
    """htmx: the open orders (that the editor may see) matching the condition being edited."""
    try:
        condition = json.loads(request.POST.get("condition") or "{}")
        result = services.dry_run(actor=request.user, condition=condition)
        problems = []
    except ValueError:
        result, problems = None, [_("The editor sent text that is not valid JSON.")]
    except ValidationFailed as exc:
        result, problems = None, [f"{e['field']}: {e['message']}" for e in exc.errors]
    html = render_to_string(
        "rules/_dry_run.html", {"result": result, "problems": problems}, request=request
    )
    return HttpResponse(html, status=200 if result is not None else 422)


@login_required
@domain_errors
def task_list(request):
    done = request.GET.get("done") == "1"
    tasks = list(selectors.followup_list(actor=request.user, done=done)[:200])
    return render(request, "rules/task_list.html", {"tasks": tasks, "done": done})


@login_required
@require_POST
@domain_errors
def task_done(request, task_id: int):
    task = services.followup_done(actor=request.user, followup_id=task_id)
    messages.success(request, _("Task “%(t)s” is done.") % {"t": task.title})
    return redirect("rules:task_list")


def order_panel(request, order) -> str | None:
    data = selectors.order_panel_data(actor=request.user, order=order)
    if not data or not any(data.values()):
        return None
    return render_to_string("rules/_order_panel.html", data, request=request)


@login_required
@domain_errors
def list_index(request):
    lists = list(selectors.customer_lists(actor=request.user))
    return render(request, "rules/list_index.html", {"lists": lists})


@login_required
@domain_errors
def list_detail(request, list_id: int):
    target = selectors.customer_list_get(actor=request.user, list_id=list_id)
    members = list(selectors.list_members(actor=request.user, target=target)[:500])
    return render(request, "rules/list_detail.html", {"list": target, "members": members})


@login_required
@domain_errors
def list_export(request, list_id: int):
    target = selectors.customer_list_get(actor=request.user, list_id=list_id)
    members = selectors.list_members(actor=request.user, target=target)
    columns = [
        xlsx.Column(_("Customer code"), lambda m: m.customer.code),
        xlsx.Column(_("Customer name"), lambda m: m.customer.name, width=28),
        xlsx.Column(_("Customer region"), lambda m: m.customer.region.name),
        xlsx.Column(_("Tier when added"), lambda m: m.tier),
        xlsx.Column(_("Added"), lambda m: m.added_at, kind=xlsx.DATETIME, width=18),
    ]
    fileobj = xlsx.spool()
    xlsx.write_list(
        fileobj, title=target.name, columns=columns, rows=members.iterator(chunk_size=2000)
    )
    return xlsx.download(fileobj, xlsx.dated_filename(target.name))
