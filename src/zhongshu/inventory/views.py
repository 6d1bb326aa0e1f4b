"""Inventory pages: stock levels, a material's ledger, receipts, adjustments, shipments, their xlsx
downloads (logged in the audit trail), and the availability fragment the order form asks for per
line."""

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from zhongshu.accounts import audit, permissions
from zhongshu.catalog.models import Material
from zhongshu.core.actors import ActorRequest
from zhongshu.core.errors import DomainError
from zhongshu.core.pagination import keyset_page
from zhongshu.core.text import normalize_code, normalize_text
from zhongshu.core.web_errors import apply_error, domain_errors
from zhongshu.orders.models import Order

from . import selectors, services
from .erp_models import ErpConnection
from .exports import level_export, shipment_export
from .models import MovementKind, StockLevel, Warehouse

PAGE = 100


class StockChangeForm(forms.Form):
    material = forms.CharField(label=gettext_lazy("Material code"), max_length=40)
    warehouse = forms.ChoiceField(label=gettext_lazy("Warehouse"), required=False)
    quantity = forms.CharField(label=gettext_lazy("Quantity"), max_length=20)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200, required=False)

    def __init__(self, *args: Any, warehouses: Iterable[Warehouse] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["warehouse"]
        assert isinstance(field, forms.ChoiceField)  # declared so above
        field.choices = [("", _("Default warehouse"))] + [(w.code, str(w)) for w in warehouses]


@login_required
@domain_errors
def stock_list(request: ActorRequest) -> HttpResponse:
    q = normalize_text(request.GET.get("q", ""))[:60]
    warehouse = normalize_code(request.GET.get("warehouse", ""))[:20]
    alerts_only = request.GET.get("alerts") == "1"
    try:
        offset = max(0, int(request.GET.get("offset", 0)))
    except ValueError:
        offset = 0
    qs = selectors.level_list(
        actor=request.user, q=q, warehouse=warehouse, below_safety=alerts_only
    )
    levels = list(qs[offset : offset + PAGE + 1])
    alert_count = selectors.level_list(actor=request.user, below_safety=True).count()
    return render(
        request,
        "inventory/stock_list.html",
        {
            "levels": levels[:PAGE],
            "next_offset": offset + PAGE if len(levels) > PAGE else None,
            "prev_offset": max(0, offset - PAGE) if offset else None,
            "q": q,
            "warehouse": warehouse,
            "alerts_only": alerts_only,
            "alert_count": alert_count,
            "warehouses": selectors.warehouse_list(actor=request.user),
            "can_receive": permissions.can(request.user, "inventory.receive"),
            "can_adjust": permissions.can(request.user, "inventory.adjust"),
            "can_ship": permissions.can(request.user, "inventory.ship"),
            "erp_auth": _erp_auth_failure(),
            "can_reconcile": permissions.can(request.user, "inventory.reconciliation"),
        },
    )


def _erp_auth_failure() -> ErpConnection | None:
    """The connection's credentials failure, if T+ refuses them: the stock page says so in red,
    since every figure on it stops following T+ until someone renews the token."""
    from . import erp
    from .erp.config import state

    if not erp.connected():
        return None
    row = state()
    return row if row.auth_failed_at else None


@login_required
@domain_errors
def material_ledger(request: ActorRequest, code: str) -> HttpResponse:
    material = permissions.get_in_scope(Material.objects.all(), code=normalize_code(code))
    kind = request.GET.get("kind", "")
    if kind not in MovementKind.values:
        kind = ""
    try:
        cursor = int(request.GET.get("cursor", "")) or None
    except ValueError:
        cursor = None
    qs = selectors.movement_list(
        actor=request.user,
        filters=selectors.MovementFilters(material=material.code, kind=kind),
    )
    movements, next_cursor = keyset_page(qs, cursor=cursor, limit=PAGE)
    return render(
        request,
        "inventory/material.html",
        {
            "material": material,
            "levels": selectors.level_list(actor=request.user).filter(material=material),
            "totals": selectors.material_totals(actor=request.user, material=material),
            "movements": movements,
            "next_cursor": next_cursor,
            "kind": kind,
            "kinds": MovementKind.choices,
            "can_receive": permissions.can(request.user, "inventory.receive"),
            "can_adjust": permissions.can(request.user, "inventory.adjust"),
        },
    )


def _stock_change(
    request: ActorRequest,
    *,
    action: str,
    service: Callable[..., StockLevel],
    title: str,
    template_kind: str,
) -> HttpResponse:
    permissions.require(request.user, action)
    warehouses = list(selectors.warehouse_list(actor=request.user))
    if request.method == "POST":
        form = StockChangeForm(request.POST, warehouses=warehouses)
        if form.is_valid():
            data = form.cleaned_data
            try:
                level = service(
                    actor=request.user,
                    material=data["material"],
                    warehouse=data["warehouse"] or None,
                    quantity=data["quantity"],
                    reason=data["reason"],
                )
            except DomainError as exc:
                status = apply_error(request, exc, form=form)
                return render(
                    request,
                    "inventory/stock_change.html",
                    {"form": form, "title": title, "kind": template_kind},
                    status=status,
                )
            messages.success(
                request,
                _("Saved. %(material)s now has %(on_hand)s on hand.")
                % {"material": level.material.code, "on_hand": level.on_hand.normalize()},
            )
            return redirect("inventory:material", code=level.material.code)
    else:
        form = StockChangeForm(
            initial={"material": request.GET.get("material", "")}, warehouses=warehouses
        )
    return render(
        request,
        "inventory/stock_change.html",
        {"form": form, "title": title, "kind": template_kind},
    )


@login_required
@domain_errors
def receipt_create(request: ActorRequest) -> HttpResponse:
    return _stock_change(
        request,
        action="inventory.receive",
        service=services.stock_receive,
        title=_("Receive stock"),
        template_kind="receipt",
    )


@login_required
@domain_errors
def adjustment_create(request: ActorRequest) -> HttpResponse:
    return _stock_change(
        request,
        action="inventory.adjust",
        service=services.stock_adjust,
        title=_("Adjust stock"),
        template_kind="adjust",
    )


@login_required
@domain_errors
def shipment_list(request: ActorRequest) -> HttpResponse:
    order = normalize_code(request.GET.get("order", ""))[:20]
    try:
        cursor = int(request.GET.get("cursor", "")) or None
    except ValueError:
        cursor = None
    qs = selectors.shipment_list(actor=request.user, order=order)
    shipments, next_cursor = keyset_page(qs, cursor=cursor, limit=PAGE)
    return render(
        request,
        "inventory/shipment_list.html",
        {
            "shipments": shipments,
            "next_cursor": next_cursor,
            "order": order,
            "can_ship": permissions.can(request.user, "inventory.ship"),
        },
    )


@login_required
@domain_errors
def shipment_create(request: ActorRequest) -> HttpResponse:
    permissions.require(request.user, "inventory.ship")
    number = normalize_code(request.POST.get("order") or request.GET.get("order", ""))[:20]
    order = None
    if number:
        qs = permissions.scope_orders(request.user, Order.objects.all())
        order = qs.filter(number=number).first()
        if order is None:
            messages.error(request, _("No order %(number)s.") % {"number": number})
    lines = list(order.lines.select_related("material").order_by("line_no")) if order else []
    for line in lines:
        line.remaining = line.quantity - line.shipped_quantity
    values = {}
    status = 200
    if request.method == "POST" and order is not None:
        wanted = []
        for line in lines:
            raw = normalize_text(request.POST.get(f"qty-{line.line_no}", ""))
            values[line.line_no] = raw
            if raw:
                qty: Decimal | str
                try:
                    qty = Decimal(raw)
                except InvalidOperation:
                    qty = raw  # the service reports it as a field error
                if qty != 0:
                    wanted.append({"line_no": line.line_no, "quantity": qty})
        try:
            shipment = services.shipment_create(
                actor=request.user,
                order_id=order.pk,
                lines=wanted,
                carrier=request.POST.get("carrier", ""),
                tracking_no=request.POST.get("tracking_no", ""),
            )
        except DomainError as exc:
            status = apply_error(request, exc)
        else:
            messages.success(request, _("Shipment %(n)s recorded.") % {"n": shipment.number})
            return redirect(f"{request.path}?order={order.number}")
    else:
        values = {line.line_no: line.remaining.normalize() for line in lines if line.remaining}
    for line in lines:
        line.value = values.get(line.line_no, "")
    return render(
        request,
        "inventory/shipment_form.html",
        {
            "order": order,
            "number": number,
            "lines": lines,
            "carrier": request.POST.get("carrier", ""),
            "tracking_no": request.POST.get("tracking_no", ""),
            "shipments": order.shipments.order_by("id") if order else [],
        },
        status=status,
    )


def _first(params: QueryDict, suffix: str) -> str:
    for name in params:
        if name.endswith(suffix):
            value: str = params.get(name, "")
            return value
    return ""


def _age(when: dt.datetime) -> str:
    return timesince(when, timezone.now(), depth=1)


@require_GET
@login_required
def availability_fragment(request: ActorRequest) -> HttpResponse:
    """A tiny snippet for one order line: available quantity and how fresh it is. Reads the
    first parameter ending in ``material`` and the first ending in ``quantity`` (``lines-0-…``)."""
    code = normalize_code(_first(request.GET, "material"))[:40]
    if not code or not permissions.can(request.user, "inventory.view"):
        return HttpResponse("")
    try:
        result = selectors.availability(actor=request.user, material=code)
    except DomainError:
        result = None
    if result is None:
        return HttpResponse("")
    try:
        requested = Decimal(normalize_text(_first(request.GET, "quantity")) or "0")
        if not requested.is_finite():
            requested = Decimal(0)
    except InvalidOperation:
        requested = Decimal(0)
    enough = result["available"] >= requested and result["available"] > 0
    freshness = ""
    if result["synced_at"] and result["stale"]:
        freshness = _("T+ offline; figures from %(age)s ago") % {"age": _age(result["synced_at"])}
    elif result["stale"]:
        freshness = _("T+ offline; local figures")
    elif result["synced_at"]:
        freshness = _("T+ synced %(age)s ago") % {"age": _age(result["synced_at"])}
    return render(
        request,
        "inventory/_availability.html",
        {"a": result, "enough": enough, "freshness": freshness, "requested": requested},
    )


@login_required
@require_GET
@domain_errors
def stock_xlsx(request: ActorRequest) -> FileResponse:
    export = level_export(
        actor=request.user,
        q=normalize_text(request.GET.get("q", ""))[:60],
        warehouse=normalize_code(request.GET.get("warehouse", ""))[:20],
        below_safety=request.GET.get("alerts") == "1",
    )
    return audit.export_download(actor=request.user, export=export)


@login_required
@require_GET
@domain_errors
def shipments_xlsx(request: ActorRequest) -> FileResponse:
    order = normalize_code(request.GET.get("order", ""))[:20]
    return audit.export_download(
        actor=request.user, export=shipment_export(actor=request.user, order=order)
    )
