import datetime as dt

from django.utils import timezone


def test_sales_creates_and_submits_an_order(api_as, sales_east, customer_east):
    from tests.factories import MaterialFactory

    material = MaterialFactory(code="M-FLANGE")
    api = api_as(sales_east)
    due = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
    r = api.post(
        "/api/v1/orders",
        {
            "customer": "C-EAST",
            "due_date": due,
            "lines": [{"material": material.code, "quantity": 2}],
        },
    )
    assert r.status_code == 201, r.json()
    order = r.json()
    assert order["status"] == "draft"
    assert order["number"].startswith(f"SO-{timezone.localdate().year}-")
    r = api.post(f"/api/v1/orders/{order['id']}/transitions", {"action": "submit"})
    assert r.status_code == 200
    assert r.json()["status"] == "pending_review"
    r = api.get(f"/api/v1/orders/{order['id']}")
    assert [e["action"] for e in r.json()["timeline"]] == ["created", "submit"]
