"""The permission-matrix scaffold every app's matrix shares.

A matrix is a table written out by hand (never derived from ``permissions.can``): one row per
request, the expected HTTP status of each role in the order of ``ROLES``::

    #            admin manager sales planner supervisor operator qc warehouse purchasing finance
    API = [("orders.list", "get", "/api/v1/orders", None, "200 200 200 200 200 403 200 200 200 200")]

    world = module_world(_build)          # built once per module, rolled back at its end
    fingerprint = Fingerprint(Order, …)   # what a refused request must leave as it was
    run = MatrixRunner(fingerprint)

    @pytest.mark.parametrize("case,method,path,body,role,expected", expand(API, 4))
    def test_api(world, db, case, method, path, body, role, expected):
        run.api(world, role, method, path, body).expect(expected, method)
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.test import Client, override_settings

ROLES = (
    "admin",
    "manager",
    "sales",
    "planner",
    "supervisor",
    "operator",
    "qc",
    "warehouse",
    "purchasing",
    "finance",
)
FAST_HASHING = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class World:
    users: dict = field(default_factory=dict)  # role → user (sales holds 华东 only)
    tokens: dict = field(default_factory=dict)  # role → raw Bearer token
    ids: dict = field(default_factory=dict)  # placeholder → id / code used in paths


def add_role_users(w: World, prefix: str, *, days: int = 30, sales_regions=("华东",)) -> World:
    """One user per role named ``<prefix><role>`` with a Bearer token each; only sales holds
    regions (``sales_regions``)."""
    from tests.factories import make_user
    from zhongshu.accounts.services import token_create_for

    for role in ROLES:
        regions = sales_regions if role == "sales" else ()
        w.users[role] = make_user(role, regions=regions, username=f"{prefix}{role}")
        w.tokens[role], _ = token_create_for(
            actor=w.users[role], user_id=w.users[role].pk, name="matrix", days=days
        )
    return w


def module_world(build: Callable[[], object], **settings):
    """A module-scoped ``world`` fixture: ``build()`` runs once per module inside a transaction
    that is rolled back when the module ends (fast password hashing and ``settings`` on)."""

    @pytest.fixture(scope="module")
    def world(django_db_setup, django_db_blocker):
        fast = override_settings(PASSWORD_HASHERS=FAST_HASHING, **settings)
        with django_db_blocker.unblock(), fast, transaction.atomic():
            yield build()
            transaction.set_rollback(True)

    return world


def expand(table, width: int, convert: Callable[[str], object] = int) -> list:
    """One ``pytest.param`` per row × role: the first ``width`` columns of the row, the role and
    its expected status (``convert``-ed), with the id ``<row id>-<role>``."""
    cases = []
    for row in table:
        statuses = row[-1].split()
        assert len(statuses) == len(ROLES), row[0]
        for role, status in zip(ROLES, statuses, strict=True):
            cases.append(pytest.param(*row[:width], role, convert(status), id=f"{row[0]}-{role}"))
    return cases


def mark_known(cases, known: dict[tuple[str, str], str]) -> list:
    """Mark the cases listed in ``known`` ((row id, role) → reason) as strict xfails."""
    out = []
    for case in cases:
        reason = known.get(tuple(case.id.rsplit("-", 1)))
        if reason:
            mark = pytest.mark.xfail(strict=True, reason=reason)
            case = pytest.param(*case.values, id=case.id, marks=mark)
        out.append(case)
    return out


def bearer(world, role: str) -> dict:
    return {"Authorization": f"Bearer {world.tokens[role]}"}


@dataclass
class Outcome:
    """A response with the fingerprints taken just before and just after the request."""

    response: object
    before: tuple
    after: tuple

    @property
    def changed(self) -> bool:
        return self.after != self.before

    def expect(self, expected: int, method: str, *, writes: bool = True, codes=None) -> None:
        """The status is exactly ``expected``; a refusal or a read changed nothing; an allowed
        write changed something (unless ``writes=False``); a refusal carries an error code (for
        the statuses in ``codes``, every status ≥ 400 by default)."""
        response = self.response
        body = getattr(response, "content", b"")[:300]
        assert response.status_code == expected, body.decode(errors="replace")
        if expected >= 400 or method.lower() == "get":
            assert self.after == self.before
        elif writes:
            assert self.after != self.before
        if expected >= 400 and (codes is None or expected in codes):
            assert response.json()["code"]


class MatrixRunner:
    """Sends one matrix request as a role and fingerprints the database around it."""

    def __init__(self, fingerprint: Callable[[], tuple], url=None):
        self.fingerprint = fingerprint
        self.url = url or (lambda world, path, role: path.format(**world.ids))

    def api(self, world, role: str, method: str, path: str, body=None) -> Outcome:
        """``method`` on the API with the role's Bearer token; ``body`` is a mapping or a
        function of the world."""
        kwargs = {"headers": bearer(world, role)}
        if body is not None:
            data = body(world) if callable(body) else body
            kwargs.update(data=data, content_type="application/json")
        return self._send(Client(), method, self.url(world, path, role), kwargs)

    def page(self, world, role: str, path: str, method: str = "get", data=None) -> Outcome:
        """``method`` on a web page, logged in through the session as the role's user."""
        client = Client()
        client.force_login(world.users[role])
        args = () if data is None else (data,)
        return self._send(client, method, self.url(world, path, role), {}, args)

    def _send(self, client, method, url, kwargs, args=()) -> Outcome:
        before = self.fingerprint()
        response = getattr(client, method.lower())(url, *args, **kwargs)
        return Outcome(response, before, self.fingerprint())


