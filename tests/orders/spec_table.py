"""SPEC §2/§3 written out by hand: the expected behaviour the order core is tested against.

Nothing here is derived from ``zhongshu.orders.statuses`` or ``zhongshu.accounts.permissions``;
the tests compare those against this table.
"""

from tests.support.matrix import ROLES as MATRIX_ROLES

STATES = [
    "draft",
    "pending_review",
    "confirmed",
    "scheduling",
    "in_production",
    "awaiting_qc",
    "shipped",
    "completed",
    "cancelled",
]

ROLES = list(MATRIX_ROLES)  # the roles of SPEC §2, in the order of every matrix

BEFORE_SHIPPED = [
    "draft",
    "pending_review",
    "confirmed",
    "scheduling",
    "in_production",
    "awaiting_qc",
]

# action: (sources, target, roles, reason required, timestamp set on first arrival)
# The administrator holds every permission (SPEC §2: "may not: —").
TABLE = {
    "submit": (["draft"], "pending_review", ["sales", "admin"], False, "submitted_at"),
    # the reviewer sends an order back to sales with a reason
    "reject": (["pending_review"], "draft", ["planner", "manager", "admin"], True, None),
    "confirm": (["pending_review"], "confirmed", ["planner", "manager", "admin"], False, "confirmed_at"),
    "schedule": (["confirmed"], "scheduling", ["planner", "admin"], False, "scheduled_at"),
    # "automatic when the first task starts": a task may start before planning finished
    "start": (["confirmed", "scheduling"], "in_production", ["supervisor", "operator", "admin"], False, "production_started_at"),
    "finish": (["in_production"], "awaiting_qc", ["supervisor", "admin"], False, "production_finished_at"),
    "qc_fail": (["awaiting_qc"], "in_production", ["qc", "admin"], True, None),
    # stock-only orders skip production and ship once confirmed (SPEC §4 fulfilment "stock")
    "ship": (["confirmed", "awaiting_qc"], "shipped", ["warehouse", "admin"], False, "shipped_at"),
    "complete": (["shipped"], "completed", ["sales", "finance", "admin"], False, "completed_at"),
    "cancel": (BEFORE_SHIPPED, "cancelled", ["sales", "planner", "manager", "admin"], True, "cancelled_at"),
}  # fmt: skip

ACTIONS = list(TABLE)

# Which orders each role sees (SPEC §2). Sales: their regions (the matrix uses an order of the
# sales user's own region). Operators work on tasks, not orders.
VISIBLE = {
    "admin": STATES,
    "manager": STATES,
    "planner": STATES,
    "warehouse": STATES,
    "purchasing": STATES,
    "finance": STATES,
    "sales": STATES,
    "supervisor": ["confirmed", "scheduling", "in_production", "awaiting_qc"],
    "qc": ["in_production", "awaiting_qc", "shipped", "completed"],
    "operator": [],
}

# Sales cancel only their own orders and only before confirmation.
SALES_CANCEL_STATES = ["draft", "pending_review"]

TIMESTAMP_OF_STATUS = {
    "pending_review": "submitted_at",
    "confirmed": "confirmed_at",
    "scheduling": "scheduled_at",
    "in_production": "production_started_at",
    "awaiting_qc": "production_finished_at",
    "shipped": "shipped_at",
    "completed": "completed_at",
    "cancelled": "cancelled_at",
}

EDGES = {(s, TABLE[a][1], a) for a in TABLE for s in TABLE[a][0]}


def role_may(role: str, action: str, state: str, *, own: bool = True) -> bool:
    """May ``role`` fire ``action`` on a visible order in ``state`` (ignoring the state check)?"""
    if role not in TABLE[action][2]:
        return False
    if action == "cancel" and role == "sales":
        return own and state in SALES_CANCEL_STATES
    return True


def expected(role: str, state: str, action: str) -> tuple[str, object]:
    """("ok", target) | ("error", (http_status, code)) for a single-role user."""
    if role == "operator":
        return "error", (403, "forbidden")  # may not look at orders at all
    if state not in VISIBLE[role]:
        return "error", (404, "not_found")
    if not role_may(role, action, state):
        return "error", (403, "forbidden")
    sources, target, _roles, _reason, _ts = TABLE[action]
    if state not in sources:
        return "error", (409, "illegal_transition")
    return "ok", target


def expected_allowed(role: str, state: str) -> list[str]:
    return [
        a
        for a in ACTIONS
        if state in TABLE[a][0] and role_may(role, a, state) and state in VISIBLE[role]
    ]
