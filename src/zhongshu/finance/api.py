"""/api/v1/finance: the reconciliation statement, receivables, payments (record, allocate,
reverse), adjustments, balances, ageing, statement confirmations and credit settings.

There is no DELETE anywhere: posted entries are corrected by reversing entries."""

import datetime as dt

from django.http import JsonResponse
from ninja import Header, Query, Router, Schema, Status

from zhongshu.accounts.audit import export_workbook
from zhongshu.core import xlsx
from zhongshu.core.errors import ValidationFailed
from zhongshu.core.idempotency import run_once
from zhongshu.core.pagination import keyset_page
from zhongshu.core.schemas import errors

from . import exports, selectors, services
from .schemas import (
    AdjustmentIn,
    AdjustmentOut,
    AdjustmentPage,
    AgeingReportOut,
    AllocateIn,
    BalanceOut,
    BalancePage,
    ConfirmationIn,
    ConfirmationOut,
    ConfirmationPage,
    CreditIn,
    CreditOut,
    PaymentDetailOut,
    PaymentIn,
    PaymentPage,
    ReasonIn,
    ReceivablePage,
    ReconciliationOut,
)

router = Router(tags=["finance"])
MAX_LIMIT = 200


class PeriodIn(Schema):
    # strings on purpose: the selector checks all three and reports every bad one in one 422
    customer: str = ""
    start: str = ""
    end: str = ""


def _period(params: PeriodIn) -> selectors.Period:
    return selectors.clean_period(customer=params.customer, start=params.start, end=params.end)


def _limit(limit: int) -> int:
    return max(1, min(limit, MAX_LIMIT))


def _as_of(raw: str) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise ValidationFailed({"as_of": "YYYY-MM-DD"}) from None


@router.get("/reconciliation", response={200: ReconciliationOut, **errors(401, 403, 404, 422)})
def get_reconciliation(request, params: Query[PeriodIn]):
    """The reconciliation statement (对账单) of one customer for ``[start, end]`` (YYYY-MM-DD,
    both days included): opening balance, orders placed, shipments with their amounts incl. tax,
    payments, adjustments, closing balance = opening + shipped − paid + adjusted. Customers
    outside the caller's regions are 404."""
    st = selectors.reconciliation(actor=request.auth, period=_period(params))
    return {
        "customer": {
            "code": st.customer.code,
            "name": st.customer.name,
            "region": st.customer.region.name,
        },
        "start": st.start,
        "end": st.end,
        "opening_balance": st.opening_balance,
        "orders": st.orders,
        "ordered_total": st.ordered_total,
        "shipments": [
            {
                "number": s.number,
                "date": s.date,
                "order_number": s.order_number,
                "amount": s.amount,
                "lines": s.lines,
            }
            for s in st.shipments
        ],
        "shipped_total": st.shipped_total,
        "payments": st.payments,
        "payments_recorded": st.payments_recorded,
        "paid_total": st.paid_total,
        "adjustments": st.adjustments,
        "adjusted_total": st.adjusted_total,
        "closing_balance": st.closing_balance,
        "generated_at": st.generated_at,
    }


@router.get("/reconciliation.xlsx", response=errors(401, 403, 404, 422))
def get_reconciliation_xlsx(request, params: Query[PeriodIn]):
    """The same statement as the workbook sent to the customer. The download is logged."""
    fileobj, filename = services.reconciliation_workbook(actor=request.auth, period=_period(params))
    return xlsx.download(fileobj, filename)


# --- receivables ------------------------------------------------------------------------------


@router.get("/receivables", response={200: ReceivablePage, **errors(401, 403, 404, 422)})
def list_receivables(
    request,
    customer: str = "",
    state: str = "open",
    cursor: int | None = None,
    limit: int = 50,
):
    """Receivables (one per shipment), newest first. ``state``: open, overdue, paid, all."""
    qs = selectors.receivable_list(actor=request.auth, customer=customer, state=state)
    items, next_cursor = keyset_page(qs, cursor=cursor, limit=_limit(limit))
    return {"items": items, "next_cursor": next_cursor}


@router.get("/receivables/export.xlsx", response=errors(401, 403, 404, 422))
def export_receivables(request, customer: str = "", state: str = "open"):
    export = exports.receivable_export(actor=request.auth, customer=customer, state=state)
    return xlsx.download(*export_workbook(actor=request.auth, export=export))


@router.get("/ageing", response={200: AgeingReportOut, **errors(401, 403, 404, 422)})
def get_ageing(request, customer: str = "", as_of: str = ""):
    """Open receivables by days past due: not due, 0–30, 31–60, 61–90, over 90; in total and
    per customer."""
    day = _as_of(as_of)
    total = selectors.ageing(actor=request.auth, customer=customer, as_of=day)
    rows = selectors.ageing_by_customer(actor=request.auth, as_of=day)
    if customer:
        code = selectors.customer_get(actor=request.auth, code=customer).code
        rows = [r for r in rows if r["code"] == code]
    return {**total, "customers": rows}


# --- balances ---------------------------------------------------------------------------------


@router.get("/balances", response={200: BalancePage, **errors(401, 403, 422)})
def list_balances(request, q: str = "", offset: int = 0, limit: int = 50):
    qs = selectors.balance_list(actor=request.auth, q=q, nonzero=True)
    offset = max(0, min(offset, 100_000))
    return {"items": list(qs[offset : offset + _limit(limit)]), "count": qs.count()}