def request_as(api_as, user, via: str, method: str, path: str, body):
    """One row of a hand-written action matrix, sent as ``user``: through the API with a Bearer
    token (``via == "api"``) or as a signed-in page request."""
    if via == "api":
        return api_as(user)._call(method, path, body)
    client = Client()
    client.force_login(user)
    return getattr(client, method)(path, body or {})


def expect_outcome(response, *, allowed: bool, ok: int, refused: int, writes: bool, changed: bool):
    """The status the row expects for this role, and a change to the records exactly when a
    write was allowed — a refusal changes nothing."""
    assert response.status_code == (ok if allowed else refused), response.content[:300]
    assert changed == (writes and allowed), "records changed" if changed else "nothing written"


# --- the matrix over the role catalogue -------------------------------------------------------
# Rows keyed by the action that decides them, so the expected status of *any* role — shipped or
# created as data — follows from its definition (``role_definition``) and the row needs no column
# per role. A role added to the role table is covered by every row without new test code.
#         action            method  path                                  body  ok   refused
ACTION_ROWS = [
    ("orders.view", "get", "/api/v1/orders", None, 200, 403),
    ("orders.export", "get", "/api/v1/orders/export.xlsx", None, 200, 403),
    ("customers.view", "get", "/api/v1/customers", None, 200, 403),
    ("materials.view", "get", "/api/v1/materials", None, 200, 403),
    ("users.manage", "get", "/api/v1/users", None, 200, 403),
    ("users.manage", "get", "/api/v1/roles", None, 200, 403),
    ("users.manage", "get", "/api/v1/permissions/catalogue", None, 200, 403),
]


def catalogue_roles() -> list[str]:
    """Every role in the role table that can be held (shipped and created, not retired)."""
    from zhongshu.accounts.role_services import known_roles

    return sorted(known_roles())


def role_definition(code: str) -> dict:
    """The role as the catalogue states it: actions, field levels and scope."""
    from zhongshu.accounts import role_tables
    from zhongshu.accounts.models import RoleDefinition
    from zhongshu.accounts.role_services import role_view

    return role_view(RoleDefinition.objects.get(code=code), role_tables.fresh().roles)


def expected_status(definition: dict, action: str, ok: int, refused: int) -> int:
    return ok if action in definition["actions"] else refused
