from django.utils.translation import gettext_lazy as _

from zhongshu.core.errors import Conflict, DomainError


class InsufficientStock(DomainError):
    """Not enough available stock. ``details["shortages"]`` lists every short material at once:
    ``{"material", "requested", "available"}``."""

    code = "insufficient_stock"
    http_status = 409
    default_message = _("Not enough stock available.")

    def __init__(self, shortages: list[dict[str, str]], message: str | None = None) -> None:
        super().__init__(message, details={"shortages": shortages})


class StockBelowReserved(Conflict):
    code = "stock_below_reserved"
    default_message = _(
        "This would take the quantity on hand below what is reserved for confirmed orders."
    )


class NegativeStock(Conflict):
    code = "negative_stock"
    default_message = _("This would take the quantity on hand below zero.")


class NoDefaultWarehouse(Conflict):
    code = "no_default_warehouse"
    default_message = _("No default warehouse is set up.")


class NotShippable(Conflict):
    code = "not_shippable"
    default_message = _("This order cannot be shipped in its current status.")


class OverShipment(Conflict):
    code = "over_shipment"
    default_message = _("You cannot ship more than was ordered.")


class NothingToShip(Conflict):
    code = "nothing_to_ship"
    default_message = _("Everything on this order has already been shipped.")


class TplusUnavailable(Exception):
    """T+ did not answer usefully (timeout, refused, non-2xx, not the expected JSON)."""


class AlreadyPosted(Conflict):
    code = "already_posted"
    default_message = _("This document is already in T+.")


class ErpNotConnected(DomainError):
    """A call a person asked for needs T+, and no connection is filled in yet."""

    code = "erp_not_connected"
    http_status = 409
    default_message = _("T+ is not connected yet: fill in its address and credentials first.")


class ErpUnreachable(DomainError):
    """A call a person asked for (pull, test) found T+ unavailable; the message says why."""

    code = "erp_unavailable"
    http_status = 503
    default_message = _("T+ did not answer.")
