import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import CustomerFactory, make_user
from zhongshu.core.errors import NotFound, ValidationFailed
from zhongshu.core.idempotency import IdempotencyKeyReused, run_once
from zhongshu.core.models import IdempotencyRecord
from zhongshu.core.services import model_update
from zhongshu.customers.models import Customer

pytestmark = pytest.mark.django_db


def test_model_update_saves_only_what_changed():
    customer = CustomerFactory(name="旧名", phone="1")
    stamp = customer.updated_at
    changed = model_update(
        instance=customer,
        fields=["name", "phone"],
        data={"name": "新名", "phone": "1", "contact": "不在白名单"},
    )
    assert changed == ["name"]
    saved = Customer.objects.get(pk=customer.pk)
    assert (saved.name, saved.phone, saved.contact) == ("新名", "1", "张经理")
    assert saved.updated_at > stamp


def test_model_update_with_nothing_changed_does_not_touch_the_database():
    customer = CustomerFactory(name="同名")
    with CaptureQueriesContext(connection) as ctx:
        assert model_update(instance=customer, fields=["name"], data={"name": "同名"}) == []
    assert len(ctx.captured_queries) == 0


def test_model_update_turns_model_validation_into_a_422():
    customer = CustomerFactory(name="原名")
    with pytest.raises(ValidationFailed) as exc:
        model_update(instance=customer, fields=["name"], data={"name": "长" * 121})
    assert [e["field"] for e in exc.value.errors] == ["name"]
    assert Customer.objects.get(pk=customer.pk).name == "原名"


def _counter():
    calls = []

    def run():
        calls.append(1)
        return 201, {"n": len(calls)}

    return calls, run


def test_run_once_without_a_key_runs_every_time():
    user = make_user("sales")
    _calls, run = _counter()
    assert run_once(user=user, scope="s", key=None, payload={"a": 1}, run=run) == (201, {"n": 1})
    assert run_once(user=user, scope="s", key="", payload={"a": 1}, run=run) == (201, {"n": 2})
    assert IdempotencyRecord.objects.count() == 0


def test_run_once_replays_the_stored_answer_and_refuses_a_different_body():
    user = make_user("sales")
    calls, run = _counter()
    first = run_once(user=user, scope="s", key="k-1", payload={"a": 1}, run=run)
    again = run_once(user=user, scope="s", key=" k-1 ", payload={"a": 1}, run=run)
    assert first == again == (201, {"n": 1})
    assert len(calls) == 1
    with pytest.raises(IdempotencyKeyReused) as exc:
        run_once(user=user, scope="s", key="k-1", payload={"a": 2}, run=run)
    assert (exc.value.http_status, exc.value.code, exc.value.details) == (
        409,
        "idempotency_key_reused",
        {"key": "k-1"},
    )
    # another user, or another scope, has its own key space
    other = make_user("sales")
    assert run_once(user=other, scope="s", key="k-1", payload={"a": 2}, run=run) == (
        201,
        {"n": 2},
    )
    assert run_once(user=user, scope="t", key="k-1", payload={"a": 2}, run=run) == (
        201,
        {"n": 3},
    )
    assert IdempotencyRecord.objects.count() == 3


def test_run_once_forgets_a_key_whose_work_failed():
    user = make_user("sales")

    def boom():
        raise NotFound()

    with pytest.raises(NotFound):
        run_once(user=user, scope="s", key="k-2", payload={}, run=boom)
    assert IdempotencyRecord.objects.count() == 0
    _calls, run = _counter()
    assert run_once(user=user, scope="s", key="k-2", payload={}, run=run) == (201, {"n": 1})


@pytest.mark.parametrize("key", ["x" * 129, "a\nb", "   "])
def test_run_once_refuses_bad_keys(key):
    user = make_user("sales")
    calls, run = _counter()
    with pytest.raises(ValidationFailed) as exc:
        run_once(user=user, scope="s", key=key, payload={}, run=run)
    assert [e["field"] for e in exc.value.errors] == ["Idempotency-Key"]
    assert calls == []
    assert IdempotencyRecord.objects.count() == 0
