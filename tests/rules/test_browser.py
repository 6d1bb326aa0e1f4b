"""The rule editor in headless Chromium: the pickers follow the field, the dry run answers, the
rule saves — with the CSP in force (no inline scripts)."""

import pytest

from tests.factories import CustomerFactory, RegionFactory, make_order, make_user
from zhongshu.rules.models import Rule

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_build_a_condition_dry_run_and_save(live_server, browser, transactional_db):
    boss = make_user("manager", username="boss")
    sales = make_user("sales", regions=("华东",))
    make_order(actor=sales, customer=CustomerFactory(region=RegionFactory(name="华东")),
               priority="urgent")  # fmt: skip
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    context.add_cookies([{"name": "sessionid", "value": _session(boss), "url": live_server.url}])
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/rules/new/")
    page.fill("#id_name", "急单")
    # when a condition is added and its field set to "days to due"
    page.click("#condition-tree .group-head button >> nth=0")
    field = page.locator("#condition-tree .cond select >> nth=0")
    field.select_option("days_to_due")
    # then the operators are the number ones and the value box takes numbers
    ops = page.locator("#condition-tree .cond select >> nth=1 >> option").all_inner_texts()
    assert len(ops) == 8 and "包含" not in ops
    assert page.locator("#condition-tree .cond input").get_attribute("type") == "number"
    # when the field is priority = urgent / then the dry run finds the urgent order
    field.select_option("priority")
    page.locator("#condition-tree .cond select >> nth=2").select_option("urgent")
    page.click("text=试运行：现在有哪些未结订单匹配？")
    page.wait_for_selector("#dry-run .dry-run")
    assert "现在有 1 个未结订单匹配。" in page.inner_text("#dry-run")
    # when an action is added and the rule saved / then it is stored as built
    page.click("#action-list > button")
    page.locator("#action-list .action select >> nth=0").select_option("tag")
    page.fill("#action-list .action input[type=text]", "急")
    page.click("button[type=submit].primary")
    page.wait_for_url("**/rules/*/")
    rule = Rule.objects.get(name="急单")
    assert rule.condition == {"all": [{"field": "priority", "op": "eq", "value": "urgent"}]}
    assert rule.actions == [{"type": "tag", "tag": "急"}]
    assert [e for e in errors if "Content Security Policy" in e] == []
    context.close()


def _session(user) -> str:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    assert "django.contrib.sessions" in settings.INSTALLED_APPS
    s = SessionStore()
    s[SESSION_KEY] = str(user.pk)
    s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s.save()
    return s.session_key
