"""The imports demo seed: one committed order import with two rows left to fix."""

import pytest

from zhongshu.core.demo import new_context
from zhongshu.imports import demo
from zhongshu.imports.models import BatchStatus, ImportBatch, RowStatus
from zhongshu.imports.selectors import problem_rows
from zhongshu.orders.models import Order

pytestmark = pytest.mark.django_db


def test_seed_leaves_a_committed_batch_with_two_error_rows(world):
    # given the demo context after the users, customers and materials seeds
    ctx = new_context()
    ctx.users = {"sales": world.sales, "admin": world.admin}
    ctx.materials = [world.m1, world.m2]

    # when the imports seed runs
    demo.seed(ctx)

    # then one batch is committed: three orders imported, two rows with their errors kept
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.user, batch.kind) == (BatchStatus.COMMITTED, world.sales, "orders")
    assert (batch.total, batch.committed, batch.invalid) == (6, 4, 2)
    assert Order.objects.filter(channel="import").count() == 3
    bad = list(problem_rows(batch))
    assert [r.row_no for r in bad] == [7, 8]
    assert all(r.status == RowStatus.INVALID and r.errors for r in bad)
    assert ctx.counts["import batches"] == 1


def test_seed_without_a_sales_user_does_nothing(world):
    ctx = new_context()
    ctx.users = {"admin": world.admin}
    demo.seed(ctx)
    assert not ImportBatch.objects.exists()
