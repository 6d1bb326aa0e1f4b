import pytest

from tests.factories import MaterialFactory, make_user


@pytest.fixture
def warehouse(db):
    return make_user("warehouse", username="warehouse")


@pytest.fixture
def flange(db):
    return MaterialFactory(code="M-FLANGE", name="法兰盘", standard_price="12.50")


@pytest.fixture
def shaft(db):
    return MaterialFactory(code="M-SHAFT", name="传动轴", standard_price="88.00", fulfilment="make")
