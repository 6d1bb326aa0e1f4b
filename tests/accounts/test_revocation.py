"""A password reset, a password change and a deactivation end the user's API tokens and sessions,
whichever road they take (the services, the admin site, a script)."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from tests.factories import PASSWORD
from zhongshu.accounts import services

pytestmark = pytest.mark.django_db

STRONG = "Quartz-Lantern-2048"


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    assert client.get("/orders/").status_code == 200
    return client


def test_a_password_reset_revokes_tokens_and_sessions(admin_user, sales_east):
    raw, _ = services.token_create_for(actor=sales_east, user_id=sales_east.pk, name="a", days=30)
    browser = _logged_in(sales_east)
    assert services.token_user(raw) == sales_east

    services.user_reset_password(actor=admin_user, user_id=sales_east.pk, new_password=STRONG)

    assert services.token_user(raw) is None
    assert not [
        s
        for s in Session.objects.all()
        if s.get_decoded().get("_auth_user_id") == str(sales_east.pk)
    ]
    assert browser.get("/orders/").status_code == 302  # back to the login page


def test_a_password_set_by_a_script_revokes_tokens(sales_east):
    raw, _ = services.token_create_for(actor=sales_east, user_id=sales_east.pk, name="a", days=30)
    sales_east.set_password(STRONG)
    sales_east.save()
    assert services.token_user(raw) is None


def test_deactivation_ends_the_web_session(admin_user, sales_east):
    browser = _logged_in(sales_east)
    services.user_set_active(actor=admin_user, user_id=sales_east.pk, active=False)
    assert not Session.objects.exists() or all(
        s.get_decoded().get("_auth_user_id") != str(sales_east.pk) for s in Session.objects.all()
    )
    assert browser.get("/orders/").status_code == 302


def test_other_saves_and_a_rehash_at_login_keep_tokens(sales_east):
    raw, _ = services.token_create_for(actor=sales_east, user_id=sales_east.pk, name="a", days=30)
    sales_east.first_name = "x"
    sales_east.save()
    sales_east.check_password(PASSWORD)  # what login does; a re-hash would save without _password
    sales_east.password = sales_east.password  # unchanged
    sales_east.save(update_fields=["password"])
    assert services.token_user(raw) == sales_east
