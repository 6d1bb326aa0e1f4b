"""The permission catalogue and the role pages (administrators): create, copy, edit with a
preview before saving, retire, restore and reset (docs/permissions.md)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhongshu.core.actors import ActorRequest
from zhongshu.core.errors import DomainError
from zhongshu.core.web_errors import domain_errors

from . import catalogue, permissions, role_services


@login_required
@domain_errors
def permission_catalogue(request: ActorRequest) -> HttpResponse:
    permissions.require(request.user, role_services.ADMIN_ACTION)
    return render(request, "accounts/roles/catalogue.html", catalogue.catalogue())


@login_required
@domain_errors
def role_list(request: ActorRequest) -> HttpResponse:
    roles = role_services.role_list(actor=request.user)
    scope_labels = {entry.code: entry.label for entry in catalogue.scopes()}
    for role in roles:
        role["scope_label"] = scope_labels.get(role["scope"], role["scope"])
    context: dict[str, Any] = {"roles": roles, "errors": {}, "values": {}}
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in ("code", "name", "copy_from")}
        try:
            role = role_services.role_create(
                actor=request.user,
                code=values["code"],
                data={"name": values["name"]},
                copy_from=values["copy_from"] or None,
            )
        except DomainError as exc:
            context.update(errors=_errors(exc), values=values)
        else:
            messages.success(request, _("Role created."))
            return redirect("accounts:role_edit", code=role["code"])
    return render(request, "accounts/roles/list.html", context)


def _errors(exc: DomainError) -> dict[str, str]:
    """The error by field for the page; refusals and unknown roles go to the usual pages."""
    if exc.http_status in (401, 403, 404):
        raise exc
    fields = {e["field"]: e["message"] for e in getattr(exc, "errors", []) or []}
    return fields or {"general": str(exc.message)}


def _posted(request: ActorRequest) -> dict[str, Any]:
    return {
        "name": request.POST.get("name", ""),
        "actions": request.POST.getlist("actions"),
        "fields": {g: request.POST.get(f"field_{g}", "read") for g in role_services.input_groups()},
        "scope": request.POST.get("scope", ""),
    }


@login_required
@domain_errors
def role_edit(request: ActorRequest, code: str) -> HttpResponse:
    role = role_services.role_get(actor=request.user, code=code)
    context: dict[str, Any] = {"role": role, "errors": {}, "preview": None}
    if request.method == "POST":
        data = _posted(request)
        try:
            if request.POST.get("confirm") == "1":
                role_services.role_update(actor=request.user, code=code, data=data)
                messages.success(request, _("Role saved."))
                return redirect("accounts:role_edit", code=code)
            context["preview"] = role_services.role_preview(
                actor=request.user, code=code, data=data
            )
        except DomainError as exc:
            context["errors"] = _errors(exc)
        role = {**role, **data, "actions": data["actions"]}
        context["role"] = role
    return render(request, "accounts/roles/edit.html", {**context, **_choices(role)})


def _choices(role: dict[str, Any]) -> dict[str, Any]:
    entries = catalogue.catalogue()
    held = set(role["actions"])
    areas: dict[str, list[dict[str, Any]]] = {}
    for entry in entries["actions"]:
        areas.setdefault(entry.group, []).append({"entry": entry, "held": entry.code in held})
    inputs = role_services.input_groups()
    groups = [g for g in entries["field_groups"] if g.code in inputs]
    return {
        "areas": areas,
        "groups": groups,
        "scopes": entries["scopes"],
        "levels": entries["levels"],
    }


@login_required
@domain_errors
@require_POST
def role_state(request: ActorRequest, code: str) -> HttpResponse:
    """Retire, restore or reset a role (the button's ``do``)."""
    do = request.POST.get("do", "")
    try:
        if do == "reset":
            role_services.role_reset(actor=request.user, code=code)
        else:
            role_services.role_retire(actor=request.user, code=code, retired=do == "retire")
    except DomainError as exc:
        if exc.http_status in (401, 403, 404):
            raise
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Role saved."))
    return redirect("accounts:role_edit", code=code)
