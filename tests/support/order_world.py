"""The order core's matrix world, shared by the permission matrix (tests/accounts) and the export
matrix (tests/exports): one user per role (``m_<role>``, sales in 华东 only), orders of both
regions in three states, a material in stock and a shipment per region."""

from django.contrib.auth import get_user_model

from tests.factories import (
    CustomerFactory,
    MaterialFactory,
    RegionFactory,
    make_order,
    make_user,
    make_warehouse,
    put_stock,
)
from tests.support.fingerprint import Count, Fingerprint, columns
from tests.support.matrix import World, add_role_users
from zhongshu.accounts.models import Region
from zhongshu.catalog.models import Material
from zhongshu.customers.models import Customer
from zhongshu.inventory.models import (
    Reservation,
    Shipment,
    ShipmentLine,
    StockLevel,
    StockMovement,
)
from zhongshu.orders.models import Order, OrderEvent, OrderLine


def build_order_world() -> World:
    w = World()
    east = RegionFactory(name="华东")
    north = RegionFactory(name="华北")
    c_east = CustomerFactory(code="C-EAST", name="苏州精工机械", region=east)
    c_north = CustomerFactory(code="C-NORTH", name="天津重工", region=north)
    add_role_users(w, "m_")
    admin, sales = w.users["admin"], w.users["sales"]
    material = MaterialFactory(code="M-MATRIX", fulfilment="stock")
    make_warehouse()
    put_stock(material, "1000", actor=w.users["warehouse"])
    line = [{"material": material.code, "quantity": "2", "unit_price": "10"}]

    def order(customer, actor, status=None):
        return make_order(actor=actor, customer=customer, lines=line, status=status).pk

    w.ids.update(
        E_DRAFT=order(c_east, sales),
        N_DRAFT=order(c_north, admin),
        E_PENDING=order(c_east, sales, "pending_review"),
        N_PENDING=order(c_north, admin, "pending_review"),
        E_CONF=order(c_east, sales, "confirmed"),
        N_CONF=order(c_north, admin, "confirmed"),
        E_CUST=c_east.code,
        N_CUST=c_north.code,
        MATERIAL=material.code,
        VICTIM=make_user("finance", username="m_victim").pk,
        NO_SUCH=10**9,
    )
    from zhongshu.inventory.services import shipment_create

    for key, customer, actor in (("E_SHIP", c_east, sales), ("N_SHIP", c_north, admin)):
        shipped_order = order(customer, actor, "confirmed")
        w.ids[key] = shipment_create(actor=w.users["warehouse"], order_id=shipped_order).pk
    return w


# Everything a refused request could have written (audit trails and token use excluded).
order_fingerprint = Fingerprint(
    Order,
    Count(OrderLine),
    Count(OrderEvent),
    Customer,
    Material,
    StockLevel,
    Count(StockMovement),
    Reservation,
    Count(Shipment),
    Count(ShipmentLine),
    Count(Region),
    columns(get_user_model(), "pk", "username", "is_active"),
)
