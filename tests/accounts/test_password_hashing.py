"""Passwords are stored with argon2 in production (tests hash with MD5 for speed)."""

from django.contrib.auth.hashers import check_password, make_password
from django.test import override_settings

from zhongshu import settings as project_settings


def test_production_stores_passwords_with_argon2():
    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    with override_settings(PASSWORD_HASHERS=project_settings.PASSWORD_HASHERS):
        encoded = make_password("Zhongshu-test-2026")
        assert encoded.startswith("argon2$")
        assert check_password("Zhongshu-test-2026", encoded)
        assert not check_password("zhongshu-test-2026", encoded)
