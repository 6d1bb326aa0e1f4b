"""The API and the pages: flows CRUD, requests, decide, withdraw, delegations, attachments
(size and type by content, 404 for people who may not see the request), query counts."""

import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import timezone

from tests.approvals.conftest import make_flow, order_for, step
from tests.factories import CustomerFactory, RegionFactory, make_order, make_user
from zhongshu.approvals import services
from zhongshu.approvals.models import Attachment, Flow, Request

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_admin_configures_a_flow_through_the_api(world, api_as):
    api = api_as(world["admin"])
    body = {
        "name": "加急审批",
        "kinds": ["rush", "amount_above"],
        "amount_threshold": "100000",
        "steps": [
            {"name": "计划", "role": "planner"},
            {"name": "经理", "role": "manager", "when": "only_if",
             "condition": {"field": "amount", "op": "gt", "value": 50000},
             "time_limit_hours": 8, "deputy_user": "a.admin"},
        ],
    }  # fmt: skip
    r = api.post("/api/v1/approvals/flows", body)
    assert r.status_code == 201, r.content
    flow = r.json()
    assert [s["name"] for s in flow["steps"]] == ["计划", "经理"]
    assert flow["steps"][1]["deputy_user"] == "a.admin"
    # a bad flow lists every problem at once
    bad = api.post("/api/v1/approvals/flows", {"name": "", "kinds": ["amount_above"],
                                                "steps": [{"name": "x"}]})  # fmt: skip
    assert bad.status_code == 422
    fields = {e["field"] for e in bad.json()["details"]["errors"]}
    assert {"name", "amount_threshold", "steps[0].role"} <= fields
    # update with a stale version is refused
    r = api._call("put", f"/api/v1/approvals/flows/{flow['id']}", {**body, "version": 99})
    assert r.status_code == 409
    r = api._call(
        "put", f"/api/v1/approvals/flows/{flow['id']}", {**body, "name": "改名", "version": 1}
    )
    assert r.status_code == 200 and r.json()["name"] == "改名"
    # sales may not configure
    assert api_as(world["sales"]).get("/api/v1/approvals/flows").status_code == 403


def test_request_decide_withdraw_over_the_api(world, api_as):
    make_flow(world["admin"], ["rush"], [step("经理", role="manager")])
    order = order_for(world, status="pending_review", priority="urgent")
    sales = api_as(world["sales"])
    r = sales.post("/api/v1/approvals/requests",
                   {"order_id": order.pk, "kind": "rush", "reason": "客户停线"})  # fmt: skip
    assert r.status_code == 201, r.content
    rid = r.json()["id"]
    # a second one of the same kind is refused
    again = sales.post("/api/v1/approvals/requests",
                       {"order_id": order.pk, "kind": "rush", "reason": "再来"})  # fmt: skip
    assert again.status_code == 409 and again.json()["code"] == "request_exists"
    manager = api_as(world["manager"])
    waiting = manager.get("/api/v1/approvals/waiting").json()
    assert [i["id"] for i in waiting["items"]] == [rid]
    r = manager.post(f"/api/v1/approvals/requests/{rid}/decide",
                     {"verdict": "approve", "comment": "同意", "version": 1})  # fmt: skip
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "approved"
    assert r.json()["steps"][0]["decisions"][0]["comment"] == "同意"
    # deciding again: 409, withdrawing an approved one: 409
    r = manager.post(f"/api/v1/approvals/requests/{rid}/decide", {"verdict": "approve"})
    assert r.status_code == 409 and r.json()["code"] == "request_not_pending"
    assert sales.post(f"/api/v1/approvals/requests/{rid}/withdraw").status_code == 409
    # confirm goes through now
    r = api_as(world["planner"]).post(
        f"/api/v1/orders/{order.pk}/transitions", {"action": "confirm", "version": order.version}
    )
    assert r.status_code in (200, 201), r.content


def test_confirm_refused_with_a_clear_409(world, api_as):
    make_flow(world["admin"], ["rush"], [step("经理", role="manager")])
    order = order_for(world, status="pending_review", priority="critical")
    r = api_as(world["planner"]).post(
        f"/api/v1/orders/{order.pk}/transitions", {"action": "confirm", "version": order.version}
    )
    assert r.status_code == 409
    body = r.json()
    assert body["code"] == "approval_required"
    assert body["details"]["kinds"] == ["rush"]
    assert body["details"]["request_url"].startswith("/approvals/new/?order=")


