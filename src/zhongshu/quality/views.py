"""QC pages: the queue of orders awaiting inspection, the inspection form, plans, nonconformances,
and the QC panel on the order detail page. Reads through ``selectors``, writes through
``services``; refusals are shown through ``web.errors``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhongshu.accounts import permissions
from zhongshu.catalog.models import Material
from zhongshu.core.errors import DomainError, PermissionDenied, ValidationFailed
from zhongshu.core.text import normalize_code, normalize_text
from zhongshu.core.web_errors import apply_error, domain_errors
from zhongshu.orders.statuses import OrderStatus
from zhongshu.production.selectors import reported_quantities, rework_lines

from . import selectors, services
from .models import ItemKind, NcStatus, Result

RECENT = 20
BLANK_ROWS = 3
MAX_ROWS = services.MAX_ITEMS
ITEM_FIELDS = ("name", "method", "kind", "target", "lower_tolerance", "upper_tolerance", "unit")


@login_required
@domain_errors
def home(request):
    permissions.require(request.user, "qc.view")
    return render(
        request,
        "quality/home.html",
        {
            "awaiting": list(selectors.awaiting_orders(actor=request.user)[:200]),
            "records": list(selectors.record_list(actor=request.user)[:RECENT]),
            "ncs": list(
                selectors.nonconformance_list(actor=request.user, status=NcStatus.OPEN)[:RECENT]
            ),
            "can_inspect": permissions.can(request.user, "qc.inspect"),
            "can_manage": permissions.can(request.user, "qc.manage_plans"),
        },
    )


def _field_errors(exc: ValidationFailed) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for item in exc.errors:
        found.setdefault(item["field"], []).append(item["message"])
    return found


def _inspection_context(
    request, order, *, values=None, errors=None, note="", fail=False, rework_line=""
):
    items = selectors.checklist(actor=request.user, order=order)
    values = values or {}
    errors = errors or {}
    for item in items:
        item.field = f"item_{item.pk}"
        item.value = values.get(item.field, "")
        item.errors = errors.get(item.field, [])
    return {
        "order": order,
        "items": items,
        "note": note,
        "fail": fail,
        "rework_lines": list(rework_lines()),
        "rework_line": rework_line,
        "other_errors": {k: v for k, v in errors.items() if not k.startswith("item_")},
        "can_inspect": permissions.can(request.user, "qc.inspect")
        and order.status == OrderStatus.AWAITING_QC,
        "records": list(selectors.record_list(actor=request.user, order_id=order.pk)[:RECENT]),
        # what to inspect: the good units the floor reported
        "reported": reported_quantities(order_id=order.pk),
    }


@login_required
@domain_errors
def inspect(request, order_id: int):
    order = selectors.order_get(actor=request.user, order_id=order_id)
    if request.method != "POST":
        return render(request, "quality/inspect.html", _inspection_context(request, order))
    items = selectors.checklist(actor=request.user, order=order)
    values = {f"item_{it.pk}": normalize_text(request.POST.get(f"item_{it.pk}", ""))[:40]
              for it in items}  # fmt: skip
    measurements = []
    for it in items:
        raw = values[f"item_{it.pk}"]
        if not raw:
            continue  # reported by the service as "not inspected"
        key = "value" if it.kind == ItemKind.MEASURE else "ok"
        measurements.append({"item": it.pk, key: raw})
    note = request.POST.get("note", "")
    fail = request.POST.get("fail") == "1"
    line = request.POST.get("rework_line", "")[:20]
    try:
        record = services.record_inspection(
            actor=request.user,
            order_id=order.pk,
            measurements=measurements,
            note=note,
            result=Result.FAIL if fail else request.POST.get("result") or None,
            rework_line=line,
        )
    except ValidationFailed as exc:
        messages.error(request, str(exc.message))
        context = _inspection_context(
            request, order, values=values, errors=_field_errors(exc), note=note, fail=fail,
            rework_line=line,
        )  # fmt: skip
        return render(request, "quality/inspect.html", context, status=exc.http_status)
    except DomainError as exc:
        status = apply_error(request, exc)
        context = _inspection_context(
            request, order, values=values, note=note, fail=fail, rework_line=line
        )
        return render(request, "quality/inspect.html", context, status=status)
    if record.passed:
        messages.success(
            request, _("Inspection passed: %(order)s may ship now.") % {"order": order.number}
        )
    else:
        messages.warning(
            request,
            _("Inspection failed: %(order)s went back to production for rework.")
            % {"order": order.number},
        )
    return redirect("quality:home")


@login_required
@require_POST
@domain_errors
def nc_close(request, nc_id: int):
    try:
        nc = services.nonconformance_close(
            actor=request.user, nc_id=nc_id, note=request.POST.get("note", "")
        )
    except DomainError as exc:
        if isinstance(exc, PermissionDenied):
            raise
        apply_error(request, exc)
    else:
        messages.success(request, _("Nonconformance %(n)s closed.") % {"n": f"NC-{nc.pk}"})
    return redirect("quality:home")


@login_required
@domain_errors
def plan_list(request):
    plans = list(selectors.plan_list(actor=request.user))
    return render(
        request,
        "quality/plans.html",
        {"plans": plans, "can_manage": permissions.can(request.user, "qc.manage_plans")},
    )


def _rows_from_post(post) -> list[dict]:
    rows = []
    try:
        count = min(max(int(post.get("rows", 0)), 0), MAX_ROWS + BLANK_ROWS)
    except ValueError:
        count = 0
    for i in range(count):
        row = {f: normalize_text(post.get(f"items-{i}-{f}", ""))[:120] for f in ITEM_FIELDS}
        row["kind"] = row["kind"] or ItemKind.MEASURE
        rows.append(row)
    return rows


def _plain(value) -> str:
    return "" if value is None else format(value.normalize(), "f")


def _is_blank(row: dict) -> bool:
    return not any(row[f] for f in ITEM_FIELDS if f != "kind")


@login_required
@domain_errors
def plan_edit(request, code: str):
    permissions.require(request.user, "qc.manage_plans")
    material = permissions.get_in_scope(Material.objects.all(), code=normalize_code(code))
    plan = selectors.plan_list(actor=request.user).filter(material=material).first()
    status = 200
    general: list[str] = []
    if request.method == "POST":
        rows = _rows_from_post(request.POST)
        filled = [i for i, row in enumerate(rows) if not _is_blank(row)]
        note = request.POST.get("note", "")
        try:
            version = int(request.POST.get("version", "")) if plan else None
        except ValueError:
            version = None
        try:
            services.plan_save(
                actor=request.user,
                material=material.code,
                items=[rows[i] for i in filled],
                note=note,
                version=version,
            )
        except ValidationFailed as exc:
            messages.error(request, str(exc.message))
            for item in exc.errors:
                field = item["field"]
                if field.startswith("items[") and "]" in field:
                    index = int(field[6 : field.index("]")])
                    target = rows[filled[index]] if index < len(filled) else None
                    if target is not None:
                        target.setdefault("errors", []).append(item["message"])
                        continue
                general.append(item["message"])
            status = exc.http_status
        except DomainError as exc:
            status = apply_error(request, exc)
        else:
            messages.success(request, _("Inspection plan of %(m)s saved.") % {"m": material.code})
            return redirect("quality:plans")
    else:
        note = plan.note if plan else ""
        rows = [
            {
                "name": it.name,
                "method": it.method,
                "kind": it.kind,
                "target": _plain(it.target),
                "lower_tolerance": _plain(it.lower_tolerance),
                "upper_tolerance": _plain(it.upper_tolerance),
                "unit": it.unit,
            }
            for it in (plan.items.all() if plan else [])
        ]
    try:
        extra = min(max(int(request.GET.get("add", BLANK_ROWS)), 1), 20)
    except ValueError:
        extra = BLANK_ROWS
    blank = {f: "" for f in ITEM_FIELDS} | {"kind": ItemKind.MEASURE}
    rows = [*rows, *[dict(blank) for _ in range(extra if request.method != "POST" else 0)]]
    return render(
        request,
        "quality/plan_edit.html",
        {
            "material": material,
            "plan": plan,
            "rows": rows,
            "note": note,
            "general": general,
            "kinds": ItemKind.choices,
        },
        status=status,
    )


@login_required
def plan_open(request):
    """The "edit the plan of…" box on the plan list: go to that material's plan."""
    return redirect(
        "quality:plan_edit", code=normalize_code(request.GET.get("material", "")) or "-"
    )


def order_panel(request, order) -> str | None:
    """The QC section of the order detail page: inspection records, nonconformances and, for
    inspectors while the order awaits QC, the inspection form."""
    user = request.user
    if not permissions.can(user, "qc.view"):
        return None
    records = list(selectors.record_list(actor=user, order_id=order.pk)[:RECENT])
    ncs = list(selectors.nonconformance_list(actor=user, order_id=order.pk)[:RECENT])
    can_inspect = permissions.can(user, "qc.inspect") and order.status == OrderStatus.AWAITING_QC
    if not (records or ncs or can_inspect):
        return None
    items = selectors.checklist(actor=user, order=order) if can_inspect else []
    for item in items:
        item.field = f"item_{item.pk}"
    return render_to_string(
        "quality/_order_panel.html",
        {
            "order": order,
            "records": records,
            "ncs": ncs,
            "can_inspect": can_inspect,
            "items": items,
        },
        request=request,
    )
