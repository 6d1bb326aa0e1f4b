"""After-sales pages: the case list (filters, xlsx), opening a case, a case with its update form.
There is no delete."""

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from zhongshu.accounts import permissions
from zhongshu.accounts.audit import export_workbook
from zhongshu.core import xlsx
from zhongshu.core.errors import DomainError
from zhongshu.core.pagination import keyset_page
from zhongshu.core.text import normalize_text
from zhongshu.core.web_errors import apply_error, domain_errors
from zhongshu.orders.models import Order

from . import exports, selectors, services
from .models import CaseStatus, Category, Severity

PAGE = 50


def _filters(request) -> selectors.CaseFilters:
    g = request.GET
    return selectors.CaseFilters(
        status=g.get("status", "")[:20],
        category=g.get("category", "")[:20],
        severity=g.get("severity", "")[:20],
        order=normalize_text(g.get("order", ""))[:32],
        q=normalize_text(g.get("q", ""))[:60],
    )


@login_required
@domain_errors
def case_list(request):
    f = _filters(request)
    try:
        cursor = int(request.GET.get("cursor", "")) or None
    except ValueError:
        cursor = None
    items, next_cursor = keyset_page(
        selectors.case_list(actor=request.user, filters=f), cursor=cursor, limit=PAGE
    )
    return render(
        request,
        "aftersales/list.html",
        {
            "items": items,
            "next_cursor": next_cursor,
            "f": f,
            "query": urlencode({k: v for k, v in vars(f).items() if v}),
            "statuses": CaseStatus.choices,
            "categories": Category.choices,
            "severities": Severity.choices,
            "may_manage": permissions.can(request.user, "aftersales.manage"),
        },
    )


@login_required
@domain_errors
def case_xlsx(request):
    export = exports.case_export(actor=request.user, filters=_filters(request))
    return xlsx.download(*export_workbook(actor=request.user, export=export))


class CaseForm(forms.Form):
    order = forms.CharField(label=_("Order number"), max_length=32)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    severity = forms.ChoiceField(
        label=_("Severity"), choices=Severity.choices, initial=Severity.MEDIUM
    )
    description = forms.CharField(
        label=_("Description"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    shipment = forms.CharField(label=_("Shipment number"), max_length=32, required=False)
    material_code = forms.CharField(label=_("Material code"), max_length=40, required=False)


@login_required
@domain_errors
def case_new(request):
    permissions.require(request.user, "aftersales.manage")
    form = CaseForm(
        request.POST if request.method == "POST" else None,
        initial={"order": request.GET.get("order", "")[:32]},
    )
    status = 200
    if request.method == "POST":
        form.is_valid()
        data = request.POST
        number = normalize_text(data.get("order", "")).upper()[:32]
        order = (
            permissions.scope_orders(request.user, Order.objects.all())
            .filter(number=number)
            .first()
        )
        if order is None:
            form.add_error("order", gettext_now("No such order."))
            status = 422
        else:
            shipment_id = None
            ship_no = normalize_text(data.get("shipment", ""))
            if ship_no:
                found = order.shipments.filter(number=ship_no).first()
                shipment_id = found.pk if found else -1
            try:
                case = services.case_create(
                    actor=request.user,
                    order_id=order.pk,
                    category=data.get("category", ""),
                    severity=data.get("severity", ""),
                    description=data.get("description", ""),
                    shipment_id=shipment_id,
                    material_code=data.get("material_code", ""),
                )
            except DomainError as exc:
                for item in getattr(exc, "details", {}).get("errors", []):
                    if item["field"] == "shipment_id":
                        item["field"] = "shipment"
                status = apply_error(request, exc, form=form)
            else:
                messages.success(request, gettext_now("Case opened."))
                return redirect("aftersales:detail", case_id=case.pk)
    return render(request, "aftersales/form.html", {"form": form}, status=status)


class CaseUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=CaseStatus.choices)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    owner = forms.CharField(label=_("Owner (user name)"), max_length=150, required=False)
    resolution = forms.CharField(
        label=_("Resolution"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    cost = forms.CharField(label=_("Cost"), max_length=20, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


@login_required
@domain_errors
def case_detail(request, case_id):
    case = selectors.case_get(actor=request.user, case_id=case_id)
    may_manage = permissions.can(request.user, "aftersales.manage")
    initial = {
        "status": case.status,
        "severity": case.severity,
        "category": case.category,
        "owner": case.owner.get_username() if case.owner else "",
        "resolution": case.resolution,
        "cost": case.cost,
        "version": case.version,
    }
    form = CaseUpdateForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST":
        permissions.require(request.user, "aftersales.manage")
        form.is_valid()
        data = {
            k: request.POST.get(k, "")
            for k in ("status", "severity", "category", "owner", "resolution")
        }
        data["cost"] = request.POST.get("cost", "") or "0"
        data = {k: v for k, v in data.items() if str(v) != str(initial.get(k, ""))}
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = -1
        try:
            services.case_update(actor=request.user, case_id=case.pk, data=data, version=version)
        except DomainError as exc:
            status = apply_error(request, exc, form=form)
        else:
            messages.success(request, gettext_now("Case updated."))
            return redirect("aftersales:detail", case_id=case.pk)
    return render(
        request,
        "aftersales/detail.html",
        {
            "case": case,
            "form": form,
            "may_manage": may_manage and case.status != CaseStatus.CLOSED,
        },
        status=status,
    )
