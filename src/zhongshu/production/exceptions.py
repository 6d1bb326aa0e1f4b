from django.utils.translation import gettext_lazy as _

from zhongshu.core.errors import Conflict, DomainError


class RoutingMissing(DomainError):
    """Confirming an order whose make lines have no routing. ``details["materials"]`` lists the
    material codes without one."""

    code = "routing_missing"
    http_status = 409
    default_message = _("These make-to-order products have no routing yet: %(codes)s")

    def __init__(self, codes: list[str]):
        super().__init__(
            self.default_message % {"codes": ", ".join(codes)}, details={"materials": codes}
        )


class PredecessorNotDone(Conflict):
    code = "predecessor_not_done"
    default_message = _("The previous operation of this task sheet is not finished yet.")


class TaskNotStartable(Conflict):
    code = "task_not_startable"
    default_message = _("Only a pending task can be started.")


class TaskNotFinishable(Conflict):
    code = "task_not_finishable"
    default_message = _("Only a task in progress can be finished.")


class TaskClosed(Conflict):
    code = "task_closed"
    default_message = _("This task is already finished or cancelled.")


class OrderNotInProduction(Conflict):
    code = "order_not_in_production"
    default_message = _("The order of this task is not released to production.")


class TaskPaused(Conflict):
    code = "task_paused"
    default_message = _("This task is paused: resume it first.")


class TaskNotPaused(Conflict):
    code = "task_not_paused"
    default_message = _("This task is not paused.")


class UndoExpired(Conflict):
    code = "undo_expired"
    default_message = _("A finish can only be undone within one minute.")


class UndoNotPossible(Conflict):
    code = "undo_not_possible"
    default_message = _("This finish can no longer be undone: the work has moved on.")
