"""Requests about something other than an order (a purchase order): the app that owns the thing
registers what happens when such a request ends::

    from zhongshu.approvals import subjects
    subjects.on_finished("purchase_amount", lambda request, actor: ...)

The handler runs in the deciding (or withdrawing) transaction once the request is approved,
rejected or withdrawn (``request.status`` tells which); an error there rolls the decision back.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

from zhongshu.core.actors import Actor

if TYPE_CHECKING:
    from .models import Request

Handler = Callable[["Request", Actor], None]

_handlers: dict[str, Handler] = {}


def on_finished(kind: str, handler: Handler) -> Handler:
    _handlers[kind] = handler
    return handler


def finished(request: "Request", actor: Actor) -> None:
    handler = _handlers.get(request.kind)
    if handler is not None:
        handler(request, actor)
