import math
import random

import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# synthetic demand series for the forecasting tests
def seasonal_series(seed: int, n: int) -> list[float]:
    rng = random.Random(seed)
    return [100 + 0.5 * t + 40 * math.sin(2 * math.pi * t / 12) + rng.gauss(0, 8) for t in range(n)]


def intermittent_series(seed: int, n: int) -> list[float]:
    rng = random.Random(seed)
    return [float(rng.choice((2, 4, 8, 20, 40))) if rng.random() < 0.25 else 0.0 for _ in range(n)]
