"""Secrets at rest (ERP connection credentials, channel shop credentials): authenticated
encryption with keys derived from ``settings.SECRET_KEY``, built from the standard library alone
in the encrypt-then-MAC shape of Fernet:

* HKDF-SHA256 (RFC 5869) derives two 32-byte keys from SECRET_KEY and a purpose label: one for the
  keystream, one for the MAC (a value encrypted for one purpose does not decrypt for another);
* the keystream is HMAC-SHA256(enc_key, nonce ‖ counter) — a PRF in counter mode — XORed with the
  plaintext; the 16-byte nonce is random per value;
* the tag is HMAC-SHA256(mac_key, version ‖ nonce ‖ ciphertext) and is checked in constant time
  before anything is decrypted.

Token: ``v1:`` + urlsafe base64 of nonce ‖ ciphertext ‖ tag. Rotating SECRET_KEY makes stored
values unreadable (``decrypt`` returns ``None``): they then have to be entered again.
"""

import base64
import hashlib
import hmac
import os

from django.conf import settings

VERSION = b"v1"
INFO = b"zhongshu.core.credentials"


def _hkdf(secret: bytes, *, length: int, info: bytes, salt: bytes = b"") -> bytes:
    prk = hmac.new(salt or b"\0" * 32, secret, hashlib.sha256).digest()
    out, block, i = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + info + bytes([i]), hashlib.sha256).digest()
        out += block
        i += 1
    return out[:length]


def keys(info: bytes = INFO) -> tuple[bytes, bytes]:
    """The (encryption, MAC) keys of one purpose label."""
    material = _hkdf(settings.SECRET_KEY.encode(), length=64, info=info)
    return material[:32], material[32:]


def _keystream(key: bytes, nonce: bytes, length: int) -> bytes:
    out = bytearray()
    counter = 0
    while len(out) < length:
        out += hmac.new(key, nonce + counter.to_bytes(8, "big"), hashlib.sha256).digest()
        counter += 1
    return bytes(out[:length])


def encrypt(plain: str, *, info: bytes = INFO) -> str:
    if not plain:
        return ""
    enc_key, mac_key = keys(info)
    data = plain.encode()
    nonce = os.urandom(16)
    cipher = bytes(a ^ b for a, b in zip(data, _keystream(enc_key, nonce, len(data)), strict=True))
    tag = hmac.new(mac_key, VERSION + nonce + cipher, hashlib.sha256).digest()
    return "v1:" + base64.urlsafe_b64encode(nonce + cipher + tag).decode()


def decrypt(token: str, *, info: bytes = INFO) -> str | None:
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
    enc_key, mac_key = keys(info)
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