@router.get("/balances/{code}", response={200: BalanceOut, **errors(401, 403, 404)})
def get_balance(request, code: str):
    return selectors.balance_get(actor=request.auth, code=code)


# --- payments ---------------------------------------------------------------------------------


def _payment_json(request, payment_id: int) -> dict:
    obj = selectors.payment_get(actor=request.auth, payment_id=payment_id)
    return PaymentDetailOut.model_validate(obj).model_dump(mode="json")


@router.get("/payments", response={200: PaymentPage, **errors(401, 403, 404, 422)})
def list_payments(request, customer: str = "", cursor: int | None = None, limit: int = 50):
    qs = selectors.payment_list(actor=request.auth, customer=customer)
    items, next_cursor = keyset_page(qs, cursor=cursor, limit=_limit(limit))
    return {"items": items, "next_cursor": next_cursor}


@router.post("/payments", response={201: PaymentDetailOut, **errors(401, 403, 404, 409, 422)})
def create_payment(
    request,
    payload: PaymentIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    """Record a payment received. ``allocations`` applies it to receivables; omitted, it is
    applied oldest-due-first; ``[]`` keeps it all as the customer's credit. Send an
    ``Idempotency-Key``: a retry returns the first answer and records nothing."""

    def run():
        data = payload.dict()
        payment = services.payment_create(actor=request.auth, **data)
        return 201, _payment_json(request, payment.pk)

    status, body = run_once(
        user=request.auth,
        scope="finance.payments.create",
        key=idempotency_key,
        payload=payload.dict(),
        run=run,
    )
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


@router.get("/payments/{int:payment_id}", response={200: PaymentDetailOut, **errors(401, 403, 404)})
def get_payment(request, payment_id: int):
    return selectors.payment_get(actor=request.auth, payment_id=payment_id)


@router.post(
    "/payments/{int:payment_id}/allocations",
    response={200: PaymentDetailOut, **errors(401, 403, 404, 409, 422)},
)
def allocate_payment(request, payment_id: int, payload: AllocateIn):
    """Apply what is left of a payment (the customer's credit) to receivables."""
    services.payment_allocate(
        actor=request.auth, payment_id=payment_id, allocations=payload.dict()["allocations"]
    )
    return selectors.payment_get(actor=request.auth, payment_id=payment_id)


@router.post(
    "/payments/{int:payment_id}/reverse",
    response={201: PaymentDetailOut, **errors(401, 403, 404, 409, 422)},
)
def reverse_payment(request, payment_id: int, payload: ReasonIn):
    """Post the reversing entry of a payment (the only way to correct one)."""
    reversal = services.payment_reverse(
        actor=request.auth, payment_id=payment_id, reason=payload.reason
    )
    return Status(201, selectors.payment_get(actor=request.auth, payment_id=reversal.pk))


# --- adjustments ------------------------------------------------------------------------------


@router.get("/adjustments", response={200: AdjustmentPage, **errors(401, 403, 404, 422)})
def list_adjustments(request, customer: str = "", cursor: int | None = None, limit: int = 50):
    qs = selectors.adjustment_list(actor=request.auth, customer=customer)
    items, next_cursor = keyset_page(qs, cursor=cursor, limit=_limit(limit))
    return {"items": items, "next_cursor": next_cursor}


@router.post("/adjustments", response={201: AdjustmentOut, **errors(401, 403, 404, 422)})
def create_adjustment(request, payload: AdjustmentIn):
    adj = services.adjustment_create(actor=request.auth, **payload.dict())
    return Status(201, selectors.adjustment_list(actor=request.auth).get(pk=adj.pk))


@router.post(
    "/adjustments/{int:adjustment_id}/reverse",
    response={201: AdjustmentOut, **errors(401, 403, 404, 409, 422)},
)
def reverse_adjustment(request, adjustment_id: int, payload: ReasonIn):
    adj = services.adjustment_reverse(
        actor=request.auth, adjustment_id=adjustment_id, reason=payload.reason
    )
    return Status(201, selectors.adjustment_list(actor=request.auth).get(pk=adj.pk))


# --- statement confirmations and credit -------------------------------------------------------


@router.get("/confirmations", response={200: ConfirmationPage, **errors(401, 403, 404, 422)})
def list_confirmations(request, customer: str = "", cursor: int | None = None, limit: int = 50):
    qs = selectors.confirmation_list(actor=request.auth, customer=customer)
    items, next_cursor = keyset_page(qs, cursor=cursor, limit=_limit(limit))
    return {"items": items, "next_cursor": next_cursor}


@router.post("/confirmations", response={201: ConfirmationOut, **errors(401, 403, 404, 422)})
def create_confirmation(request, payload: ConfirmationIn):
    """Record that the customer confirmed the statement of a period (who, on which day, note,
    where the signed copy is filed)."""
    obj = services.statement_confirm(actor=request.auth, **payload.dict())
    return Status(201, obj)


@router.get("/credit/{code}", response={200: CreditOut, **errors(401, 403, 404)})
def get_credit(request, code: str):
    """The customer's credit limit, allowed overdue days and what the credit check says now."""
    return selectors.credit_get(actor=request.auth, code=code)


@router.put("/credit/{code}", response={200: CreditOut, **errors(401, 403, 404, 422)})
def put_credit(request, code: str, payload: CreditIn):
    customer = selectors.customer_get(actor=request.auth, code=code, action="finance.adjust")
    services.credit_set(actor=request.auth, customer=customer.code, **payload.dict())
    return selectors.credit_get(actor=request.auth, code=code)
