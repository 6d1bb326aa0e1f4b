"""The order list: filters (built-in and custom fields), sort, the columns of the chosen saved
view, and saving/deleting views. Reads go through ``orders.selectors`` and
``listviews.selectors``; writes through ``listviews.services``."""

import datetime as dt
from typing import Any, NotRequired, Protocol, TypedDict, overload
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhongshu.accounts import permissions
from zhongshu.accounts.roles import Role
from zhongshu.core.actors import Actor, ActorRequest
from zhongshu.core.errors import DomainError
from zhongshu.core.pagination import (
    date_keyset_page,
    keyset_page,
    offset_page,
    parse_date_cursor,
)
from zhongshu.core.redirects import redirect_back
from zhongshu.core.validation import Errors
from zhongshu.core.web_errors import apply_error, domain_errors
from zhongshu.customfields import inputs as custom_forms
from zhongshu.customfields import selectors as custom_fields
from zhongshu.listviews import columns as list_columns
from zhongshu.listviews import selectors as views
from zhongshu.listviews import services as view_services
from zhongshu.listviews.models import SavedView
from zhongshu.orders import selectors
from zhongshu.orders.bulk import orders_bulk_action

from ..forms import OrderFilterForm

DEFAULT_LIMIT = 25
MAX_LIMIT = 100
# parameters that are not filters: opening the bare list still opens the default view
NOT_FILTERS = {"cursor", "offset", "limit", "view"}
SORTABLE_BUILTIN = {
    "number": "number",
    "due_date": "due_date",
    "total": "total",
    "created": "created",
}


class Column(TypedDict):
    """A column of the list as the table draws it."""

    name: str
    label: str
    custom: bool
    sorted: NotRequired[str]  # "asc", "desc" or "" (sortable but not sorted by it)
    sort_query: NotRequired[str]


class _Row(Protocol):
    """An order of the page with the cells of its columns (set by ``_attach_values``)."""

    cf_cells: list[str]
    col_values: list[tuple[Column, str | None]]


@overload
def _int(value: object, default: int) -> int: ...
@overload
def _int(value: object, default: None = None) -> int | None: ...
def _int(value: Any, default: int | None = None) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _bulk_actions(user: Actor) -> list[tuple[str, str]]:
    """The bulk actions the user holds the right for (each order is still judged on its own)."""
    labels = {"submit": _("Submit for review"), "confirm": _("Confirm"), "cancel": _("Cancel"),
              "assign_owner": _("Assign owner")}  # fmt: skip
    return [(a, labels[a]) for a in labels if permissions.can(user, f"orders.{a}")]


def _owners() -> list[Actor]:
    # every active user is offered; the bulk action refuses one who may not own the order
    return list(get_user_model().objects.filter(is_active=True).order_by("username")[:500])


def _date_cursor(value: str | None) -> tuple[dt.date, int] | None:
    """A due-date list's cursor; a damaged one reads the list from the top, like a bad number."""
    try:
        return parse_date_cursor(value)
    except ValueError:
        return None


def order_filters(request: ActorRequest) -> tuple[OrderFilterForm, selectors.OrderFilters, Errors]:
    """The list's filters from the URL, shared by the page and its export. Bad built-in values
    are shown next to their inputs and ignored; bad custom ones are reported in ``problems``."""
    form = OrderFilterForm(request.GET or None)
    form.is_valid()
    f = form.cleaned_data if form.is_bound else {}
    problems = Errors()
    custom = selectors.parse_custom_filters(actor=request.user, params=request.GET, errors=problems)
    sort = selectors.parse_sort(
        actor=request.user, value=request.GET.get("sort", ""), errors=problems
    )
    filters = selectors.OrderFilters(
        status=f.get("status") or None,
        customer=f.get("customer", ""),
        priority=f.get("priority", ""),
        due_after=f.get("due_from"),
        due_before=f.get("due_to"),
        created_from=f.get("created_from"),
        created_to=f.get("created_to"),
        q=f.get("q", ""),
        channel=f.get("channel", ""),
        queue=f.get("queue", ""),
        tag=f.get("tag", ""),
        custom=custom,
        sort=sort,
    )
    return form, filters, problems


def view_url(view: SavedView) -> str:
    params: list[tuple[str, object]] = [("view", view.pk)]
    params += [(k, v) for k, values in view.filters.items() for v in values]
    if view.sort:
        params.append(("sort", view.sort))
    return f"{reverse('orders:order_list')}?{urlencode(params)}"


