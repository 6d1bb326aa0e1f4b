"""``zhongshu import FILE --kind K --user U [--commit MODE]`` and the refused-price rule."""

from unittest import mock

import pytest
from django.core.management import execute_from_command_line
from django.db import connections

from tests.imports.conftest import ORDER_HEADERS, future, xlsx
from zhongshu.accounts import permissions
from zhongshu.accounts.roles import Role
from zhongshu.imports.models import BatchStatus, ImportBatch
from zhongshu.imports.services import batch_commit, batch_upload
from zhongshu.orders.models import Order

pytestmark = pytest.mark.django_db


def _run(*args) -> int:
    """The command as a shell runs it: its exit status. (A command closes the database
    connections when it ends; here that would end the test's transaction on PostgreSQL.)"""
    try:
        with mock.patch.object(connections, "close_all"):
            execute_from_command_line(["zhongshu", "import", *args])
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    return 0


@pytest.fixture
def order_file(tmp_path):
    path = tmp_path / "orders.xlsx"
    rows = [
        ORDER_HEADERS,
        ["PO-1", "C-EAST", "M-001", 2, 12.5, future(), "", ""],
        ["PO-1", "C-EAST", "M-002", 1, None, future(), "", ""],
        ["PO-2", "C-EAST", "M-404", 1, None, future(), "", ""],
    ]
    path.write_bytes(xlsx(rows))
    return path


def test_check_then_commit_from_the_command_line(world, order_file, capsys, english):
    # when the file is only checked
    assert _run(str(order_file), "--kind", "orders", "--user", world.sales.username) == 0
    out = capsys.readouterr().out
    # then it reports the counts and each bad row, and imports nothing
    assert "3 rows, 2 valid, 1 with errors" in out
    assert "row 4 物料编码: Unknown material: M-404" in out
    assert Order.objects.count() == 0
    # when it is committed
    code = _run(
        str(order_file), "--kind", "orders", "--user", world.sales.username, "--commit",
        "valid_only",
    )  # fmt: skip
    # then the valid order is imported as that user
    assert code == 0
    out = capsys.readouterr().out
    assert "committed, 2 rows imported, 1 records created" in out
    order = Order.objects.get()
    assert (order.external_no, order.created_by, order.lines.count()) == ("PO-1", world.sales, 2)
    assert ImportBatch.objects.filter(status=BatchStatus.COMMITTED).count() == 1


def test_bad_kind_user_file_or_permission_exit_non_zero(world, order_file, capsys):
    # a kind that does not exist: refused by the argument parser (status 2)
    assert _run(str(order_file), "--kind", "nope", "--user", world.sales.username) == 2
    assert "invalid choice: 'nope'" in capsys.readouterr().err
    # an unknown or inactive user, a missing file: status 1 with a clear message
    assert _run(str(order_file), "--kind", "orders", "--user", "ghost") == 1
    assert "unknown user ghost" in capsys.readouterr().err
    world.other.is_active = False
    world.other.save()
    assert _run(str(order_file), "--kind", "orders", "--user", world.other.username) == 1
    assert "unknown user" in capsys.readouterr().err
    assert _run("/nonexistent.xlsx", "--kind", "orders", "--user", world.sales.username) == 1
    assert "no such file" in capsys.readouterr().err
    # a user without the import permission: status 1, nothing staged
    code = _run(str(order_file), "--kind", "materials", "--user", world.sales.username)
    assert code == 1 and capsys.readouterr().err.strip()
    assert ImportBatch.objects.count() == 0 and Order.objects.count() == 0


def test_prices_are_refused_for_users_who_may_not_set_them(world, monkeypatch, english):
    # given a policy where sales staff may import orders but not set prices
    monkeypatch.setitem(permissions.ACTION_ROLES, "orders.edit_price", {Role.ADMIN})
    content = xlsx([
        ORDER_HEADERS,
        ["PO-1", "C-EAST", "M-001", 2, 99, future(), "", ""],
        ["PO-2", "C-EAST", "M-002", 3, None, future(), "", ""],
    ])  # fmt: skip
    # when the file is uploaded
    batch = batch_upload(actor=world.sales, content=content, name="p.xlsx", kind="orders")
    # then the row with a price is an error on the price column; the other uses the standard price
    assert (batch.valid, batch.invalid) == (1, 1)
    bad = batch.rows.get(row_no=2)
    assert bad.errors == [
        {
            "column": "单价",
            "message": "You may not change this field: 单价",
        }
    ]
    batch = batch_commit(actor=world.sales, batch_id=batch.pk, mode="valid_only")
    order = Order.objects.get()
    assert order.external_no == "PO-2" and str(order.lines.get().unit_price) == "5.50"
