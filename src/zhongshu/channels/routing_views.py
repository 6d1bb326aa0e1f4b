"""The province/city routing rules page: which sales region an online shop's order goes to by
the buyer's address. Listed for whoever sees the channels; added, changed and deleted by those
who map channel SKUs (the services check), every change in the audit trail."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhongshu.accounts import permissions
from zhongshu.accounts.models import Region
from zhongshu.core.errors import ValidationFailed
from zhongshu.core.web_errors import domain_errors

from . import selectors, services

FIELDS = ("province", "city", "region")


def _page(request, *, values=None, errors=None, editing: int | None = None, status=200):
    context = {
        "rules": selectors.address_rule_list(actor=request.user),
        "regions": Region.objects.filter(active=True).order_by("name"),
        "can_edit": permissions.can(request.user, "channels.map_sku"),
        "values": values or {},
        "errors": errors or {},
        "editing": editing,
    }
    return render(request, "channels/address_regions.html", context, status=status)


@login_required
@domain_errors
def address_regions(request):
    """The list with a form to add a rule (a rule for the same place replaces it)."""
    permissions.require(request.user, "channels.view")
    if request.method != "POST":
        return _page(request)
    values = {f: request.POST.get(f, "") for f in FIELDS}
    try:
        services.address_rule_save(actor=request.user, data=values)
    except ValidationFailed as exc:
        errors = {e["field"]: e["message"] for e in exc.errors}
        return _page(request, values=values, errors=errors, status=422)
    messages.success(request, _("Routing rule saved."))
    return redirect("channels:address_regions")


@login_required
@require_POST
@domain_errors
def address_region_edit(request, rule_id: int):
    permissions.require(request.user, "channels.view")
    values = {f: request.POST.get(f, "") for f in FIELDS}
    try:
        services.address_rule_update(actor=request.user, rule_id=rule_id, data=values)
    except ValidationFailed as exc:
        errors = {e["field"]: e["message"] for e in exc.errors}
        return _page(request, values=values, errors=errors, editing=rule_id, status=422)
    messages.success(request, _("Routing rule saved."))
    return redirect("channels:address_regions")


@login_required
@require_POST
@domain_errors
def address_region_delete(request, rule_id: int):
    permissions.require(request.user, "channels.view")
    services.address_rule_delete(actor=request.user, rule_id=rule_id)
    messages.success(request, _("Routing rule deleted."))
    return redirect("channels:address_regions")
