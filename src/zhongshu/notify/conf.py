"""Delivery settings: Django settings win, then the environment, then these defaults."""

import os

from django.conf import settings

DEFAULTS = {
    # how many tries before a message becomes a dead letter
    "NOTIFY_MAX_ATTEMPTS": 8,
    # retry delay: BASE * 2**(tries-1) seconds, capped at MAX, plus up to 25 % jitter
    "NOTIFY_BACKOFF_BASE": 30,
    "NOTIFY_BACKOFF_MAX": 3600,
    # a claimed message belongs to its worker this long; after that another worker may take it
    "NOTIFY_LEASE_SECONDS": 120,
    # messages per robot per rolling minute (the platforms allow 20)
    "NOTIFY_ROBOT_PER_MINUTE": 20,
    # messages one delivery run claims
    "NOTIFY_BATCH_SIZE": 20,
    # HTTP timeout for one robot call, seconds
    "NOTIFY_HTTP_TIMEOUT": 5.0,
    # how often the worker runs the delivery job, seconds
    "NOTIFY_DELIVER_EVERY": 5,
    # absolute links in messages and emails ("https://zhongshu.example.com"); PUBLIC_BASE_URL is
    # the name to use, NOTIFY_BASE_URL the older one still read
    "PUBLIC_BASE_URL": "",
    "NOTIFY_BASE_URL": "",
    # messages per chat app per rolling minute, and per person per app (WeCom allows 30)
    "NOTIFY_APP_PER_MINUTE": 600,
    "NOTIFY_PERSON_PER_MINUTE": 30,
    # how long a sign-in started from a message link may take, seconds
    "NOTIFY_SIGNIN_SECONDS": 300,
    # how far a Feishu card callback's timestamp may be off, seconds
    "NOTIFY_CALLBACK_SKEW": 300,
}


def public_base_url() -> str:
    return (get("PUBLIC_BASE_URL") or get("NOTIFY_BASE_URL")).rstrip("/")


def get(name: str):
    default = DEFAULTS[name]
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name)
    if value is None or value == "":
        return default
    if isinstance(default, bool):
        return str(value).lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(value)
    if isinstance(default, float):
        return float(value)
    return str(value)
