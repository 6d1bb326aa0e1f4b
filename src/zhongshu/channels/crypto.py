"""Credentials at rest: authenticated encryption with a key derived from ``settings.SECRET_KEY``.

The ``cryptography`` package (Fernet) is not part of this installation, so the scheme is built from
the standard library alone, in the same encrypt-then-MAC shape as Fernet:

* HKDF-SHA256 (RFC 5869) derives two 32-byte keys from SECRET_KEY: one for the keystream, one for
  the MAC;
* the keystream is HMAC-SHA256(enc_key, nonce ‖ counter) — a PRF in counter mode — XORed with the
  plaintext; the 16-byte nonce is random per value;
* the tag is HMAC-SHA256(mac_key, version ‖ nonce ‖ ciphertext) and is checked in constant time
  before anything is decrypted.

Token: ``v1:`` + urlsafe base64 of nonce ‖ ciphertext ‖ tag. Rotating SECRET_KEY makes stored
credentials unreadable (``decrypt`` returns ``None``): they then have to be entered again.
"""

import base64
import hashlib
import hmac
import os

from django.conf import settings

VERSION = b"v1"
INFO = b"zhongshu.channels.credentials"


def _hkdf(secret: bytes, *, length: int, info: bytes, salt: bytes = b"") -> bytes:
    prk = hmac.new(salt or b"\0" * 32, secret, hashlib.sha256).digest()
    out, block, i = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + info + bytes([i]), hashlib.sha256).digest()
        out += block
        i += 1
    return out[:length]


def _keys() -> tuple[bytes, bytes]:
    material = _hkdf(settings.SECRET_KEY.encode(), length=64, info=INFO)
    return material[:32], material[32:]


def _keystream(key: bytes, nonce: bytes, length: int) -> bytes:
    out = bytearray()
    counter = 0
    while len(out) < length:
        out += hmac.new(key, nonce + counter.to_bytes(8, "big"), hashlib.sha256).digest()
        counter += 1
    return bytes(out[:length])


def encrypt(plain: str) -> str:
    if not plain:
        return ""
    enc_key, mac_key = _keys()
    data = plain.encode()
    nonce = os.urandom(16)
    cipher = bytes(a ^ b for a, b in zip(data, _keystream(enc_key, nonce, len(data)), strict=True))
    tag = hmac.new(mac_key, VERSION + nonce + cipher, hashlib.sha256).digest()
    return "v1:" + base64.urlsafe_b64encode(nonce + cipher + tag).decode()


def decrypt(token: str) -> str | None:
    """The plaintext, or ``None`` when the token was not made with this SECRET_KEY."""
    if not token:
        return ""
    if not token.startswith("v1:"):
        return None
    try:
        raw = base64.urlsafe_b64decode(token[3:].encode())
    except ValueError:
        return None
    if len(raw) < 48:
        return None
    nonce, cipher, tag = raw[:16], raw[16:-32], raw[-32:]
    enc_key, mac_key = _keys()
    expected = hmac.new(mac_key, VERSION + nonce + cipher, hashlib.sha256).digest()
    if not hmac.compare_digest(tag, expected):
        return None
    plain = bytes(
        a ^ b for a, b in zip(cipher, _keystream(enc_key, nonce, len(cipher)), strict=True)
    )
    try:
        return plain.decode()
    except UnicodeDecodeError:
        return None


def hash_api_key(key: str) -> str:
    """Agent API keys are stored as a keyed hash only (the key is shown once, at creation)."""
    _enc, mac_key = _keys()
    return hmac.new(mac_key, b"agent-key:" + key.encode(), hashlib.sha256).hexdigest()
