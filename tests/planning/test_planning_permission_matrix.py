"""The planning permission matrix: every role × every planning action (API and web), with the
exact status, written out by hand. A refused request changes nothing; an allowed write does.
Planning data has no region: own/other region does not change any answer (sales is tested with
a region of its own)."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.test import Client

from tests.factories import MaterialFactory, make_user, make_warehouse
from tests.support.matrix import ROLES
from zhongshu.inventory.models import StockLevel
from zhongshu.planning.models import (
    ForecastRun,
    MrpRun,
    PlanningParameters,
    PurchaseOrder,
    PurchaseSuggestion,
)

VIEW = {"admin", "manager", "planner", "purchasing"}
RUN = {"admin", "planner", "purchasing"}
DECIDE = {"admin", "purchasing"}
CONFIGURE = {"admin", "planner", "purchasing"}
PO_VIEW = VIEW | {"warehouse"}
RECEIVE = {"admin", "warehouse"}
PROMISE = {"admin", "manager", "planner", "sales"}
# answers that differ from the action's refused status for one role
SPECIAL = {("web_list", "warehouse"): 302}  # sent on to the purchase orders it may receive

# action: (who may, via, method, path, body, status when allowed, status when refused)
ACTIONS = {
    "api_list": (VIEW, "api", "get", "/api/v1/planning/suggestions", None, 200, 403),
    "api_get": (VIEW, "api", "get", "/api/v1/planning/suggestions/{S}", None, 200, 403),
    "api_export": (VIEW, "api", "get", "/api/v1/planning/suggestions/export.xlsx", None, 200, 403),
    "api_run": (RUN, "api", "post", "/api/v1/planning/runs", {}, 201, 403),
    "api_accept": (DECIDE, "api", "post", "/api/v1/planning/suggestions/{S}/accept", {}, 201, 403),
    "api_dismiss": (DECIDE, "api", "post", "/api/v1/planning/suggestions/{S}/dismiss",
                    {"reason": "价格过高"}, 200, 403),
    "api_edit": (DECIDE, "api", "patch", "/api/v1/planning/suggestions/{S}", {"quantity": "9"},
                 200, 403),
    "api_po_list": (PO_VIEW, "api", "get", "/api/v1/planning/purchase-orders", None, 200, 403),
    "api_po_get": (PO_VIEW, "api", "get", "/api/v1/planning/purchase-orders/{P}", None, 200, 403),
    "api_po_receive": (RECEIVE, "api", "post", "/api/v1/planning/purchase-orders/{P}/receive",
                       {"quantity": "4"}, 200, 403),
    "api_po_cancel": (DECIDE, "api", "post", "/api/v1/planning/purchase-orders/{P}/cancel",
                      {"reason": "改单"}, 200, 403),
    "api_forecasts": (VIEW, "api", "get", "/api/v1/planning/forecasts", None, 200, 403),
    "api_forecast_run": (RUN, "api", "post", "/api/v1/planning/forecasts/runs", {}, 201, 403),
    "api_promise": (PROMISE, "api", "post", "/api/v1/planning/promise",
                    {"lines": [{"material": "RAW-1", "quantity": "2"}]}, 200, 403),
    "api_promise_get": (PROMISE, "api", "get", "/api/v1/planning/promise?material=RAW-1&quantity=2",
                        None, 200, 403),
    "api_po_create": (DECIDE, "api", "post", "/api/v1/planning/purchase-orders",
                      {"material": "RAW-1", "quantity": "5", "due_date": "2030-01-10"}, 201, 403),
    "api_params": (CONFIGURE, "api", "put", "/api/v1/planning/parameters/RAW-1",
                   {"min_order_qty": "10", "order_multiple": "5"}, 200, 403),
    "web_list": (VIEW, "web", "get", "/planning/", None, 200, 403),
    "web_pos": (PO_VIEW, "web", "get", "/planning/purchase-orders/", None, 200, 403),
    "web_receive": (RECEIVE, "web", "post", "/planning/purchase-orders/{P}/receive/",
                    {"quantity": "4"}, 302, 403),
    "web_cancel": (DECIDE, "web", "post", "/planning/purchase-orders/{P}/cancel/",
                   {"reason": "改单"}, 302, 403),
    "web_forecasts": (VIEW, "web", "get", "/planning/forecasts/", None, 200, 403),
    "web_forecast_run": (RUN, "web", "post", "/planning/forecasts/run/", {}, 302, 403),
    "web_export": (VIEW, "web", "get", "/planning/export.xlsx", None, 200, 403),
    "web_run": (RUN, "web", "post", "/planning/run/", {}, 302, 403),
    "web_accept": (DECIDE, "web", "post", "/planning/suggestions/{S}/accept/", {}, 302, 403),
    "web_dismiss": (DECIDE, "web", "post", "/planning/suggestions/{S}/dismiss/",
                    {"reason": "库存足够"}, 302, 403),
    "web_edit": (DECIDE, "web", "post", "/planning/suggestions/{S}/edit/", {"quantity": "9"},
                 302, 403),
}  # fmt: skip
WRITES = {"api_run", "api_accept", "api_dismiss", "api_edit", "api_po_create", "api_params",
          "api_po_receive", "api_po_cancel", "api_forecast_run",
          "web_run", "web_accept", "web_dismiss", "web_edit", "web_receive", "web_cancel",
          "web_forecast_run"}  # fmt: skip


def _world():
    make_warehouse()
    raw = MaterialFactory(code="RAW-1", kind="raw")
    run = MrpRun.objects.create()
    s = PurchaseSuggestion.objects.create(
        run=run, material=raw, quantity=D(12), net_requirement=D(12),
        order_by=dt.date(2030, 1, 3), need_date=dt.date(2030, 1, 10), reason="demand",
    )  # fmt: skip
    po = PurchaseOrder.objects.create(
        number="PO-M1", material=raw, quantity=D(10), due_date=dt.date(2030, 1, 5)
    )
    return s, po


def _state():
    return (
        MrpRun.objects.count(),
        list(PurchaseSuggestion.objects.order_by("id").values_list(
            "status", "quantity", "dismiss_reason", "edited")),
        list(PurchaseOrder.objects.order_by("id").values_list("status", "received_quantity")),
        list(PlanningParameters.objects.values_list("min_order_qty", "order_multiple")),
        ForecastRun.objects.count(),
        list(StockLevel.objects.values_list("on_hand", flat=True)),
    )  # fmt: skip


def _call(client, via, method, path, body, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    fn = getattr(client, method)
    if via == "api" and method != "get":
        import json

        return fn(path, json.dumps(body), content_type="application/json", headers=headers)
    return fn(path, body or {}, headers=headers)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS)
def test_matrix(db, api_as, role, action):
    allowed_roles, via, method, path, body, ok, refused = ACTIONS[action]
    s, po = _world()
    user = make_user(role, regions=("华东",) if role == "sales" else ())
    path = path.replace("{S}", str(s.pk)).replace("{P}", str(po.pk))
    if via == "api":
        client = api_as(user)
        response = client._call(method, path, body)
    else:
        client = Client()
        client.force_login(user)
        response = _call(client, via, method, path, body)
    allowed = role in allowed_roles
    expected = ok if allowed else SPECIAL.get((action, role), refused)
    assert response.status_code == expected, response.content[:300]
    after = _state()
    pristine = (1, [("new", D(12), "", False)], [("open", D(0))], [], 0, [])
    if action in WRITES and allowed:
        assert after != pristine
    else:
        assert after == pristine


@pytest.mark.parametrize(
    "method, path",
    [("get", "/api/v1/planning/suggestions"), ("post", "/api/v1/planning/runs")],
)
def test_anonymous_api_is_401_and_web_redirects_to_login(db, method, path):
    assert getattr(Client(), method)(path, content_type="application/json").status_code == 401
    assert Client().get("/planning/").status_code == 302
    assert MrpRun.objects.count() == 0
