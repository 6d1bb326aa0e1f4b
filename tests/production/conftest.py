import pytest

from tests.factories import MaterialFactory, give_routing, make_user
from zhongshu.production.models import WorkCenter


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def lines(db):
    """Two lines: turning (2 × 8 h) and assembly (1 × 8 h)."""
    return {
        "TURN": WorkCenter.objects.create(
            code="TURN", name="车削线", hours_per_shift=8, shifts_per_day=2
        ),
        "ASSY": WorkCenter.objects.create(
            code="ASSY", name="装配线", hours_per_shift=8, shifts_per_day=1
        ),
    }


@pytest.fixture
def operator(db):
    return make_user("operator", username="op_zheng")


@pytest.fixture
def operator2(db):
    return make_user("operator", username="op_li")


@pytest.fixture
def supervisor(db):
    return make_user("supervisor", username="sup_wu")


@pytest.fixture
def shaft(lines, operator):
    """A make-to-order shaft: turning (setup 1 h + 0.5 h/unit), then assembly (0.5 h + 0.1 h/unit),
    both owned by ``operator`` by default."""
    material = MaterialFactory(code="SHAFT-40", name="传动轴", fulfilment="make", routing=False)
    give_routing(
        material,
        (lines["TURN"], "1", "0.5", operator),
        (lines["ASSY"], "0.5", "0.1", operator),
    )
    return material
