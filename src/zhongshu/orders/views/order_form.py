"""Order entry and editing, with the htmx pieces the form uses: a customer picker, a material
picker per line, and add/remove line. Every piece also works as a plain form post without JS."""

from collections.abc import Mapping
from typing import Any, TypedDict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.catalog import selectors as catalog
from zhongshu.core.actors import Actor, ActorRequest
from zhongshu.core.errors import DomainError
from zhongshu.core.text import plain_number
from zhongshu.core.web_errors import apply_error, domain_errors
from zhongshu.customers import selectors as customers
from zhongshu.customfields import inputs as custom_forms
from zhongshu.orders import selectors, services
from zhongshu.orders.models import Order
from zhongshu.orders.statuses import EDITABLE, PaymentTerms, Priority

from ..forms import LineForm, OrderForm, line_indexes

NEW_ORDER_ROWS = 2
PICKER_LIMIT = 10


class _Again(TypedDict):
    """What every re-render of a posted form shows again."""

    form: OrderForm
    order: Order | None
    posted: dict[str, Any]


def _price_editable(user: Actor) -> bool:
    return permissions.can(user, "orders.edit_price")


def _label_materials(user: Actor, lines: list[LineForm]) -> None:
    codes = {line.raw("material").upper() for line in lines if line.raw("material")}
    if not codes:
        return
    names = dict(
        catalog.material_list(actor=user).filter(code__in=codes).values_list("code", "name")
    )
    for line in lines:
        line.material_label = names.get(line.raw("material").upper(), "")


def _customer_label(user: Actor, code: str) -> str:
    code = (code or "").strip().upper()
    if not code:
        return ""
    customer = customers.customer_list(actor=user).filter(code=code).first()
    return f"{customer.name} · {customer.region.name}" if customer else ""


def _line_inputs(user: Actor, lines: list[LineForm], order: Order | None = None) -> bool:
    """Give each line row its custom inputs; whether order lines have custom fields at all."""
    stored = {i: line.custom for i, line in enumerate(order.lines.all())} if order else {}
    any_fields = False
    for line in lines:
        line.cf_prefix = f"lines-{line.index}-"
        existing = getattr(line, "stored_custom", stored.get(line.index))
        line.custom_inputs = custom_forms.form_inputs(
            user,
            "order_line",
            existing,
            errors=getattr(line, "custom_errors", None),
            posted=getattr(line, "posted_custom", None),
            creating=existing is None,
        )
        any_fields = any_fields or bool(line.custom_inputs)
    return any_fields


def _render(
    request: ActorRequest,
    *,
    form: OrderForm,
    lines: list[LineForm],
    order: Order | None = None,
    status: int = 200,
    posted: Mapping[str, Any] | None = None,
    custom_errors: Mapping[str, str] | None = None,
) -> HttpResponse:
    _label_materials(request.user, lines)
    line_fields = _line_inputs(request.user, lines, order)
    custom_inputs = custom_forms.form_inputs(
        request.user,
        "order",
        order.custom if order else None,
        errors=custom_errors,
        posted=posted,
        creating=order is None,
    )
    next_index = max((line.index for line in lines), default=-1) + 1
    context = {
        "form": form,
        "lines": lines,
        "order": order,
        "next_index": next_index,
        "price_editable": form.price_editable,
        "customer_label": _customer_label(request.user, form["customer"].value()),
        "custom_inputs": custom_inputs,
        "line_fields": line_fields,
    }
    return render(request, "orders/form.html", context, status=status)


def _initial(order: Order) -> dict[str, Any]:
    data: dict[str, Any] = {
        "customer": order.customer.code,
        "due_date": order.due_date.isoformat(),
        "priority": order.priority,
        "discount_rate": plain_number(order.discount_rate),
        "tax_rate": plain_number(order.tax_rate),
        "payment_terms": order.payment_terms,
        "note": order.note,
        "version": order.version,
    }
    for i, line in enumerate(order.lines.all()):
        data[f"lines-{i}-material"] = line.material.code
        data[f"lines-{i}-quantity"] = plain_number(line.quantity)
        data[f"lines-{i}-unit_price"] = plain_number(line.unit_price)
        data[f"lines-{i}-line_no"] = line.line_no
    return data


