"""The channel pages share the common layout: the app's page head, its cards and its list tables
inside a scrolling wrapper (no unstyled bare tables), in Chinese."""

import re

import pytest
from django.test import Client

from tests.factories import make_user

pytestmark = pytest.mark.django_db

PAGES = [
    "/channels/",
    "/channels/orders/",
    "/channels/accounts/",
    "/channels/mappings/",
    "/channels/routing/",
    "/channels/carriers/",
    "/channels/address-regions/",
]


@pytest.mark.parametrize("url", PAGES)
def test_channel_page_uses_the_common_layout(url):
    client = Client()
    client.force_login(make_user("admin", username="layout_admin"))

    response = client.get(url)

    assert response.status_code == 200, url
    html = response.content.decode()
    assert 'class="pagehead"' in html
    tables = re.findall(r"<table[^>]*>", html)
    assert tables, url
    assert all('class="list' in t for t in tables), tables
    assert html.count('<div class="table-wrap">') >= len(tables)
    assert "ch-scroll" not in html
