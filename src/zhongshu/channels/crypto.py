"""Shop credentials at rest and agent API keys, through the one scheme of ``zhongshu.core.crypto``
under the channels' own purpose label (values stored before keep decrypting)."""

import hashlib
import hmac

from zhongshu.core import crypto

INFO = b"zhongshu.channels.credentials"


def encrypt(plain: str) -> str:
    return crypto.encrypt(plain, info=INFO)


def decrypt(token: str) -> str | None:
    """The plaintext, or ``None`` when the token was not made with this SECRET_KEY."""
    return crypto.decrypt(token, info=INFO)


def hash_api_key(key: str) -> str:
    """Agent API keys are stored as a keyed hash only (the key is shown once, at creation)."""
    _enc, mac_key = crypto.keys(INFO)
    return hmac.new(mac_key, b"agent-key:" + key.encode(), hashlib.sha256).hexdigest()
