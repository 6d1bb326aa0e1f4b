"""Exploding bills of materials in one statement, whatever their depth.

    A ── 2 × B (scrap 10 %) ── 3 × C
      └─ 1 × C                 └─ 0.5 × D (scrap 2 %)
    E ── 4 × D

C is shared (directly under A and under B); D is a leaf under B and under E.
"""

from decimal import Decimal as D
from types import SimpleNamespace

import pytest

from tests.factories import MaterialFactory, give_bom
from zhongshu.production.bom import bills_under, explode, explode_by_root


@pytest.fixture
def parts(db):
    a, b, c, d, e = (MaterialFactory(fulfilment="make" if i < 2 else "stock") for i in range(5))
    give_bom(a, (b, "2", "10"), (c, "1", "0"))
    give_bom(b, (c, "3", "0"), (d, "0.5", "2"))
    give_bom(e, (d, "4", "0"))
    return SimpleNamespace(a=a, b=b, c=c, d=d, e=e)


def test_the_leaves_of_a_three_level_bill_with_a_shared_part_in_one_statement(
    parts, django_assert_num_queries
):
    p = parts
    with django_assert_num_queries(1):
        leaves = explode({p.a.pk: D(10), p.e.pk: D(1)})
    # B: 10 × 2 × 1.1 = 22; C: 10 × 1 + 22 × 3 = 76; D: 22 × 0.5 × 1.02 + 1 × 4 = 15.22
    assert leaves == {p.c.pk: D("76"), p.d.pk: D("15.22")}


def test_the_leaves_are_kept_per_root(parts):
    p = parts
    explosion = explode_by_root({"line 1": {p.a.pk: D(1)}, "line 2": {p.b.pk: D(2)}})
    assert explosion.by_root["line 1"] == {p.c.pk: D("7.6"), p.d.pk: D("1.122")}
    assert explosion.by_root["line 2"] == {p.c.pk: D(6), p.d.pk: D("1.02")}


def test_only_the_bills_under_the_products_are_read(parts):
    p = parts
    assert set(bills_under({p.b.pk})) == {p.b.pk}
    assert set(bills_under({p.a.pk})) == {p.a.pk, p.b.pk}
    assert bills_under(set()) == {}


def test_a_cycle_written_past_the_check_ends(parts):
    """Saving refuses a cycle; one written straight to the table still cannot loop: the recursive
    query stops at a product already found, the explosion after MAX_LEVELS levels."""
    p = parts
    give_bom(p.c, (p.a, "1", "0"))  # A → B → C → A: bulk_create does not check
    assert set(bills_under({p.a.pk})) == {p.a.pk, p.b.pk, p.c.pk}
    explosion = explode_by_root({"root": {p.a.pk: D(1)}})
    assert set(explosion.by_root["root"]) <= {p.d.pk}
