"""Approval use cases: flows (admin), requests, decisions, withdrawal, escalation, delegation,
attachments. Every function checks permissions first and is one transaction.

A request copies its flow's steps when submitted (conditions evaluated against the order then),
resolves each step's approvers to people, and activates the first step. Deciding locks the
request row (``select_for_update``), so two approvers pressing at the same moment are serialised:
the second sees the state the first left and is refused if nothing waits for them any more.
The last approval applies the request's effect (design change, cancellation) in the same
transaction.
"""

from zhongshu.core.uploads import sniff  # the upload check, as the attachments use it

from ._common import (
    BEFORE_CONFIRM,
    CANCELLABLE_AFTER_CONFIRM,
    CHANGEABLE,
    EXPEDITABLE,
    ORDER_STATUS_FOR_KIND,
    User,
)
from .attachments import (
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS,
    attachment_add,
)
from .decisions import (
    decide,
    escalate_overdue,
    request_decide,
)
from .delegations import (
    delegation_create,
    delegation_revoke,
)
from .flows import (
    CONDITION_FIELDS,
    CONDITION_OPS,
    MAX_STEPS,
    NOTIFY_CHANNELS,
    NUMERIC_FIELDS,
    active_kinds,
    condition_holds,
    flow_create,
    flow_delete,
    flow_for,
    flow_update,
    order_facts,
)
from .requests import (
    request_create,
    request_withdraw,
)

__all__ = [
    "BEFORE_CONFIRM",
    "CANCELLABLE_AFTER_CONFIRM",
    "CHANGEABLE",
    "CONDITION_FIELDS",
    "CONDITION_OPS",
    "EXPEDITABLE",
    "MAX_ATTACHMENTS",
    "MAX_ATTACHMENT_BYTES",
    "MAX_STEPS",
    "NOTIFY_CHANNELS",
    "NUMERIC_FIELDS",
    "ORDER_STATUS_FOR_KIND",
    "User",
    "active_kinds",
    "attachment_add",
    "condition_holds",
    "decide",
    "delegation_create",
    "delegation_revoke",
    "escalate_overdue",
    "flow_create",
    "flow_delete",
    "flow_for",
    "flow_update",
    "order_facts",
    "request_create",
    "request_decide",
    "request_withdraw",
    "sniff",
]