def _columns(request: ActorRequest, view: SavedView | None, sort: str) -> list[Column]:
    available = list_columns.available(request.user)
    names = [c for c in (view.columns if view else list_columns.DEFAULT_ORDER_COLUMNS)]
    names = [c for c in names if c in available] or [
        c for c in list_columns.DEFAULT_ORDER_COLUMNS if c in available
    ]
    sortable = dict(SORTABLE_BUILTIN)
    for d in custom_fields.filterable(request.user, "order"):
        if d.sortable:
            sortable[d.param] = d.param
    base = [
        (k, v) for k, vs in request.GET.lists() if k not in ("sort", "cursor", "offset") for v in vs
    ]
    out: list[Column] = []
    for name in names:
        col: Column = {"name": name, "label": available[name], "custom": name.startswith("cf_")}
        if name in sortable:
            key = sortable[name]
            col["sorted"] = "asc" if sort == key else "desc" if sort == f"-{key}" else ""
            col["sort_query"] = urlencode([*base, ("sort", f"-{key}" if sort == key else key)])
        out.append(col)
    return out


def _attach_values(request: ActorRequest, orders: list[_Row], columns: list[Column]) -> None:
    custom_cols = [c["name"] for c in columns if c["custom"]]
    defs = {d.param: d for d in custom_fields.visible(request.user, "order")}
    chosen = [defs[name] for name in custom_cols]
    custom_forms.attach_cells(orders, chosen)
    for order in orders:
        cells = dict(zip(custom_cols, order.cf_cells, strict=True))
        order.col_values = [(c, cells.get(c["name"])) for c in columns]


@login_required
@domain_errors
def order_list(request: ActorRequest) -> HttpResponse:
    saved = views.views_for(actor=request.user)
    view = None
    view_id = request.GET.get("view", "")
    if view_id and view_id != "0":
        view = views.view_get(actor=request.user, view_id=view_id)
    elif not view_id and not (set(request.GET) - NOT_FILTERS):
        default = views.default_view(actor=request.user, views=saved)
        if default is not None:
            return redirect(view_url(default))
    form, filters, problems = order_filters(request)
    limit = min(max(_int(request.GET.get("limit"), DEFAULT_LIMIT), 1), MAX_LIMIT)
    qs = selectors.order_list(actor=request.user, filters=filters)
    params = [(k, v) for k, vs in request.GET.lists() if k not in ("cursor", "offset") for v in vs]
    due = selectors.due_order(filters)
    if selectors.is_keyset(filters):
        orders, nxt = keyset_page(qs, cursor=_int(request.GET.get("cursor")), limit=limit)
        next_query = urlencode([*params, ("cursor", nxt)]) if nxt else None
        first_query = urlencode(params) if request.GET.get("cursor") else None
    elif due:
        orders, after = date_keyset_page(
            qs, field="due_date", cursor=_date_cursor(request.GET.get("cursor")), limit=limit,
            descending=due.startswith("-"),
        )  # fmt: skip
        next_query = urlencode([*params, ("cursor", after)]) if after else None
        first_query = urlencode(params) if request.GET.get("cursor") else None
    else:
        offset = _int(request.GET.get("offset"), 0)
        orders, nxt = offset_page(qs, offset=offset, limit=limit)
        next_query = urlencode([*params, ("offset", nxt)]) if nxt else None
        first_query = urlencode(params) if offset else None
    columns = _columns(request, view, filters.sort)
    _attach_values(request, orders, columns)
    filterable = custom_fields.filterable(request.user, "order")
    context = {
        "form": form,
        "orders": orders,
        "total": qs.count(),
        "columns": columns,
        "next_query": next_query,
        "first_query": first_query,
        "can_create": permissions.can(request.user, "orders.create"),
        "custom_filters": custom_forms.filter_inputs(filterable, request.GET, problems),
        "problems": problems.items,
        "saved_views": saved,
        "view": view,
        "sort": filters.sort,
        "available_columns": list_columns.available(request.user).items(),
        "chosen_columns": [c["name"] for c in columns],
        "can_share": permissions.can(request.user, "listviews.share"),
        "roles": Role.choices,
        "current_query": urlencode([(k, v) for k, v in params if k not in ("view",)]),
        "bulk_actions": (bulk := _bulk_actions(request.user)),
        "owners": _owners() if any(a == "assign_owner" for a, _l in bulk) else [],
    }
    partial = request.htmx and request.htmx.target == "order-table"
    template = "orders/_table.html" if partial else "orders/list.html"
    response = render(request, template, context, status=422 if problems else 200)
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


