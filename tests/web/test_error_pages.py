import logging
import sys

from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory

from zhongshu.core.logfilters import OneLineRefusals
from zhongshu.web.views.errors import server_error


def _request_log(caplog):
    return [r for r in caplog.records if r.name == "django.request"]


def test_a_missing_page_is_in_the_layout_in_chinese_with_a_way_home(client_as, sales_east):
    response = client_as(sales_east).get(
        "/orders/999999/", HTTP_REFERER="http://testserver/orders/"
    )

    html = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="zh-hans">' in html
    assert 'class="mainnav"' in html
    assert "页面不存在" in html
    assert 'href="http://testserver/orders/"' in html  # back to where the user came from
    assert "Not Found" not in html


def test_a_refusal_shows_its_reason_and_logs_one_line(client_as, sales_east, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client_as(sales_east).get("/users/")

    html = response.content.decode()
    assert response.status_code == 403
    assert "没有权限" in html
    assert 'class="mainnav"' in html
    assert "403 Forbidden" not in html
    [record] = _request_log(caplog)
    assert record.getMessage() == "Forbidden (Permission denied): /users/"
    assert record.exc_info is None
    assert "Traceback" not in caplog.text


def test_a_missing_record_logs_one_line(client_as, sales_east, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        client_as(sales_east).get("/orders/999999/")

    [record] = _request_log(caplog)
    assert record.getMessage() == "Not Found: /orders/999999/"
    assert "Traceback" not in caplog.text


def test_server_errors_keep_their_traceback():
    try:
        raise ValueError("boom")
    except ValueError:
        exc_info = sys.exc_info()
    record = logging.LogRecord("django.request", logging.ERROR, "x", 1, "m", (), exc_info)
    record.status_code = 500
    refusal = logging.LogRecord("django.request", logging.WARNING, "x", 1, "m", (), exc_info)
    refusal.status_code = 403

    OneLineRefusals().filter(record)
    OneLineRefusals().filter(refusal)

    assert record.exc_info is exc_info
    assert refusal.exc_info is None


def test_a_failed_csrf_check_says_to_reload(sales_east):
    client = Client(enforce_csrf_checks=True)
    client.force_login(sales_east)

    response = client.post("/orders/new/", {})

    html = response.content.decode()
    assert response.status_code == 403
    assert "表单已过期" in html
    assert "CSRF verification failed" not in html


def test_the_server_error_page_is_in_the_layout(db):
    request = RequestFactory().get("/orders/")
    request.user = AnonymousUser()
    request.LANGUAGE_CODE = "zh-hans"

    response = server_error(request)

    html = response.content.decode()
    assert response.status_code == 500
    assert "出错了" in html
    assert 'href="/"' in html


def test_the_api_keeps_its_json_error_shape(db):
    response = Client().get("/api/v1/no-such-thing")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
