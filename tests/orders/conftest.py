from collections import defaultdict

import pytest

from zhongshu.orders import hooks


@pytest.fixture
def no_hooks(monkeypatch):
    """The order core on its own: other apps' guards and effects (stock, production, rules) are
    unplugged so the status machine is tested as SPEC §3 defines it."""
    for name in ("_guards", "_effects", "_after_commit"):
        monkeypatch.setattr(hooks, name, defaultdict(list))


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Argon2 is right for production and slow for hundreds of test users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
