"""Warehouse pages: list (search, inactive on request), create, edit, make default, deactivate,
delete (only one that never held stock), xlsx export."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhongshu.accounts import permissions
from zhongshu.accounts.audit import export_download
from zhongshu.core.actors import ActorRequest
from zhongshu.core.errors import Conflict, ValidationFailed
from zhongshu.core.text import normalize_text
from zhongshu.core.web_errors import domain_errors

from . import warehouses


def _filters(request: ActorRequest) -> tuple[str, bool | None]:
    q = normalize_text(request.GET.get("q", ""))[:60]
    return q, None if request.GET.get("all") == "1" else True


@login_required
@domain_errors
def warehouse_list(request: ActorRequest) -> HttpResponse:
    q, active = _filters(request)
    rows = list(warehouses.warehouse_list(actor=request.user, q=q, active=active)[:500])
    return render(
        request,
        "inventory/warehouses.html",
        {
            "warehouses": rows,
            "q": q,
            "show_all": active is None,
            "can_edit": permissions.can(request.user, "inventory.warehouses_manage"),
        },
    )


@login_required
@domain_errors
def warehouse_export(request: ActorRequest) -> FileResponse:
    q, active = _filters(request)
    export = warehouses.warehouse_export(actor=request.user, q=q, active=active)
    return export_download(actor=request.user, export=export)


@login_required
@domain_errors
def warehouse_edit(request: ActorRequest, code: str | None = None) -> HttpResponse:
    permissions.require(request.user, "inventory.warehouses_manage")
    wh = warehouses.warehouse_get(actor=request.user, code=code) if code else None
    errors: dict[str, str] = {}
    status = 200
    data: dict[str, Any] = (
        {"code": wh.code, "name": wh.name, "is_default": wh.is_default} if wh else {}
    )
    if request.method == "POST":
        code = wh.code if wh else request.POST.get("code", "")
        name = request.POST.get("name", "")
        is_default = request.POST.get("is_default") == "1"
        data = {"code": code, "name": name, "is_default": is_default}
        try:
            wh, _created = warehouses.warehouse_save(
                actor=request.user, creating=wh is None, code=code, name=name, is_default=is_default
            )
        except ValidationFailed as exc:
            errors = {e["field"]: e["message"] for e in exc.errors}
            status = 422
        except Conflict as exc:
            errors = {"is_default": str(exc.message)}
            status = 409
        else:
            messages.success(request, _("Warehouse saved."))
            return redirect("inventory:warehouse_list")
    return render(
        request,
        "inventory/warehouse_form.html",
        {"warehouse": wh, "values": data, "errors": errors},
        status=status,
    )


@login_required
@domain_errors
@require_POST
def warehouse_set_active(request: ActorRequest, code: str) -> HttpResponse:
    active = request.POST.get("active") == "1"
    wh = warehouses.warehouse_set_active(actor=request.user, code=code, active=active)
    if active:
        messages.success(request, _("Warehouse %(code)s reactivated.") % {"code": wh.code})
    else:
        messages.success(request, _("Warehouse %(code)s deactivated.") % {"code": wh.code})
    return redirect("inventory:warehouse_list")


@login_required
@domain_errors
@require_POST
def warehouse_delete(request: ActorRequest, code: str) -> HttpResponse:
    warehouses.warehouse_delete(actor=request.user, code=code)
    messages.success(request, _("Warehouse %(code)s deleted.") % {"code": code})
    return redirect("inventory:warehouse_list")
