import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Argon2 is right for production and slow for the many test users made here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def dashboard_uncached(settings):
    """Every request computes the KPIs afresh (the short per-scope cache has its own tests)."""
    settings.DASHBOARD_CACHE_SECONDS = 0
    cache.clear()
    yield
    cache.clear()
