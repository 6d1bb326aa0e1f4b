"""Secrets at rest: one scheme, a purpose label per use, tampering and other labels refused."""

from zhongshu.channels import crypto as channel_crypto
from zhongshu.core import crypto


def test_a_secret_round_trips_under_its_own_label_only():
    token = crypto.encrypt("T+ 令牌 abc")
    assert token.startswith("v1:") and "abc" not in token
    assert crypto.decrypt(token) == "T+ 令牌 abc"
    assert channel_crypto.decrypt(token) is None  # another purpose's key
    shop = channel_crypto.encrypt("shop-secret")
    assert channel_crypto.decrypt(shop) == "shop-secret"
    assert crypto.decrypt(shop) is None


def test_a_tampered_or_foreign_token_is_refused(settings):
    token = crypto.encrypt("secret")
    raw = token[:-4] + ("AAAA" if token[-4:] != "AAAA" else "BBBB")
    assert crypto.decrypt(raw) is None
    assert crypto.decrypt("v2:abc") is None
    settings.SECRET_KEY = "another-installation"
    assert crypto.decrypt(token) is None
