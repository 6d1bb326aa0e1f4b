import pytest

from tests.orders.conftest import no_hooks  # noqa: F401  (the order core without plug-ins)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Argon2 is right for production and slow for hundreds of test users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
