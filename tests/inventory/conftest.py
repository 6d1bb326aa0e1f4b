import pytest
from django.core.cache import cache

from tests.factories import MaterialFactory, make_user, make_warehouse, put_stock
from zhongshu.inventory.models import ErpPosting
from zhongshu.inventory.tplus_simulator import TplusSimulator


@pytest.fixture
def warehouse(db):
    return make_warehouse("01", "成品库", is_default=True)


@pytest.fixture
def keeper(db):
    return make_user("warehouse", username="keeper")


@pytest.fixture(autouse=True)
def english():
    """Assertions here compare English messages; pages are asked for in English too."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Argon2 is right for production and slow for the many test users made here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- the T+ simulator over real HTTP, with credentials set (ERP posting and its pages) ---

KEYS = {"TPLUS_APP_KEY": "k1", "TPLUS_APP_SECRET": "s1", "TPLUS_OPEN_TOKEN": "t1"}


@pytest.fixture
def sim(settings, customer_east):
    simulator = TplusSimulator(app_key="k1", app_secret="s1", open_token="t1")
    simulator.start()
    settings.TPLUS_BASE_URL = simulator.url
    settings.TPLUS_TIMEOUT = 2.0
    for k, v in KEYS.items():
        setattr(settings, k, v)
    simulator.add_customer(customer_east.code, customer_east.name)
    cache.clear()
    yield simulator
    simulator.stop()
    cache.clear()


@pytest.fixture
def flange(sim, warehouse, keeper):
    """10 × FL-50 in warehouse 01, here and in T+ (the opening receipt is already posted)."""
    material = MaterialFactory(code="FL-50", unit="件")
    put_stock(material, 10, actor=keeper)
    sim.set_stock("01", "FL-50", 10)
    ErpPosting.objects.update(status="posted")
    return material
