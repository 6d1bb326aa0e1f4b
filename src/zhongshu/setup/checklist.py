"""The go-live checklist as figures: every registered step (``core.setup_steps``) counted now.
Reads only; a step whose count fails is shown as not done rather than breaking the page."""

import logging
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor
from zhongshu.core.setup_steps import steps

log = logging.getLogger(__name__)


@dataclass
class StepStatus:
    key: str
    label: str
    count: int
    done: bool
    url: str
    hint: str
    detail: str


def _url(name: str) -> str:
    if name.startswith("/"):
        return name
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def _status(step) -> StepStatus:
    try:
        count = int(step.count())
        detail = str(step.detail() or "") if step.detail else ""
    except Exception:  # a broken count must not hide the rest of the checklist
        log.exception("setup step %s could not be counted", step.key)
        count, detail = 0, ""
    done = step.done(count) if step.done else count > 0
    return StepStatus(step.key, str(step.label), count, bool(done), _url(step.url),
                      str(step.hint or ""), detail)  # fmt: skip


def checklist(*, actor: Actor) -> list[StepStatus]:
    permissions.require(actor, "setup.view")
    return [_status(s) for s in steps()]


def is_complete() -> bool:
    """Whether every step is done (the home page stops showing the checklist then)."""
    return all(_status(s).done for s in steps())
