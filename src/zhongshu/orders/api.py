from typing import Any, TypedDict

from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.params import functions as param

from zhongshu.accounts.audit import export_workbook
from zhongshu.core import xlsx
from zhongshu.core.actors import ApiRequest
from zhongshu.core.errors import ValidationFailed
from zhongshu.core.idempotency import run_once
from zhongshu.core.pagination import date_keyset_page, keyset_page, offset_page, parse_date_cursor
from zhongshu.core.schemas import errors
from zhongshu.core.signals import user_activity
from zhongshu.core.validation import Errors

from . import exports, selectors, services
from .bulk import orders_bulk_action
from .models import Order
from .schemas import (
    BulkOut,
    BulkTransitionIn,
    OrderFiltersIn,
    OrderIn,
    OrderOut,
    OrderPage,
    OrderPatch,
    TransitionIn,
    TransitionOut,
)

router = Router(tags=["orders"])


class OrderPageData(TypedDict, total=False):
    """A page of the order list as ``OrderPage`` reads it."""

    items: list[Order]
    next_cursor: int | str | None
    next_offset: int | None


def _detail(request: ApiRequest, order_id: int) -> Order:
    return selectors.order_get(actor=request.auth, order_id=order_id)


def _detail_json(request: ApiRequest, order_id: int) -> dict[str, Any]:
    order = _detail(request, order_id)
    return OrderOut.model_validate(order, context={"request": request}).model_dump(mode="json")


def _order_filters(request: ApiRequest, filters: OrderFiltersIn) -> selectors.OrderFilters:
    """The documented filters plus ``cf_<key>`` parameters of filterable custom fields."""
    problems = Errors()
    custom = selectors.parse_custom_filters(actor=request.auth, params=request.GET, errors=problems)
    sort = selectors.parse_sort(actor=request.auth, value=filters.sort, errors=problems)
    if problems:
        raise ValidationFailed(problems.items)
    return selectors.OrderFilters(
        custom=custom,
        sort=sort,
        status=filters.status,
        customer=filters.customer,
        priority=filters.priority or "",
        due_before=filters.due_before,
        due_after=filters.due_after,
        created_from=filters.created_from,
        created_to=filters.created_to,
        q=filters.q,
        channel=filters.channel or "",
        queue=filters.queue,
        tag=filters.tag,
    )


@router.get("", response={200: OrderPage, **errors(401, 403, 422)})
def list_orders(request: ApiRequest, filters: Query[OrderFiltersIn]) -> OrderPageData:
    qs = selectors.order_list(
        actor=request.auth,
        filters=(f := _order_filters(request, filters)),
    )
    cursor = filters.cursor or ""
    due = selectors.due_order(f)
    if selectors.is_keyset(f):
        if cursor and (not cursor.isdigit() or int(cursor) > 2**63 - 1):
            raise ValidationFailed(
                {"cursor": _("This cursor belongs to another order of the list.")}
            )
        items, next_id = keyset_page(qs, cursor=int(cursor or 0), limit=filters.limit)
        return {"items": items, "next_cursor": next_id}
    if due and not filters.offset:
        # (due date, id) keyset; the first page also offers an offset for clients that page so
        return _due_page(qs, cursor=cursor, limit=filters.limit, descending=due.startswith("-"))
    items, next_offset = offset_page(qs, offset=filters.offset, limit=filters.limit)
    return {"items": items, "next_cursor": None, "next_offset": next_offset}


def _due_page(qs: QuerySet[Order], *, cursor: str, limit: int, descending: bool) -> OrderPageData:
    try:
        after = parse_date_cursor(cursor)
    except ValueError:
        raise ValidationFailed(
            {"cursor": _("This cursor belongs to another order of the list.")}
        ) from None
    items, next_cursor = date_keyset_page(
        qs, field="due_date", cursor=after, limit=limit, descending=descending
    )
    next_offset = limit if next_cursor and after is None else None
    return {"items": items, "next_cursor": next_cursor, "next_offset": next_offset}