def _query_filters(query: QueryDict | str) -> tuple[dict[str, list[str]], str]:
    params = query if isinstance(query, QueryDict) else QueryDict(query or "")
    filters = {
        k: params.getlist(k)
        for k in params
        if k in list_columns.ORDER_FILTER_PARAMS or k.startswith("cf_")
    }
    return filters, params.get("sort", "")


@login_required
@require_POST
@domain_errors
def view_save(request: ActorRequest) -> HttpResponse:
    """Save the list as it is shown (its URL's filters and sort) with the ticked columns, as a
    new view or over the current one."""
    post = request.POST
    # with htmx the filter form is sent along (the list may have been filtered since the page
    # was drawn); without it, the page's own URL is in "query"
    filters, sort = _query_filters(post if request.htmx else post.get("query", ""))
    try:
        view = view_services.view_save(
            actor=request.user,
            view_id=post.get("view_id") or None,
            share_with_role=post.get("role", ""),
            name=post.get("name", ""),
            columns=post.getlist("columns"),
            filters=filters,
            sort=sort,
            is_default=bool(post.get("is_default")),
        )
    except DomainError as exc:
        apply_error(request, exc)
        back = f"{reverse('orders:order_list')}?{post.get('query', '')}"
        if request.htmx:
            return HttpResponse(status=204, headers={"HX-Redirect": back})
        return redirect(back)
    messages.success(request, _("View %(name)s saved.") % {"name": view.label})
    if request.htmx:
        return HttpResponse(status=204, headers={"HX-Redirect": view_url(view)})
    return redirect(view_url(view))


@login_required
@require_POST
@domain_errors
def view_delete(request: ActorRequest, view_id: int) -> HttpResponse:
    try:
        view_services.view_delete(actor=request.user, view_id=view_id)
    except DomainError as exc:
        apply_error(request, exc)
    else:
        messages.success(request, _("View deleted."))
    return redirect(f"{reverse('orders:order_list')}?view=0")


@login_required
@require_POST
@domain_errors
def queue_views_save(request: ActorRequest) -> HttpResponse:
    """A personal saved view for each queue named (the home page's "views for my queues"): the
    list filtered by that queue, named after it; queues that have one already are skipped."""
    queues = [q for q in dict.fromkeys(request.POST.getlist("queue")) if q.strip()][:20]
    saved = views.views_for(actor=request.user)
    have = {tuple(v.filters.get("queue", [])) for v in saved if list(v.filters) == ["queue"]}
    made = 0
    try:
        with transaction.atomic():
            for q in queues:
                if (q,) in have:
                    continue
                view_services.view_save(
                    actor=request.user, name=q[:60], filters={"queue": [q]},
                    columns=list(list_columns.DEFAULT_ORDER_COLUMNS),
                )  # fmt: skip
                made += 1
    except DomainError as exc:
        apply_error(request, exc)
    else:
        messages.success(request, _("%(n)d queue views saved.") % {"n": made})
    return redirect_back(request, reverse("orders:order_list"))


@login_required
@require_POST
@domain_errors
def bulk_action(request: ActorRequest) -> HttpResponse:
    """The list's bulk action on the ticked orders: each judged on its own through
    ``orders_bulk_action``; answers the results table (htmx) or the list with a message."""
    post = request.POST
    ids = [i for i in (_int(v) for v in post.getlist("order")) if i is not None]
    try:
        results = orders_bulk_action(
            actor=request.user, action=post.get("action", ""), order_ids=ids,
            reason=post.get("reason", ""), owner_id=post.get("owner") or None,
        )  # fmt: skip
    except DomainError as exc:
        status = apply_error(request, exc)
        if request.htmx:
            return render(request, "orders/_bulk_results.html", {"results": []}, status=status)
        return redirect(reverse("orders:order_list"))
    numbers = dict(selectors.orders_visible(actor=request.user)
                   .filter(pk__in=[r.order_id for r in results]).values_list("pk", "number"))  # fmt: skip
    rows = [(r, numbers.get(r.order_id, str(r.order_id))) for r in results]
    done = sum(r.done for r in results)
    context = {"results": rows, "done": done, "refused": len(results) - done}
    if request.htmx:
        return render(request, "orders/_bulk_results.html", context)
    messages.info(request, _("%(done)d done, %(refused)d refused.") % context)
    return redirect(reverse("orders:order_list"))
