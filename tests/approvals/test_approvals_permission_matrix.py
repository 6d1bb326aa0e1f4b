"""The approvals permission matrix: every role × every /api/v1/approvals endpoint and page ×
requests on orders of two regions, with the exact HTTP status (SPEC §2, §6).

Written out by hand, not derived from ``permissions.can``. A refused call changes nothing; an
allowed write changes something. A request is seen by whoever may see its order (sales: their
region; supervisor and QC: from confirmed / in production on, so not these orders awaiting
review; operators: none), by the person who asked and by those it waits for. Only the approvers
of the active step decide; only the person who asked (or an admin) withdraws or attaches files.
"""

import itertools
import tempfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from tests.factories import (
    CustomerFactory,
    MaterialFactory,
    RegionFactory,
    make_order,
    make_user,
    make_warehouse,
    put_stock,
)
from tests.support.fingerprint import Fingerprint
from tests.support.matrix import (
    ROLES,
    MatrixRunner,
    World,
    add_role_users,
    bearer,
    expand,
    module_world,
)
from zhongshu.approvals import services
from zhongshu.approvals.models import (
    Attachment,
    Decision,
    Delegation,
    Flow,
    FlowStep,
    Request,
    RequestStep,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MEDIA = tempfile.mkdtemp(prefix="zs-approvals-matrix-")


def _build() -> World:
    from zhongshu.rules.models import Rule

    Rule.objects.exclude(builtin_key="").update(enabled=False)
    w = World()
    east, north = RegionFactory(name="华东"), RegionFactory(name="华北")
    c_east = CustomerFactory(code="C-EAST", region=east)
    c_north = CustomerFactory(code="C-NORTH", region=north)
    add_role_users(w, "p_")
    make_user("manager", username="p_manager2")  # approves what p_manager asks for
    bolt = MaterialFactory(code="M-BOLT", fulfilment="stock")
    make_warehouse()
    put_stock(bolt, 1000)
    admin = w.users["admin"]
    flow = services.flow_create(
        actor=admin,
        data={"name": "加急", "kinds": ["rush"], "steps": [{"name": "经理", "role": "manager"}]},
    )

    def urgent(customer, actor):
        lines = [{"material": "M-BOLT", "quantity": "3", "unit_price": "1"}]
        return make_order(
            actor=actor, customer=customer, lines=lines, status="pending_review", priority="urgent"
        )

    e_order, n_order = urgent(c_east, w.users["sales"]), urgent(c_north, admin)
    e_req = services.request_create(
        actor=w.users["sales"], order_id=e_order.pk, kind="rush", reason="华东停线"
    )
    n_req = services.request_create(actor=admin, order_id=n_order.pk, kind="rush", reason="华北")
    att = {}
    for key, req, who in (("E", e_req, w.users["sales"]), ("N", n_req, admin)):
        upload = SimpleUploadedFile("图纸.pdf", PDF, content_type="application/pdf")
        att[key] = services.attachment_add(actor=who, request_id=req.pk, upload=upload).pk
    w.ids.update(
        FLOW=flow.pk,
        E_REQ=e_req.pk,
        N_REQ=n_req.pk,
        E_ATT=att["E"],
        N_ATT=att["N"],
        E_FREE=urgent(c_east, w.users["sales"]).pk,
        N_FREE=urgent(c_north, admin).pk,
        NO_SUCH=10**9,
    )
    return w


world = module_world(_build, MEDIA_ROOT=MEDIA)


@pytest.fixture(autouse=True)
def _media():
    with override_settings(MEDIA_ROOT=MEDIA):
        yield


fingerprint = Fingerprint(Flow, FlowStep, Request, RequestStep, Decision, Delegation, Attachment)
run = MatrixRunner(fingerprint)


_names = itertools.count(1)
A = "/api/v1/approvals"
EVERYONE = "200 200 200 200 200 200 200 200 200 200"
ADMIN_ONLY = "200 403 403 403 403 403 403 403 403 403"
# seen by the order's scope: sales only 华东; supervisor/QC not before confirm; operator none
SEE_EAST = "200 200 200 200 404 404 404 200 200 200"
SEE_NORTH = "200 200 404 200 404 404 404 200 200 200"


def _rush(key):
    return lambda w: {"order_id": w.ids[key], "kind": "rush", "reason": "客户停线"}


def _flow(w):
    return {"name": f"设计变更{next(_names)}", "kinds": ["design_change"],
            "steps": [{"name": "经理", "role": "manager", "mode": "all"}]}  # fmt: skip


def _approve(w):
    return {"verdict": "approve", "comment": "同意"}


def _delegate(w):
    return {"to_user": "p_manager2", "starts_at": "2026-01-01T08:00:00",
            "ends_at": "2027-01-01T08:00:00", "note": "出差"}  # fmt: skip


#            admin manager sales planner supervisor operator qc warehouse purchasing finance
API = [
    ("flows.list", "get", f"{A}/flows", None, ADMIN_ONLY),
    ("flows.get", "get", f"{A}/flows/{{FLOW}}", None, ADMIN_ONLY),
    ("flows.get.missing", "get", f"{A}/flows/{{NO_SUCH}}",
     None, "404 403 403 403 403 403 403 403 403 403"),
    ("flows.create", "post", f"{A}/flows", _flow, "201 403 403 403 403 403 403 403 403 403"),
    ("flows.update", "put", f"{A}/flows/{{FLOW}}",
     lambda w: {**_flow(w), "kinds": ["rush"], "version": 1}, ADMIN_ONLY),
    # a flow with requests is switched off, not deleted (the requests keep their copy)
    ("flows.delete", "delete", f"{A}/flows/{{FLOW}}",
     None, "204 403 403 403 403 403 403 403 403 403"),
    ("requests.list", "get", f"{A}/requests", None, EVERYONE),
    ("requests.waiting", "get", f"{A}/waiting", None, EVERYONE),
    ("request.get.east", "get", f"{A}/requests/{{E_REQ}}", None, SEE_EAST),
    ("request.get.north", "get", f"{A}/requests/{{N_REQ}}", None, SEE_NORTH),
    ("request.get.missing", "get", f"{A}/requests/{{NO_SUCH}}",
     None, "404 404 404 404 404 404 404 404 404 404"),
    # asking: sales, planners, managers, admins, each for the orders they see
    ("request.create.east", "post", f"{A}/requests", _rush("E_FREE"),
     "201 201 201 201 403 403 403 403 403 403"),
    ("request.create.north", "post", f"{A}/requests", _rush("N_FREE"),
     "201 201 404 201 403 403 403 403 403 403"),
    # deciding: the managers of the active step only; an admin is not an approver here
    ("request.decide.east", "post", f"{A}/requests/{{E_REQ}}/decide", _approve,
     "403 200 403 403 404 403 404 403 403 403"),
    ("request.decide.north", "post", f"{A}/requests/{{N_REQ}}/decide", _approve,
     "403 200 404 403 404 403 404 403 403 403"),
    # withdrawing: the person who asked, or an admin
    ("request.withdraw.east", "post", f"{A}/requests/{{E_REQ}}/withdraw", lambda w: {},
     "200 403 200 403 404 404 404 403 403 403"),
    ("request.withdraw.north", "post", f"{A}/requests/{{N_REQ}}/withdraw", lambda w: {},
     "200 403 404 403 404 404 404 403 403 403"),
    # attachments: served only to those who see the request (IDOR: 404, never the file)
    ("attachment.get.east", "get", f"{A}/attachments/{{E_ATT}}", None, SEE_EAST),
    ("attachment.get.north", "get", f"{A}/attachments/{{N_ATT}}", None, SEE_NORTH),
    ("delegations.list", "get", f"{A}/delegations", None, EVERYONE),
    ("delegations.create", "post", f"{A}/delegations", _delegate,
     "201 201 201 201 201 403 201 403 403 201"),
]  # fmt: skip


@pytest.mark.parametrize("case,method,path,body,role,expected", expand(API, 4))
def test_api(world, db, case, method, path, body, role, expected):
    # given a user holding exactly one role (sales: 华东 only) and the world as it is
    # when the user calls the endpoint
    outcome = run.api(world, role, method, path, body)

    # then the status is exact, a refusal changed nothing, an allowed write changed something
    outcome.expect(expected, method)
    response = outcome.response
    if case.startswith("attachment.get") and expected == 200:
        assert b"".join(response.streaming_content) == PDF


# what each role finds in the lists: (all requests visible, waiting for me)
LISTED = {
    "admin": (2, 0), "manager": (2, 2), "sales": (1, 0), "planner": (2, 0),
    "supervisor": (0, 0), "operator": (0, 0), "qc": (0, 0), "warehouse": (2, 0),
    "purchasing": (2, 0), "finance": (2, 0),
}  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
def test_lists_are_scoped(world, db, role):
    client = Client(headers=bearer(world, role))
    listed = client.get(f"{A}/requests").json()
    waiting = client.get(f"{A}/waiting").json()
    assert (len(listed["items"]), len(waiting["items"])) == LISTED[role]


@pytest.mark.parametrize(
    "role,expected",
    list(zip(ROLES, [201, 403, 201, 403, 403, 403, 403, 403, 403, 403], strict=True)),
)
def test_upload_only_by_the_person_who_asked_or_an_admin(world, db, role, expected):
    client = Client(headers=bearer(world, role))
    before = fingerprint()
    upload = SimpleUploadedFile("改图.pdf", PDF, content_type="application/pdf")
    r = client.post(f"{A}/requests/{world.ids['E_REQ']}/attachments", {"file": upload})
    assert r.status_code == expected, r.content.decode()[:300]
    assert (fingerprint() != before) == (expected == 201)


#            admin manager sales planner supervisor operator qc warehouse purchasing finance
PAGES = [
    ("waiting", "/approvals/", EVERYONE),
    ("all", "/approvals/all/", EVERYONE),
    ("mine", "/approvals/mine/", EVERYONE),
    ("detail.east", "/approvals/{E_REQ}/", SEE_EAST),
    ("detail.north", "/approvals/{N_REQ}/", SEE_NORTH),
    ("attachment.east", "/approvals/attachments/{E_ATT}/", SEE_EAST),
    ("attachment.north", "/approvals/attachments/{N_ATT}/", SEE_NORTH),
    ("flows", "/approvals/flows/", ADMIN_ONLY),
    ("flow.edit", "/approvals/flows/{FLOW}/", ADMIN_ONLY),
    ("delegations", "/approvals/delegations/", EVERYONE),
]


@pytest.mark.parametrize("case,path,role,expected", expand(PAGES, 2))
def test_pages(world, db, case, path, role, expected):
    outcome = run.page(world, role, path)
    assert outcome.response.status_code == expected
    assert outcome.after == outcome.before


#            admin manager sales planner supervisor operator qc warehouse purchasing finance
POSTS = [
    ("decide.east", "/approvals/{E_REQ}/decide/", {"verdict": "approve"},
     "403 302 403 403 404 403 404 403 403 403"),
    ("withdraw.east", "/approvals/{E_REQ}/withdraw/", {},
     "302 403 302 403 404 404 404 403 403 403"),
]  # fmt: skip


@pytest.mark.parametrize("case,path,data,role,expected", expand(POSTS, 3))
def test_page_posts(world, db, case, path, data, role, expected):
    outcome = run.page(world, role, path, "post", data)
    assert outcome.response.status_code == expected
    assert outcome.changed == (expected == 302)
