"""The rendered-page check: every page (every URL pattern that takes no argument, and those whose
arguments demo ids fill) as every demo role, in Chinese — no English words or raw codes on it
outside an allow-list, and never a server error."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.support.pages import foreign_words, page_urls, where

pytestmark = pytest.mark.slow

ROLES = [
    "admin",
    "manager",
    "sales_east",
    "planner",
    "supervisor",
    "operator",
    "qc",
    "warehouse",
    "purchasing",
    "finance",
]


# fields whose value is a list of codes the user types, with the codes named in the hint
PAGE_ALLOWED = {"/analytics/segments/settings/": {"manager", "sales", "inapp", "wecom"}}


@pytest.mark.parametrize("username", ROLES)
def test_every_page_is_chinese_and_answers(demo_factory, username, db):
    ids = demo_factory.ids
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(get_user_model().objects.get(username=username))
    usernames = {u.lower() for u in get_user_model().objects.values_list("username", flat=True)}
    problems = []
    for url in page_urls(ids):
        response = client.get(url)
        if response.status_code >= 500:
            problems.append(f"{url}: {response.status_code}")
            continue
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode("utf-8", "replace")
        words = foreign_words(html, usernames | PAGE_ALLOWED.get(url, set()))
        problems.extend(f"{url}: {word} in «{where(html, word)}»" for word in sorted(words))

    assert not problems, "\n".join(problems)
