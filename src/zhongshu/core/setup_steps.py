"""The go-live checklist's steps, each registered by the app that owns what it counts.

An app declares its steps in its ``registrations`` module (``setup_step("warehouses", position=30,
label=…, count=lambda: Warehouse.objects.filter(is_active=True).count(), url="inventory:warehouse_list")``),
so the checklist never names an app. A step is done when its count is above zero unless it says
otherwise (``done``); ``detail`` adds a line such as how many users still lack a contact id.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SetupStep:
    key: str
    position: int
    label: Any  # lazy text
    count: Callable[[], int]
    url: str  # a URL name (``inventory:warehouse_list``) or a path
    hint: Any = ""
    done: Callable[[int], bool] | None = None
    detail: Callable[[], Any] | None = None


_STEPS: dict[str, SetupStep] = {}


def setup_step(
    key: str, *, position: int, label: Any, count: Callable[[], int], url: str, **extra: Any
) -> None:
    """Declare (or re-declare) the checklist step ``key``."""
    _STEPS[key] = SetupStep(key, position, label, count, url, **extra)


def steps() -> list[SetupStep]:
    return sorted(_STEPS.values(), key=lambda s: (s.position, s.key))
