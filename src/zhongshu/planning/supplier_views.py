"""Suppliers on the web: list (search, active only), create, edit, deactivate, xlsx export, and
each supplier's prices per material (list, add); accepting suggestions grouped by supplier."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhongshu.accounts import permissions
from zhongshu.accounts.audit import export_workbook
from zhongshu.core import xlsx
from zhongshu.core.errors import ValidationFailed
from zhongshu.core.text import normalize_text
from zhongshu.core.web_errors import domain_errors

from . import exports, purchasing
from . import purchasing_selectors as selectors

SUPPLIER_FIELDS = ("name", "contact", "phone", "address", "payment_terms", "lead_time_days")
PRICE_FIELDS = ("material", "price", "currency", "tax_rate", "min_order_qty", "lead_time_days",
                "valid_from", "valid_to")  # fmt: skip


@login_required
@domain_errors
def supplier_list(request):
    q = normalize_text(request.GET.get("q", ""))[:60]
    active = None if request.GET.get("all") == "1" else True
    rows = list(selectors.supplier_list(actor=request.user, q=q, active=active)[:500])
    return render(
        request,
        "planning/suppliers.html",
        {
            "suppliers": rows,
            "q": q,
            "show_all": active is None,
            "can_edit": permissions.can(request.user, "planning.suppliers_edit"),
        },
    )


@login_required
@domain_errors
def supplier_export(request):
    q = normalize_text(request.GET.get("q", ""))[:60]
    active = None if request.GET.get("all") == "1" else True
    export = exports.supplier_export(actor=request.user, q=q, active=active)
    return xlsx.download(*export_workbook(actor=request.user, export=export))


def _form_data(post, names) -> dict:
    return {n: post.get(n, "").strip() for n in names}


@login_required
@domain_errors
def supplier_edit(request, code: str | None = None):
    supplier = selectors.supplier_get(actor=request.user, code=code) if code else None
    permissions.require(request.user, "planning.suppliers_edit")
    errors, data, status = {}, {}, 200
    if request.method == "POST":
        data = _form_data(request.POST, ("code", *SUPPLIER_FIELDS))
        fields = {k: data[k] for k in SUPPLIER_FIELDS}
        fields["lead_time_days"] = fields["lead_time_days"] or 0
        try:
            if supplier is None:
                supplier = purchasing.supplier_create(
                    actor=request.user, code=data["code"], **fields
                )
            else:
                purchasing.supplier_update(actor=request.user, code=supplier.code, **fields)
        except ValidationFailed as exc:
            errors = {e["field"]: e["message"] for e in exc.errors}
            status = 422
        else:
            messages.success(request, _("Supplier saved."))
            return redirect("planning:supplier_edit", code=supplier.code)
    prices = (
        list(selectors.price_list(actor=request.user, supplier=supplier.code))
        if supplier and supplier.pk
        else []
    )
    return render(
        request,
        "planning/supplier_form.html",
        {"supplier": supplier, "data": data, "errors": errors, "prices": prices},
        status=status,
    )


@login_required
@domain_errors
@require_POST
def supplier_deactivate(request, code: str):
    supplier = purchasing.supplier_deactivate(actor=request.user, code=code)
    messages.success(request, _("Supplier %(code)s deactivated.") % {"code": supplier.code})
    return redirect("planning:supplier_list")


@login_required
@domain_errors
@require_POST
def price_add(request, code: str):
    data = _form_data(request.POST, PRICE_FIELDS)
    fields = {k: v for k, v in data.items() if v and k not in ("material", "price")}
    fields["preferred"] = request.POST.get("preferred") == "1"
    try:
        purchasing.supplier_price_create(
            actor=request.user, supplier=code, material=data["material"], price=data["price"],
            **fields,
        )  # fmt: skip
    except ValidationFailed as exc:
        for e in exc.errors:
            messages.error(request, f"{e['field']}: {e['message']}")
    else:
        messages.success(request, _("Price saved."))
    return redirect("planning:supplier_edit", code=code)


@login_required
@domain_errors
@require_POST
def accept_grouped(request):
    numbers = purchasing.suggestions_accept_grouped(actor=request.user)
    messages.success(
        request,
        _("%(n)d purchase orders created: %(numbers)s")
        % {"n": len(numbers), "numbers": ", ".join(numbers)},
    )
    return redirect("planning:purchase_order_list")
