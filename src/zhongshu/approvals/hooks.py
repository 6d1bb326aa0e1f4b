"""Approvals' part in the order status machine (registered from ``ApprovalsConfig.ready``).

* ``confirm`` waits for the approvals the registered requirements ask for.
* ``expedited`` (an approved rush of a released order, ``orders.services.order_expedite``) and
  ``changed`` with a new priority or due date: the schedule reflows once after commit.
* ``changed`` (an approved design change applied by ``orders.services.order_apply_change``):
  a line with work started on it cannot be removed; in the same transaction the stock
  reservations are re-made for the new quantities and the task sheets follow (resized,
  re-estimated, new sheets for new make lines, drawing revision noted), then the schedule reflows
  once after commit.
"""

from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhongshu.core.rows import rows_of
from zhongshu.orders import hooks

from . import requirements
from .exceptions import ApprovalRequired, ChangeNotApplicable
from .models import Flow, Kind, Request, RequestStatus


def _active_flows(order=None) -> list[Flow]:
    """The active flows; read once per order instance when one is given (a confirmation asks for
    them in every check and in ``missing_approvals``, all in the same transaction)."""
    if order is None:
        return _read_active_flows()
    flows = getattr(order, "_active_approval_flows", None)
    if flows is None:
        flows = order._active_approval_flows = _read_active_flows()
    return flows


def _read_active_flows() -> list[Flow]:
    # written out: every confirmation asks, and building the query cost more than running it
    flows = rows_of(Flow, "f")
    table = connection.ops.quote_name(Flow._meta.db_table)
    with connection.cursor() as cur:
        cur.execute(f"SELECT {flows.columns} FROM {table} f WHERE f.active ORDER BY f.id")
        return [flows.load(row) for row in cur.fetchall()]


def missing_approvals(order) -> dict[str, str]:
    """kind → reason for each approval the order still needs before it may be confirmed: the
    kind's check asks for it, an active flow covers the kind (without a flow nobody could
    approve, so nothing is required), and no request of that kind is approved for the order."""
    reasons = requirements.reasons_for(order)
    if not reasons:
        return {}
    covered = {k for f in _active_flows(order) for k in f.kinds}
    needed = {k: r for k, r in reasons.items() if k in covered}
    if not needed:
        return {}
    approved = set(
        Request.objects.filter(
            order=order, kind__in=list(needed), status=RequestStatus.APPROVED
        ).values_list("kind", flat=True)
    )
    return {k: r for k, r in needed.items() if k not in approved}


@hooks.guard("confirm")
def require_approvals(ctx: hooks.TransitionContext) -> None:
    missing = missing_approvals(ctx.order)
    if not missing:
        return
    kinds = sorted(missing)
    labels = ", ".join(str(Kind(k).label) if k in Kind.values else k for k in kinds)
    raise ApprovalRequired(
        _(
            "Approval needed before confirming (%(kinds)s): %(reasons)s Request it on the "
            "order page (Approvals) or at /approvals/new/?order=%(id)s."
        )
        % {"kinds": labels, "reasons": " ".join(missing[k] for k in kinds), "id": ctx.order.pk},
        details={
            "kinds": kinds,
            "reasons": [missing[k] for k in kinds],
            "request_url": f"/approvals/new/?order={ctx.order.pk}&kind={kinds[0]}",
        },
    )


# --- thresholds set on flows ---------------------------------------------------------------------


def _threshold(order, field: str, kind: str):
    values = [getattr(f, field) for f in _active_flows(order) if kind in f.kinds]
    values = [v for v in values if v is not None]
    return min(values) if values else None


def _discount_reason(order):
    limit = _threshold(order, "discount_threshold", Kind.DISCOUNT_ABOVE)
    if limit is not None and order.discount_rate > limit:
        return _("Discount %(d)s%% is above %(limit)s%%.") % {
            "d": order.discount_rate, "limit": limit,
        }  # fmt: skip
    return None


def _amount_reason(order):
    limit = _threshold(order, "amount_threshold", Kind.AMOUNT_ABOVE)
    if limit is not None and order.total_amount > limit:
        return _("Order total %(a)s is above %(limit)s.") % {
            "a": order.total_amount, "limit": limit,
        }  # fmt: skip
    return None


requirements.register(Kind.DISCOUNT_ABOVE.value, gettext_lazy("Discount"), _discount_reason)
requirements.register(Kind.AMOUNT_ABOVE.value, gettext_lazy("Order amount"), _amount_reason)


# --- approved changes follow through stock and production ----------------------------------------


@hooks.guard("changed")
def started_work_blocks_line_removal(ctx: hooks.TransitionContext) -> None:
    from zhongshu.production.services import lines_with_started_work

    removed = ctx.data.get("removed_line_ids") or []
    if removed and lines_with_started_work(order=ctx.order, line_ids=removed):
        raise ChangeNotApplicable(
            _("Work has started on a line this change removes."),
            details={"lines": sorted(removed)},
        )


@hooks.effect("changed")
def reservations_follow_change(ctx: hooks.TransitionContext) -> None:
    from zhongshu.inventory.services import rereserve_order

    rereserve_order(order=ctx.order, actor=ctx.actor)


@hooks.effect("changed")
def task_sheets_follow_change(ctx: hooks.TransitionContext) -> None:
    from zhongshu.production.services import sheets_follow_order

    sheets_follow_order(order=ctx.order, drawing_revision=ctx.data.get("drawing_revision", ""))


@hooks.effect("changed")
@hooks.effect("expedited")
def schedule_follows_priority(ctx: hooks.TransitionContext) -> None:
    """A new priority or due date reorders the schedule: one reflow after commit."""
    from zhongshu.production.services import request_reflow

    after = (ctx.data.get("diff") or {}).get("after") or {}
    if "priority" in after or "due_date" in after:
        request_reflow()
