"""Customers and materials: searchable lists and create/edit forms for those who manage them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.accounts import selectors as accounts
from zhongshu.catalog import selectors as catalog
from zhongshu.catalog import services as catalog_services
from zhongshu.core.errors import DomainError
from zhongshu.customers import selectors as customers
from zhongshu.customers import services as customer_services

from ..errors import apply_error, domain_errors
from ..forms import CustomerForm, MaterialForm, plain_number

PAGE_SIZE = 50


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


@login_required
@domain_errors
def customer_list(request):
    q = request.GET.get("q", "")
    page = _page(request, customers.customer_list(actor=request.user, q=q))
    return render(
        request,
        "web/customers/list.html",
        {"page": page, "q": q, "can_manage": permissions.can(request.user, "customers.manage")},
    )


def _customer_form(request, customer=None):
    permissions.require(request.user, "customers.manage")
    regions = [
        r
        for r in accounts.region_list(actor=request.user)
        if permissions.region_allowed(request.user, r.id)
    ]
    editing = customer is not None
    if request.method != "POST":
        initial = {}
        if customer:
            initial = {f: getattr(customer, f) for f in CustomerForm.base_fields if f != "region"}
            initial["region"] = customer.region.name
        form = CustomerForm(initial=initial, regions=regions, editing=editing)
        return render(request, "web/customers/form.html", {"form": form, "customer": customer})
    form = CustomerForm(request.POST, regions=regions, editing=editing)
    form.is_valid()
    data = {k: v for k, v in form.cleaned_data.items() if k != "code"}
    try:
        if customer is None:
            saved = customer_services.customer_create(
                actor=request.user, code=form.cleaned_data.get("code", ""), **data
            )
        else:
            saved = customer_services.customer_update(
                actor=request.user, customer=customer, data=data
            )
    except DomainError as exc:
        status = apply_error(request, exc, form=form)
        return render(
            request, "web/customers/form.html", {"form": form, "customer": customer}, status=status
        )
    messages.success(request, _("Customer %(code)s saved.") % {"code": saved.code})
    return redirect("web:customer_list")


@login_required
@domain_errors
def customer_create(request):
    return _customer_form(request)


@login_required
@domain_errors
def customer_edit(request, code: str):
    return _customer_form(request, customers.customer_get(actor=request.user, code=code))


@login_required
@domain_errors
def material_list(request):
    q = request.GET.get("q", "")
    page = _page(request, catalog.material_list(actor=request.user, q=q))
    return render(
        request,
        "web/materials/list.html",
        {"page": page, "q": q, "can_manage": permissions.can(request.user, "materials.manage")},
    )


def _material_form(request, material=None):
    permissions.require(request.user, "materials.manage")
    editing = material is not None
    if request.method != "POST":
        initial = {}
        if material:
            initial = {f: getattr(material, f) for f in MaterialForm.base_fields}
            for f in ("standard_price", "safety_stock"):
                initial[f] = plain_number(initial[f])
        form = MaterialForm(initial=initial, editing=editing)
        return render(request, "web/materials/form.html", {"form": form, "material": material})
    form = MaterialForm(request.POST, editing=editing)
    form.is_valid()
    try:
        if material is None:
            saved = catalog_services.material_create(
                actor=request.user, code=form.cleaned_data.get("code", ""), **form.service_data()
            )
        else:
            saved = catalog_services.material_update(
                actor=request.user, material=material, data=form.service_data()
            )
    except DomainError as exc:
        status = apply_error(request, exc, form=form)
        return render(
            request, "web/materials/form.html", {"form": form, "material": material}, status=status
        )
    messages.success(request, _("Material %(code)s saved.") % {"code": saved.code})
    return redirect("web:material_list")


@login_required
@domain_errors
def material_create(request):
    return _material_form(request)


@login_required
@domain_errors
def material_edit(request, code: str):
    return _material_form(request, catalog.material_get(actor=request.user, code=code))