def _handle(request: ActorRequest, *, order: Order | None = None) -> HttpResponse:
    price_editable = _price_editable(request.user)
    if request.method != "POST":
        indexes: range | list[int]
        if order is None:
            data: dict[str, Any] = {
                "priority": Priority.NORMAL,
                "payment_terms": PaymentTerms.NET30,
                "tax_rate": "13",
            }
            indexes = range(NEW_ORDER_ROWS)
        else:
            data = _initial(order)
            indexes = line_indexes(data)
        form = OrderForm(data, price_editable=price_editable)
        lines = [LineForm(data, index=i, price_editable=price_editable) for i in indexes]
        return _render(request, form=form, lines=lines, order=order)

    post = request.POST
    form = OrderForm(post, price_editable=price_editable)
    form.is_valid()
    lines = [LineForm(post, index=i, price_editable=price_editable) for i in line_indexes(post)]
    for line in lines:
        line.is_valid()
    custom, upload_errors = custom_forms.read_post(
        request, request.user, "order", existing=order.custom if order else None
    )
    stored_lines = {i: ol.custom for i, ol in enumerate(order.lines.all())} if order else {}
    for line in lines:
        line.posted_custom, line.custom_errors = custom_forms.read_post(
            request,
            request.user,
            "order_line",
            prefix=f"lines-{line.index}-",
            existing=stored_lines.get(line.index),
        )
        line.stored_custom = stored_lines.get(line.index)
    again: _Again = {"form": form, "order": order, "posted": custom}
    if "add_line" in post:
        next_index = max((line.index for line in lines), default=-1) + 1
        lines.append(LineForm(index=next_index, price_editable=price_editable))
        return _render(request, lines=lines, **again)
    if "remove_line" in post:
        remove = post.get("remove_line")
        lines = [line for line in lines if str(line.index) != remove]
        return _render(request, lines=lines, **again)
    if upload_errors or any(line.custom_errors for line in lines):
        messages.error(request, _("Some fields are not valid."))
        return _render(request, lines=lines, status=422, custom_errors=upload_errors, **again)

    submitted = [line for line in lines if not line.is_blank]
    data = form.service_data(post)
    data["lines"] = [
        {**line.service_data(), "custom": line.posted_custom}
        if line.posted_custom
        else line.service_data()
        for line in submitted
    ]
    data["custom"] = custom
    try:
        if order is None:
            saved = services.order_create(actor=request.user, **data)
            messages.success(request, _("Order %(number)s created.") % {"number": saved.number})
        else:
            saved = services.order_update(
                actor=request.user,
                order_id=order.pk,
                version=form.cleaned_data.get("version"),
                data=data,
            )
            messages.success(request, _("Order %(number)s saved.") % {"number": saved.number})
    except DomainError as exc:
        rest, custom_errors = custom_forms.take_errors(exc)
        for k, line in enumerate(submitted):
            rest, line.custom_errors = custom_forms.take_errors(rest, prefix=f"lines[{k}].custom")
        status = apply_error(request, rest, form=form, lines=submitted)
        if custom_errors or any(line.custom_errors for line in submitted):
            status = 422
        return _render(request, lines=lines, status=status, custom_errors=custom_errors, **again)
    return redirect("orders:order_detail", order_id=saved.pk)


@login_required
@domain_errors
def order_create(request: ActorRequest) -> HttpResponse:
    permissions.require(request.user, "orders.create")
    return _handle(request)


@login_required
@domain_errors
def order_edit(request: ActorRequest, order_id: int) -> HttpResponse:
    order = selectors.order_get(actor=request.user, order_id=order_id)
    if order.status not in EDITABLE or not permissions.can(request.user, "orders.edit", order):
        messages.error(request, _("This order cannot be edited by you in its current status."))
        return redirect("orders:order_detail", order_id=order.pk)
    return _handle(request, order=order)


@login_required
@domain_errors
def line_row(request: ActorRequest) -> HttpResponse:
    """One line row: an empty one for "add line", or a row with a picked material whose unit
    price defaults to the material's standard price."""
    params = request.GET
    index = max(int(params.get("index", "0")) if params.get("index", "").isdigit() else 0, 0)
    price_editable = _price_editable(request.user)
    data = {k: v for k, v in params.items() if k.startswith(f"lines-{index}-")}
    pick = params.get("pick", "").strip()
    if pick:
        material = (
            catalog.material_list(actor=request.user, active_only=True)
            .filter(code=pick.upper())
            .first()
        )
        if material is not None:
            data[f"lines-{index}-material"] = material.code
            data[f"lines-{index}-unit_price"] = plain_number(material.standard_price)
    line = LineForm(data, index=index, price_editable=price_editable)
    _label_materials(request.user, [line])
    line_fields = _line_inputs(request.user, [line])
    return render(
        request,
        "orders/_line_row.html",
        {
            "line": line,
            "price_editable": price_editable,
            "oob_add_button": bool(params.get("add_line")),
            "line_fields": line_fields,
            "next_index": index + 1,
        },
    )


def _first_param(params: Mapping[str, str], suffix: str) -> str:
    for key, value in params.items():
        if key == suffix or key.endswith(suffix):
            return value.strip()
    return ""


@login_required
@domain_errors
def pick_material(request: ActorRequest) -> HttpResponse:
    q = _first_param(request.GET, "material")
    row = request.GET.get("row", "0")
    found = (
        catalog.material_list(actor=request.user, q=q, active_only=True)[:PICKER_LIMIT] if q else []
    )
    return render(
        request, "orders/_material_results.html", {"materials": found, "row": row, "q": q}
    )


@login_required
@domain_errors
def pick_customer(request: ActorRequest) -> HttpResponse:
    choose = request.GET.get("choose", "").strip()
    if choose:
        return render(
            request,
            "orders/_customer_field.html",
            {
                "field": OrderForm({"customer": choose})["customer"],
                "customer_label": _customer_label(request.user, choose),
            },
        )
    q = request.GET.get("customer", "").strip()
    found = (
        customers.customer_list(actor=request.user, q=q, active_only=True)[:PICKER_LIMIT]
        if q
        else []
    )
    return render(request, "orders/_customer_results.html", {"customers": found, "q": q})
