import pytest

from tests.factories import MaterialFactory, make_user, make_warehouse, put_stock
from zhongshu.core.validation import Errors
from zhongshu.orders.models import Order
from zhongshu.rules import compiler
from zhongshu.rules.defaults import install
from zhongshu.rules.facts import order_facts
from zhongshu.rules.models import Rule


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def shipped_rules(request):
    """The shipped rules, as the data migration installs them: a transactional test run earlier
    (here or in another app) flushes the database, migration data included."""
    used = {"db", "transactional_db"} & set(request.fixturenames)
    if not used:
        return
    request.getfixturevalue("transactional_db" if "transactional_db" in used else "db")
    install(Rule)


@pytest.fixture
def no_default_rules(db):
    """The shipped rules switched off: the test is about rules it makes itself."""
    Rule.objects.exclude(builtin_key="").update(enabled=False)


@pytest.fixture
def warehouse(db):
    return make_warehouse("01", "成品库", is_default=True)


@pytest.fixture
def stocked(warehouse):
    """A stock material with 10 on hand at the default warehouse."""
    material = MaterialFactory(code="GEAR-1", fulfilment="stock")
    put_stock(material, "10", warehouse=warehouse)
    return material


@pytest.fixture
def manager(db):
    return make_user("manager", username="boss")


def check(tree):
    errors = Errors()
    clean = compiler.validate(tree, errors)
    errors.raise_if_any()
    return clean


def sql_ids(tree, qs=None, today=None) -> set[int]:
    qs = Order.objects.all() if qs is None else qs
    return set(compiler.filter_orders(qs, check(tree), today=today).values_list("pk", flat=True))


def py_ids(tree, today=None) -> set[int]:
    fn = compiler.to_predicate(check(tree))
    facts = order_facts(Order.objects.values_list("pk", flat=True), today=today)
    return {pk for pk, f in facts.items() if fn(f)}


def both(tree, today=None) -> set[int]:
    """The orders matching ``tree`` — asserting first that SQL and Python agree."""
    sql, py = sql_ids(tree, today=today), py_ids(tree, today=today)
    assert sql == py, (tree, sql, py)
    return sql
