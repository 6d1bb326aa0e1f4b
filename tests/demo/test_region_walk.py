"""The region walk: on the demo factory, a sales user of one region GETs every API route and every
web page that takes no argument (and those whose one argument is a material, customer or order the
user may reach), and finds no order number of another region anywhere in the answers."""

import re

import pytest
from django.contrib.auth import get_user_model

from tests.conftest import ApiClient
from tests.factories import PASSWORD
from tests.support.routes import fill_route, url_patterns
from zhongshu.api import api
from zhongshu.catalog.models import Material
from zhongshu.orders.models import Order

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

SKIP_PREFIXES = ("/api/v1/openapi", "/api/v1/docs", "/static/", "/media/", "/admin/")


def test_a_sales_user_sees_nothing_of_another_region(demo_factory, client, db):
    user = get_user_model().objects.get(username="sales_east")
    user.set_password(PASSWORD)
    user.save()
    mine = Order.objects.filter(customer__region__name="华东")
    other = Order.objects.exclude(customer__region__name="华东")
    assert mine.exists() and other.exists()
    foreign = re.compile(
        "|".join(re.escape(n) + r"(?![0-9])" for n in other.values_list("number", flat=True))
    )
    own_order = mine.order_by("-id").first()
    material = Material.objects.filter(
        pk__in=other.values("lines__material")
    ).first()  # a material ordered in other regions too
    values = {
        "code": material.code,
        "material": material.code,
        "material_code": material.code,
        "number": own_order.number,
        "order_id": own_order.pk,
        "pk": own_order.pk,
        "id": own_order.pk,
    }
    leaks = []

    # the API
    rest = ApiClient(user)
    schema = api.get_openapi_schema(
        path_prefix="/api/v1/"
    )  # the trailing / keeps nested routers' paths whole
    for path, ops in schema["paths"].items():
        if "get" not in ops or path.startswith(SKIP_PREFIXES):
            continue
        url = re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), "")), path)
        if "//" in url or (url.endswith("/") and not path.endswith("/")):
            continue
        for query in ({}, {"order": own_order.number}, {"material": material.code}):
            r = rest.get(url, query)
            if getattr(r, "streaming", False):  # downloads: their rows are the exports' matrix
                continue
            if r.status_code < 300 and foreign.search(r.content.decode("utf-8", "replace")):
                leaks.append(f"GET {url} {query}: {foreign.search(r.content.decode()).group()}")

    # the web pages
    client.force_login(user)
    seen = set()
    for route, _pattern in url_patterns():
        url = fill_route(route, values)
        if url is None or url in seen or url.startswith(SKIP_PREFIXES) or "/api/" in url:
            continue
        seen.add(url)
        if any(word in url for word in ("logout", "/export", ".xlsx", ".csv", ".pdf")):
            continue
        r = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        if r.status_code < 300 and "html" in r.get("Content-Type", ""):
            hit = foreign.search(r.content.decode("utf-8", "replace"))
            if hit:
                leaks.append(f"GET {url}: {hit.group()}")
    assert not leaks, "\n".join(leaks)
