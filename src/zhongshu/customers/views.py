"""Customers: a searchable list and create/edit forms for those who manage them.

Custom fields take part as built-in ones do: list columns and filters for the fields the user
sees, inputs after the built-in ones in the forms (read-only where the user may not edit)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from zhongshu.accounts import audit, permissions
from zhongshu.accounts import selectors as accounts
from zhongshu.core.web_errors import domain_errors
from zhongshu.customfields import inputs as custom_inputs
from zhongshu.customfields.pages import list_page, save_with_custom

from . import selectors, services
from .exports import customer_export
from .forms import CustomerForm


@login_required
@domain_errors
def customer_list(request):
    return list_page(
        request,
        "customer",
        selectors.customer_list,
        selectors.custom_filters,
        "customers/list.html",
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
    template = "customers/form.html"
    initial = {}
    if customer:
        initial = {f: getattr(customer, f) for f in CustomerForm.base_fields if f != "region"}
        initial["region"] = customer.region.name
    rules = {
        "hidden": permissions.hidden_fields(request.user, "customer"),
        "readonly": permissions.readonly_fields(request.user, "customer"),
    }
    if request.method != "POST":
        form = CustomerForm(initial=initial, regions=regions, editing=editing, **rules)
        inputs = custom_inputs.form_inputs(
            request.user, "customer", customer.custom if customer else {}, creating=not editing
        )
        return render(
            request, template, {"form": form, "customer": customer, "custom_inputs": inputs}
        )
    form = CustomerForm(request.POST, initial=initial, regions=regions, editing=editing, **rules)
    form.is_valid()
    # the tier is shown, never taken (computed by the segmentation)
    data = {k: v for k, v in form.cleaned_data.items() if k not in ("code", "tier")}

    def save(custom):
        if customer is None:
            return services.customer_create(
                actor=request.user, code=form.cleaned_data.get("code", ""), custom=custom, **data
            )
        return services.customer_update(
            actor=request.user, customer=customer, data={**data, "custom": custom}
        )

    saved, response = save_with_custom(
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
    return redirect("customers:customer_list")


@login_required
@domain_errors
def customer_create(request):
    return _customer_form(request)


@login_required
@domain_errors
def customer_edit(request, code: str):
    return _customer_form(request, selectors.customer_get(actor=request.user, code=code))


@login_required
@require_GET
@domain_errors
def customers_xlsx(request):
    q = request.GET.get("q", "")[:100]
    # a bad custom filter refuses the download (an error page) rather than export unfiltered rows
    return audit.export_download(
        actor=request.user,
        export=customer_export(actor=request.user, q=q, custom_params=request.GET),
    )
