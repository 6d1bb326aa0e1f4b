"""What the documents print, read through the owning apps' selectors (each checks the reader's
permission and scope): purchase orders (planning), shipments (inventory), task sheets and tasks
(production), statements (finance), orders (orders)."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor
from zhongshu.core.errors import NotFound, PermissionDenied
from zhongshu.finance import selectors as finance
from zhongshu.inventory import selectors as inventory
from zhongshu.orders import selectors as orders
from zhongshu.orders.models import Order
from zhongshu.planning import purchasing_selectors as purchasing
from zhongshu.production import selectors as production
from zhongshu.production.models import TaskSheet


def purchase_order(*, actor: Actor, number: str):
    return purchasing.purchase_document(actor=actor, number=number)


def shipments_of_order(*, actor: Actor, order_id: int) -> list:
    """Every shipment of one order (one delivery note each), oldest first."""
    order = orders.order_get(actor=actor, order_id=order_id)
    rows = list(
        inventory.shipment_list(actor=actor, order=order.number)
        .prefetch_related("lines", "lines__order_line__material")
        .order_by("id")
    )
    if not rows:
        raise NotFound()
    return rows


def shipment(*, actor: Actor, shipment_id: int):
    return inventory.shipment_get(actor=actor, shipment_id=shipment_id)


@dataclass
class SheetDocument:
    sheet: TaskSheet
    order: Order
    tasks: list


def task_sheet(*, actor: Actor, sheet_id: int) -> SheetDocument:
    permissions.require(actor, "documents.print_task_sheet")
    tasks = list(production.task_list(actor=actor).filter(sheet_id=sheet_id).order_by("sequence"))
    if not tasks:
        raise NotFound()
    sheet = tasks[0].sheet
    return SheetDocument(sheet=sheet, order=tasks[0].order, tasks=tasks)


def task(*, actor: Actor, task_id: int):
    """One task as its QR code opens it: operators only see their own tasks and their lines'
    (another line's task is not found), with what they may do now."""
    found = production.task_get(actor=actor, task_id=task_id)
    return found, production.can_start(actor, found), production.can_finish(actor, found)


def statement(*, actor: Actor, customer: str, start, end):
    period = finance.clean_period(customer=customer, start=start, end=end)
    return finance.reconciliation(actor=actor, period=period)


def order_with_prices(*, actor: Actor, order_id: int):
    """The order a quotation or order confirmation prints: prices are what it is for, so a
    reader whose roles hide them is refused (not handed a page of blanks)."""
    found = orders.order_get(actor=actor, order_id=order_id)
    if permissions.field_level(actor, "price") == "hidden":
        raise PermissionDenied(
            _("Your roles hide prices: a quotation or order confirmation cannot be printed."),
            details={"field_group": "price"},
        )
    return found


def hidden_customer_fields(*, actor: Actor) -> set[str]:
    """The customer's fields the reader's roles hide (contact person, phone, address): a printed
    document leaves them off like every page and export does."""
    return permissions.hidden_fields(actor, "customer")
