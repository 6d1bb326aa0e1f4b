"""Every route the API declares is reachable with its method: no route is shadowed by another
declared before it (``/mappings/{id}`` once captured ``/mappings/import`` and answered 405)."""

import re

import pytest
from django.test import Client

from zhongshu.api import api

pytestmark = pytest.mark.django_db


def test_no_declared_operation_answers_405():
    schema = api.get_openapi_schema(
        path_prefix="/api/v1/"
    )  # the trailing / keeps nested routers' paths whole
    client = Client()
    shadowed = []
    for path, ops in schema["paths"].items():
        url = re.sub(r"\{\w+\}", "1", path)
        for method in ops:
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            r = client.generic(method.upper(), url, b"{}", content_type="application/json")
            if r.status_code == 405:
                shadowed.append(f"{method.upper()} {path}")
    assert not shadowed, shadowed


def test_the_mappings_import_route_is_reached(api_as, admin_user_for_routes):
    r = api_as(admin_user_for_routes).client.post(
        "/api/v1/channels/mappings/import",
        {"file": _named(b"channel,channel_sku,material,multiplier\n", "m.csv")},
        headers=api_as(admin_user_for_routes).headers,
    )
    assert r.status_code != 405
    assert r.status_code in (200, 422), r.content


@pytest.fixture
def admin_user_for_routes():
    from tests.factories import make_user

    return make_user("admin", username="routes-admin")


def _named(content, name):
    import io

    f = io.BytesIO(content)
    f.name = name
    return f
