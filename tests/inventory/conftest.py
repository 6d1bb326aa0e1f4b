import pytest

from tests.factories import make_user, make_warehouse


@pytest.fixture
def warehouse(db):
    return make_warehouse("01", "成品库", is_default=True)


@pytest.fixture
def keeper(db):
    return make_user("warehouse", username="keeper")


@pytest.fixture(autouse=True)
def english():
    """Assertions here compare English messages; pages are asked for in English too."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Argon2 is right for production and slow for the many test users made here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
