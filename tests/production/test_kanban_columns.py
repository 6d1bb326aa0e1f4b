import pytest
from django.test import Client

from tests.factories import make_order
from tests.quality import conftest as shop

pytestmark = pytest.mark.django_db

floor = shop.floor  # the shared shop-floor fixture


def test_a_long_column_shows_twenty_cards_and_the_rest_on_demand(floor):
    # given 13 confirmed orders: 26 pending tasks on line L1
    for _ in range(13):
        make_order(
            actor=floor.sales,
            customer=floor.customer,
            lines=[{"material": "P-SHAFT", "quantity": "1", "unit_price": "88"}],
            status="confirmed",
        )
    client = Client()
    client.force_login(floor.supervisor)

    # when the supervisor opens the kanban
    html = client.get("/production/").content.decode()

    # then the pending column shows 20 cards and folds the other 6 under "show more"
    pending = html.split('data-column="pending"')[1].split('data-column="in_progress"')[0]
    shown, _, folded = pending.partition('<details class="more-cards">')
    assert pending.count("task-card") == 26
    assert shown.count("task-card") == 20
    assert folded.count("task-card") == 6
    assert "显示其余 6 项" in folded
    assert "L1 机加一线" in html  # the line named once
