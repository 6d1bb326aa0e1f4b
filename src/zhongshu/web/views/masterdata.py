"""Customers and materials: searchable lists and create/edit forms for those who manage them.

Custom fields take part as built-in ones do: list columns and filters for the fields the user
sees, inputs after the built-in ones in the forms (read-only where the user may not edit)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.accounts import selectors as accounts
from zhongshu.catalog import selectors as catalog
from zhongshu.catalog import services as catalog_services
from zhongshu.core.errors import DomainError, ValidationFailed
from zhongshu.core.validation import Errors
from zhongshu.core.web_errors import apply_error, domain_errors
from zhongshu.customers import selectors as customers
from zhongshu.customers import services as customer_services
from zhongshu.customfields import selectors as cf_selectors

from .. import custom_forms
from ..forms import CustomerForm, MaterialForm, plain_number

PAGE_SIZE = 50


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _custom_list_context(request, entity: str, page) -> dict:
    """Columns and filter inputs of the custom fields on a list page; the page's rows get
    their cells (``cf_cells``)."""
    columns = cf_selectors.visible(request.user, entity)
    custom_forms.attach_cells(page.object_list, columns)
    return {"cf_columns": columns}


def _list(request, entity: str, selector, template: str, action: str):
    q = request.GET.get("q", "")
    errors = Errors()
    module = customers if entity == "customer" else catalog
    custom = module.custom_filters(actor=request.user, params=request.GET, errors=errors)
    if errors:
        messages.error(request, _("Some filters are not valid and were left out."))
    page = _page(request, selector(actor=request.user, q=q, custom=custom))
    # the rows are read here, once, so that the cells and the table use the same list
    page.object_list = list(page.object_list)
    context = {
        "page": page,
        "q": q,
        "can_manage": permissions.can(request.user, action),
        "cf_filters": custom_forms.filter_inputs(
            cf_selectors.filterable(request.user, entity), request.GET, errors
        ),
        **_custom_list_context(request, entity, page),
    }
    return render(request, template, context)


def _save(request, *, entity, obj, form, template, context, save):
    """The POST half of both forms: read the custom inputs (uploading files first), call
    ``save(custom)`` and, when anything is refused, show the page again with every error next
    to its input. Returns ``(saved, None)`` or ``(None, response)``."""
    existing = obj.custom if obj is not None else {}
    raw, cf_errors = custom_forms.read_post(request, request.user, entity, existing=existing)
    try:
        # a failed upload still lets the service check everything else (all errors at once);
        # what it saved is rolled back
        with transaction.atomic():
            saved = save(raw)
            if cf_errors:
                raise ValidationFailed([], message=_("Some fields are not valid."))
    except DomainError as exc:
        exc, more = custom_forms.take_errors(exc)
        cf_errors = {**more, **cf_errors}
        status = apply_error(request, exc, form=form)
        inputs = custom_forms.form_inputs(
            request.user, entity, existing, errors=cf_errors, posted=raw
        )
        return None, render(request, template, {**context, "custom_inputs": inputs}, status=status)
    return saved, None


@login_required
@domain_errors
def customer_list(request):
    return _list(
        request,
        "customer",
        customers.customer_list,
        "web/customers/list.html",
        "customers.manage",
    )


def _customer_form(request, customer=None):
    permissions.require(request.user, "customers.manage")
    regions = [
        r
        for r in accounts.region_list(actor=request.user)
        if permissions.region_allowed(request.user, r.id)
    ]
    editing = customer is not None
    template = "web/customers/form.html"
    if request.method != "POST":
        initial = {}
        if customer:
            initial = {f: getattr(customer, f) for f in CustomerForm.base_fields if f != "region"}
            initial["region"] = customer.region.name
        form = CustomerForm(initial=initial, regions=regions, editing=editing)
        inputs = custom_forms.form_inputs(
            request.user, "customer", customer.custom if customer else {}, creating=not editing
        )
        return render(
            request, template, {"form": form, "customer": customer, "custom_inputs": inputs}
        )
    form = CustomerForm(request.POST, regions=regions, editing=editing)
    form.is_valid()
    data = {k: v for k, v in form.cleaned_data.items() if k != "code"}

    def save(custom):
        if customer is None:
            return customer_services.customer_create(
                actor=request.user, code=form.cleaned_data.get("code", ""), custom=custom, **data
            )
        return customer_services.customer_update(
            actor=request.user, customer=customer, data={**data, "custom": custom}
        )

    saved, response = _save(
        request,
        entity="customer",
        obj=customer,
        form=form,
        template=template,
        context={"form": form, "customer": customer},
        save=save,
    )
    if response is not None:
        return response
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
    return _list(
        request,
        "material",
        catalog.material_list,
        "web/materials/list.html",
        "materials.manage",
    )


def _material_form(request, material=None):
    permissions.require(request.user, "materials.manage")
    editing = material is not None
    template = "web/materials/form.html"
    if request.method != "POST":
        initial = {}
        if material:
            initial = {f: getattr(material, f) for f in MaterialForm.base_fields}
            for f in ("standard_price", "safety_stock"):
                initial[f] = plain_number(initial[f])
        form = MaterialForm(initial=initial, editing=editing)
        inputs = custom_forms.form_inputs(
            request.user, "material", material.custom if material else {}, creating=not editing
        )
        return render(
            request, template, {"form": form, "material": material, "custom_inputs": inputs}
        )
    form = MaterialForm(request.POST, editing=editing)
    form.is_valid()

    def save(custom):
        data = {**form.service_data(), "custom": custom}
        if material is None:
            return catalog_services.material_create(
                actor=request.user, code=form.cleaned_data.get("code", ""), **data
            )
        return catalog_services.material_update(actor=request.user, material=material, data=data)

    saved, response = _save(
        request,
        entity="material",
        obj=material,
        form=form,
        template=template,
        context={"form": form, "material": material},
        save=save,
    )
    if response is not None:
        return response
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