def test_attachments_limits_and_idor(world, api_as, settings):
    make_flow(world["admin"], ["rush"], [step("经理", users=["m.manager"])])
    order = order_for(world, status="pending_review", priority="urgent")
    req = services.request_create(actor=world["sales"], order_id=order.pk, kind="rush",
                                  reason="图纸")  # fmt: skip
    sales = _login(world["sales"])
    url = f"/api/v1/approvals/requests/{req.pk}/attachments"

    def up(name, content):
        return sales.post(url, {"file": _file(name, content)})

    # a PDF named .png is stored as what it is, with a clean name
    r = up("../../etc/图纸 v2?.png", PDF)
    assert r.status_code == 201, r.content
    att = Attachment.objects.get()
    assert (att.name, att.content_type) == ("图纸_v2.pdf", "application/pdf")
    assert att.file.name.startswith("approvals/")
    # an executable named .pdf is refused; so is a file over the limit
    assert up("x.pdf", b"MZ\x90\x00" + b"\x00" * 100).status_code == 422
    from zhongshu.approvals.services import attachments as svc

    settings_limit = svc.MAX_ATTACHMENT_BYTES
    svc.MAX_ATTACHMENT_BYTES = 50
    try:
        assert up("big.png", PNG).status_code == 422
    finally:
        svc.MAX_ATTACHMENT_BYTES = settings_limit
    assert Attachment.objects.count() == 1
    # the approver downloads it; someone in another region gets 404, not 403
    got = _login(world["manager"]).get(f"/api/v1/approvals/attachments/{att.pk}")
    assert got.status_code == 200 and b"".join(got.streaming_content) == PDF
    north_sales = make_user("sales", regions=("华北",))
    assert _login(north_sales).get(f"/api/v1/approvals/attachments/{att.pk}").status_code == 404
    assert _login(north_sales).get(f"/approvals/attachments/{att.pk}/").status_code == 404
    assert _login(north_sales).get(f"/approvals/{req.pk}/").status_code == 404
    assert _login(world["sales"]).get(f"/approvals/attachments/{att.pk}/").status_code == 200


def _file(name, content):
    f = io.BytesIO(content)
    f.name = name
    return f


def test_delegation_api(world, api_as):
    api = api_as(world["manager"])
    now = timezone.now()
    r = api.post("/api/v1/approvals/delegations", {
        "to_user": "p.planner", "starts_at": now.isoformat(),
        "ends_at": (now + dt.timedelta(days=3)).isoformat(), "note": "出差",
    })  # fmt: skip
    assert r.status_code == 201, r.content
    bad = api.post("/api/v1/approvals/delegations", {
        "to_user": "m.manager", "starts_at": now.isoformat(), "ends_at": now.isoformat(),
    })  # fmt: skip
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["details"]["errors"]} == {"to_user", "ends_at"}
    did = r.json()["id"]
    # only the giver ends it
    assert (
        api_as(world["planner"]).post(f"/api/v1/approvals/delegations/{did}/revoke").status_code
        == 404
    )
    r = api.post(f"/api/v1/approvals/delegations/{did}/revoke")
    assert r.status_code == 200 and r.json()["revoked_at"]


def test_phone_pages_approve_in_one_tap(world):
    make_flow(world["admin"], ["design_change"], [step("经理", role="manager")])
    order = order_for(world, status="confirmed", bolts="10", shafts="4")
    sales = _login(world["sales"])
    # sales ask from the order page's panel
    page = sales.get(f"/orders/{order.pk}/").content.decode()
    assert f"/approvals/new/?order={order.pk}&amp;kind=design_change" in page
    r = sales.post(f"/approvals/new/?order={order.pk}", {
        "order": order.pk, "kind": "design_change", "reason": "客户改图",
        "qty-1": "20", "qty-2": "4", "drawing_revision": "C",
        "file": _file("rev-c.pdf", PDF),
    })  # fmt: skip
    req = Request.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/approvals/{req.pk}/"
    assert req.payload == {"drawing_revision": "C", "lines": [{"line_no": 1, "quantity": "20"}]}
    assert req.attachments.count() == 1
    manager = _login(world["manager"])
    home = manager.get("/approvals/").content.decode()
    assert f'href="/approvals/{req.pk}/"' in home
    detail = manager.get(f"/approvals/{req.pk}/").content.decode()
    assert "ap-diff" in detail and "10.000" in detail and "20" in detail
    r = manager.post(f"/approvals/{req.pk}/decide/", {"verdict": "approve", "version": "1"})
    assert r.status_code == 302
    req.refresh_from_db()
    assert req.status == "approved"
    assert order.lines.get(line_no=1).quantity == 20


