from django.test import Client

from tests.factories import PASSWORD


def test_anonymous_home_redirects_to_login(db):
    response = Client().get("/")

    assert response.status_code == 302
    assert response["Location"] == "/login/"


def test_login_page_is_styled_and_in_chinese(db):
    response = Client().get("/login/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/web/app.css" in html
    assert "登录" in html


def test_login_then_home_goes_to_the_order_list(sales_east):
    client = Client()

    response = client.post("/login/", {"username": "sales_east", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"

    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/orders/"


def test_wrong_password_shows_an_error(sales_east):
    response = Client().post("/login/", {"username": "sales_east", "password": "nope"})

    assert response.status_code == 200
    assert 'class="errors"' in response.content.decode()


def test_pages_need_a_login(db):
    response = Client().get("/orders/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/orders/"


def test_logout_is_a_post_and_ends_the_session(client_as, sales_east):
    client = client_as(sales_east)
    assert 'action="/logout/" method="post"' in client.get("/orders/").content.decode()

    response = client.post("/logout/")

    assert response.status_code == 302
    assert client.get("/orders/").status_code == 302


def test_base_layout_shows_user_roles_navigation_and_csrf_header(client_as, sales_east):
    html = client_as(sales_east).get("/orders/").content.decode()

    assert "sales_east" in html
    assert "销售" in html
    assert 'href="/orders/"' in html
    assert 'href="/customers/"' in html
    assert 'href="/materials/"' in html
    assert 'hx-headers=\'{"X-CSRFToken":' in html
    assert "/static/django_htmx/htmx-2.min.js" in html
    assert "<script>" not in html  # CSP: no inline scripts
