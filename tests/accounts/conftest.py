from tests.api.conftest import fast_password_hashing  # noqa: F401