def test_flow_admin_pages(world):
    admin = _login(world["admin"])
    assert admin.get("/approvals/flows/new/").status_code == 200
    r = admin.post("/approvals/flows/new/", {
        "name": "改图", "kinds": ["design_change"], "active": "1",
        "s0-name": "计划", "s0-role": "planner", "s0-mode": "any", "s0-when": "always",
        "s1-name": "经理", "s1-role": "manager", "s1-mode": "all", "s1-when": "only_if",
        "s1-cfield": "amount", "s1-cop": "gt", "s1-cvalue": "50000",
        "s1-limit": "24", "s1-deputy_role": "admin",
    })  # fmt: skip
    assert r.status_code == 302, r.content.decode()[:2000]
    flow = Flow.objects.get(name="改图")  # the shipped flow is there too, switched off
    assert [(s.name, s.mode, s.when) for s in flow.steps.all()] == [
        ("计划", "any", "always"),
        ("经理", "all", "only_if"),
    ]
    assert admin.get(f"/approvals/flows/{flow.pk}/").status_code == 200
    # an invalid post re-renders with the errors (no 500)
    r = admin.post(f"/approvals/flows/{flow.pk}/", {"name": "", "version": "1"})
    assert r.status_code == 422
    assert _login(world["sales"]).get("/approvals/flows/").status_code == 403


@pytest.mark.parametrize("n", [3, 30])
def test_lists_run_a_bounded_number_of_queries(world, api_as, django_assert_max_num_queries, n):
    make_flow(world["admin"], ["cancel_after_confirm"], [step("经理", role="manager")])
    region = RegionFactory(name="华东")
    for _i in range(n):
        o = make_order(
            actor=world["sales"],
            customer=CustomerFactory(region=region),
            lines=[{"material": "M-SHAFT", "quantity": "1"}],
            status="confirmed",
        )
        services.request_create(actor=world["sales"], order_id=o.pk,
                                kind="cancel_after_confirm", reason="撤")  # fmt: skip
    api = api_as(world["manager"])
    client = _login(world["manager"])
    with django_assert_max_num_queries(8):
        r = api.get("/api/v1/approvals/waiting")
    assert r.json()["count"] == n
    with django_assert_max_num_queries(8):
        r = api.get("/api/v1/approvals/requests")
    assert r.json()["count"] == n
    with django_assert_max_num_queries(25):
        page = client.get("/approvals/")
    assert page.content.decode().count('class="card ap-card"') == n


def test_file_types_are_read_from_the_content():
    import xlsxwriter

    from zhongshu.approvals.services import sniff

    book = io.BytesIO()
    wb = xlsxwriter.Workbook(book)
    wb.add_worksheet().write(0, 0, "图号")
    wb.close()
    assert sniff(book.getvalue()[:4096])[1] == "xlsx"
    assert sniff(PDF)[1] == "pdf" and sniff(PNG)[1] == "png"
    assert sniff(b"\xff\xd8\xff\xe0" + b"\x00" * 20)[1] == "jpg"
    assert sniff(b"AC1032" + b"\x00" * 20)[1] == "dwg"
    assert sniff(b"  0\nSECTION\n  2\nHEADER\n")[1] == "dxf"
    # a word document, a plain zip, a script, an executable: refused
    assert sniff(b"PK\x03\x04" + b"[Content_Types].xml word/document.xml") is None
    assert sniff(b"PK\x03\x04" + b"\x00" * 40) is None
    assert sniff(b"<script>alert(1)</script>") is None
    assert sniff(b"MZ\x90\x00") is None


def test_header_badges_count_in_one_query(world, django_assert_num_queries):
    from django.test import RequestFactory

    from zhongshu.web.context_processors import navigation

    make_flow(world["admin"], ["rush"], [step("经理", role="manager")])
    for _i in range(2):
        order = order_for(world, status="pending_review", priority="urgent")
        services.request_create(actor=world["sales"], order_id=order.pk, kind="rush", reason="急")
    request = RequestFactory().get("/")
    request.user = type(world["manager"]).objects.get(pk=world["manager"].pk)
    navigation(request)  # roles are looked up once per request
    request.user.__dict__.pop("_approvals_waiting_count", None)
    with django_assert_num_queries(1):
        badges = navigation(request)["badges"]
    # two requests wait, and each sent the manager an unread in-app message
    assert badges == {"inbox": 2, "approvals": 2, "followups": 0}
    # the dashboard counted already on this page: the badge reuses the figure
    from zhongshu.analytics import sources

    assert sources.awaiting_approval(request.user) == 2
    page = _login(world["manager"]).get("/approvals/").content.decode()
    assert '审批 <span class="badge">2</span>' in page
