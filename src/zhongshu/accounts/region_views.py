"""Region pages for administrators: the list with members counted, create, rename, deactivate,
reactivate, xlsx export. Which buyer addresses route to a region is kept by the channels
(``/api/v1/channels/address-regions``); the list links there."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhongshu.core.actors import ActorRequest
from zhongshu.core.errors import ValidationFailed
from zhongshu.core.web_errors import domain_errors

from . import permissions, regions, services
from .audit import export_download


def _active_filter(request: HttpRequest) -> bool | None:
    return None if request.GET.get("all") == "1" else True


@login_required
@domain_errors
def region_list(request: ActorRequest) -> HttpResponse:
    errors: dict[str, str] = {}
    status, values = 200, {}
    if request.method == "POST":
        values = {"name": request.POST.get("name", ""), "id": request.POST.get("id", "")}
        try:
            if values["id"].isdigit():
                regions.region_rename(
                    actor=request.user, region_id=int(values["id"]), name=values["name"]
                )
            else:
                services.region_create(actor=request.user, name=values["name"])
        except ValidationFailed as exc:
            errors = {e["field"]: e["message"] for e in exc.errors}
            status = 422
        else:
            messages.success(request, _("Region saved."))
            return redirect("accounts:region_list")
    active = _active_filter(request)
    return render(
        request,
        "accounts/regions/list.html",
        {
            "regions": list(regions.region_rows(actor=request.user, active=active)[:500]),
            "show_all": active is None,
            "can_edit": permissions.can(request.user, "regions.manage"),
            "can_export": permissions.can(request.user, "regions.export"),
            "errors": errors,
            "values": values,
        },
        status=status,
    )


@login_required
@domain_errors
def region_export(request: ActorRequest) -> FileResponse:
    export = regions.region_export(actor=request.user, active=_active_filter(request))
    return export_download(actor=request.user, export=export)


@login_required
@domain_errors
@require_POST
def region_set_active(request: ActorRequest, region_id: int) -> HttpResponse:
    active = request.POST.get("active") == "1"
    region = regions.region_set_active(actor=request.user, region_id=region_id, active=active)
    if active:
        messages.success(request, _("Region %(name)s reactivated.") % {"name": region.name})
    else:
        messages.success(request, _("Region %(name)s deactivated.") % {"name": region.name})
    return redirect("accounts:region_list")
