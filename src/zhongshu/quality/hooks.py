"""Quality control's part in the order status machine (registered from ``QualityConfig.ready``).

* ``ship`` from awaiting QC is refused unless the order's latest inspection record passed;
* ``qc_fail`` (from ``record_inspection`` or fired directly with a reason) opens a nonconformance
  and asks production for a rework task, inside the transition's transaction.
* scrap reported on a task above its line's threshold opens a nonconformance; an undone finish
  closes it again.
"""

from django.dispatch import receiver
from django.utils.translation import gettext as _

from zhongshu.core.actors import Actor
from zhongshu.core.signals import scrap_reported, scrap_withdrawn
from zhongshu.orders import hooks
from zhongshu.orders.statuses import OrderStatus

from .exceptions import QcNotPassed
from .models import InspectionRecord, Result


def latest_record(order) -> InspectionRecord | None:
    return InspectionRecord.objects.filter(order=order).order_by("-at", "-id").first()


@hooks.guard("ship")
def refuse_ship_before_qc_passed(ctx: hooks.TransitionContext) -> None:
    if ctx.from_status != OrderStatus.AWAITING_QC:
        return  # stock-only orders ship from confirmed without production or QC
    latest = latest_record(ctx.order)
    if latest is None or latest.result != Result.PASS:
        raise QcNotPassed(
            details={
                "order": ctx.order.number,
                "latest_inspection": latest.pk if latest else None,
                "reasons": [
                    _("No inspection recorded yet.")
                    if latest is None
                    else _("The latest inspection failed.")
                ],
            }
        )


@hooks.effect("qc_fail")
def rework_on_qc_fail(ctx: hooks.TransitionContext) -> None:
    from zhongshu.production.services import add_rework_task

    from . import services

    nc = services.open_nonconformance(
        actor=ctx.actor,
        order=ctx.order,
        description=ctx.note,
        record_id=ctx.data.get("inspection_record"),
    )
    where = services.rework_place(ctx.data.get("inspection_record"))
    task = add_rework_task(
        actor=ctx.actor,
        order_id=ctx.order.pk,
        reason=ctx.note,
        line_id=ctx.data.get("rework_line"),
        **where,
    )
    nc.rework_task_id = task.pk
    nc.save(update_fields=["rework_task_id"])


@receiver(scrap_reported, dispatch_uid="zs_quality.scrap_nonconformance")
def nonconformance_on_scrap(
    sender, *, actor: Actor | None, task_id, order_id, over_threshold, **kw
) -> None:
    """Scrap above the line's threshold opens a nonconformance (inside the finish's transaction)."""
    if over_threshold and actor is not None:
        from . import services

        services.open_scrap_nonconformance(actor=actor, task_id=task_id, order_id=order_id, **kw)


@receiver(scrap_withdrawn, dispatch_uid="zs_quality.scrap_withdrawn")
def close_on_scrap_withdrawn(sender, *, actor: Actor | None, task_id, **kw) -> None:
    """An undone finish closes the nonconformance its scrap opened, saying so."""
    if actor is not None:
        from . import services

        services.close_scrap_nonconformance(actor=actor, task_id=task_id)