@router.get("/export.xlsx", response=errors(401, 403, 422))
def export_orders(request: ApiRequest, filters: Query[OrderFiltersIn]) -> FileResponse:
    """The order list as an xlsx workbook: the same filters and scope as ``GET /orders``
    (``cursor`` and ``limit`` are ignored: every matching order is exported). Logged."""
    export = exports.order_export(
        actor=request.auth,
        filters=_order_filters(request, filters),
    )
    return xlsx.download(*export_workbook(actor=request.auth, export=export))


@router.post("/bulk-transitions", response={200: BulkOut, **errors(401, 403, 422)})
def bulk_transitions(request: ApiRequest, payload: BulkTransitionIn) -> dict[str, Any]:
    """Submit, confirm, cancel (``reason``) or hand to ``owner`` up to 500 orders, each judged on
    its own: the answer lists every order as done or refused with the reason."""
    results = orders_bulk_action(
        actor=request.auth, action=payload.action, order_ids=payload.order_ids,
        reason=payload.reason, owner_id=payload.owner,
    )  # fmt: skip
    done = sum(r.done for r in results)
    return {
        "done": done,
        "refused": len(results) - done,
        "results": [
            {"order_id": r.order_id, "result": "done" if r.done else "refused",
             "code": r.code, "message": r.message}
            for r in results
        ],
    }  # fmt: skip


@router.post("", response={201: OrderOut, **errors(401, 403, 409, 422)})
def create_order(
    request: ApiRequest,
    payload: OrderIn,
    idempotency_key: str | None = param.Header(None, alias="Idempotency-Key"),
) -> JsonResponse:
    """Create a draft order. Send an ``Idempotency-Key`` header to make retries safe."""

    def run() -> tuple[int, dict[str, Any]]:
        data = payload.dict(exclude_none=True)
        order = services.order_create(
            actor=request.auth,
            customer=data.pop("customer", None),
            due_date=data.pop("due_date", None),
            lines=data.pop("lines", None),
            **data,
        )
        return 201, _detail_json(request, order.pk)

    status, body = run_once(
        user=request.auth,
        scope="orders.create",
        key=idempotency_key,
        payload=payload.dict(),
        run=run,
    )
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


@router.get("/{int:order_id}", response={200: OrderOut, **errors(401, 403, 404)})
def get_order(request: ApiRequest, order_id: int) -> Order:
    order = _detail(request, order_id)
    # a status look-up made in the system instead of by phone (counted for the effect report)
    user_activity.send(sender=Order, user=request.auth, kind="order.viewed", obj=order)
    return order


@router.patch("/{int:order_id}", response={200: OrderOut, **errors(401, 403, 404, 409, 422)})
def update_order(request: ApiRequest, order_id: int, payload: OrderPatch) -> Order:
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    if data.get("lines") is not None:
        data["lines"] = [{k: v for k, v in line.items() if v is not None} for line in data["lines"]]
    services.order_update(actor=request.auth, order_id=order_id, version=version, data=data)
    return _detail(request, order_id)


@router.post(
    "/{int:order_id}/transitions", response={200: TransitionOut, **errors(401, 403, 404, 409, 422)}
)
def transition_order(request: ApiRequest, order_id: int, payload: TransitionIn) -> Order:
    """Move the order; the answer is its new status and version with what the move reserved and
    any warnings (the full detail is ``GET /orders/{id}``)."""
    return services.order_transition(
        actor=request.auth,
        order_id=order_id,
        action=payload.action,
        note=payload.note or "",
        version=payload.version,
    )


@router.delete("/{int:order_id}", response={204: None, **errors(401, 403, 404, 409)})
def delete_order(request: ApiRequest, order_id: int) -> HttpResponse:
    services.order_delete(actor=request.auth, order_id=order_id)
    return HttpResponse(status=204)
