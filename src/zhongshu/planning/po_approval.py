"""Purchase orders above an amount wait for approval (the approval engine's ``purchase_amount``
flow, shipped as 采购订单金额审批 with a ¥50,000 threshold: active, editable, switchable off).

A purchase order whose total (net + tax of its priced lines) is above the lowest threshold of the
active flows covering purchase orders is created awaiting approval: every line's
``approval_status`` is ``pending`` and receiving its goods is refused (409) until the request is
approved. Rejected or withdrawn, the purchase order is cancelled (its open quantity no longer
counts as supply). While it waits it still counts as supply for MRP: it is what the planner
intends to buy. Without an active flow nothing waits.
"""

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from zhongshu.approvals import subjects
from zhongshu.approvals.models import Kind, Request, RequestStatus
from zhongshu.approvals.services.purchases import purchase_request_submit, purchase_threshold
from zhongshu.core.actors import Actor

from .models import PurchaseApproval, PurchaseOrder, PurchaseOrderStatus

ZERO = Decimal(0)


def _total(lines: list[PurchaseOrder]) -> Decimal:
    return sum(((ln.amount or ZERO) + (ln.tax_amount or ZERO) for ln in lines), ZERO)


def hold_if_above(*, actor: Actor, numbers: list[str]) -> list[str]:
    """Put each of the purchase orders ``numbers`` above the approval amount on hold and ask for
    approval (in the creating transaction). Returns the numbers held."""
    limit = purchase_threshold()
    if limit is None or not numbers:
        return []
    by_number: dict[str, list[PurchaseOrder]] = {}
    for line in PurchaseOrder.objects.filter(number__in=numbers).select_related(
        "supplier", "material"
    ):
        by_number.setdefault(line.number, []).append(line)
    held = []
    for number in numbers:
        lines = sorted(by_number.get(number, []), key=lambda ln: ln.line_no)
        total = _total(lines)
        if total <= limit:
            continue
        PurchaseOrder.objects.filter(number=number).update(approval_status=PurchaseApproval.PENDING)
        purchase_request_submit(
            actor=actor,
            number=number,
            amount=total,
            reason=_("Purchase order %(number)s totals %(total)s, above %(limit)s.")
            % {"number": number, "total": f"{total:,.2f}", "limit": f"{limit:,.2f}"},
            snapshot=_snapshot(number, lines, total),
        )
        held.append(number)
    return held


def _snapshot(number: str, lines: list[PurchaseOrder], total: Decimal) -> dict:
    supplier = lines[0].supplier if lines and lines[0].supplier_id else None
    return {
        "number": number,
        "supplier": f"{supplier.code} {supplier.name}" if supplier else "",
        "total": str(total),
        "lines": [
            {
                "line_no": ln.line_no,
                "material": ln.material.code,
                "quantity": str(ln.quantity),
                "unit_price": str(ln.unit_price) if ln.unit_price is not None else "",
                "due_date": ln.due_date.isoformat(),
            }
            for ln in lines
        ],
    }


def _finished(request: Request, actor: Actor) -> None:
    """The approval request of a purchase order ended: approved releases it; rejected or
    withdrawn cancels what is still open on it."""
    lines = PurchaseOrder.objects.filter(number=request.purchase_order)
    if request.status == RequestStatus.APPROVED:
        lines.update(approval_status=PurchaseApproval.APPROVED)
        return
    lines.filter(status=PurchaseOrderStatus.OPEN).update(
        status=PurchaseOrderStatus.CANCELLED,
        closed_at=timezone.now(),
        cancel_reason=(
            _("Approval rejected (request #%(id)s).")
            if request.status == RequestStatus.REJECTED
            else _("Approval request withdrawn (request #%(id)s).")
        )
        % {"id": request.pk},
    )
    lines.update(approval_status=PurchaseApproval.REJECTED)


subjects.on_finished(Kind.PURCHASE_AMOUNT.value, _finished)
