"""The carriers each platform knows by code, and the warehouse's names for them.

Taobao and Douyin take a company code where a carrier belongs (Taobao ``ZTO``, Douyin
``zhongtong``) and refuse a name. ``COMMON`` seeds both tables (migration 0005) with the carriers
most shops use; the platform's own list (``carriers_refresh``) adds the rest. ``WAREHOUSE_NAMES``
seeds the mapping from what the warehouse types on a shipment to each platform's code."""

# (Taobao code, Douyin code, name)
COMMON = [
    ("SF", "shunfeng", "顺丰速运"),
    ("ZTO", "zhongtong", "中通快递"),
    ("YTO", "yuantong", "圆通速递"),
    ("STO", "shentong", "申通快递"),
    ("YUNDA", "yunda", "韵达快递"),
    ("EMS", "ems", "EMS"),
    ("JD", "jd", "京东物流"),
    ("DBKD", "debangkuaidi", "德邦快递"),
    ("HTKY", "huitongkuaidi", "百世快递"),
    ("POSTB", "youzhengguonei", "邮政快递包裹"),
]

# the names a warehouse types for each of them (the Taobao code stands for the carrier)
WAREHOUSE_NAMES = {
    "SF": ("顺丰", "顺丰速运", "顺丰快递", "SF"),
    "ZTO": ("中通", "中通快递", "ZTO"),
    "YTO": ("圆通", "圆通速递", "圆通快递", "YTO"),
    "STO": ("申通", "申通快递", "STO"),
    "YUNDA": ("韵达", "韵达快递", "韵达速递", "YUNDA"),
    "EMS": ("EMS", "邮政EMS"),
    "JD": ("京东", "京东物流", "京东快递", "JD"),
    "DBKD": ("德邦", "德邦快递", "德邦物流"),
    "HTKY": ("百世", "百世快递", "汇通"),
    "POSTB": ("邮政", "邮政快递包裹", "邮政包裹"),
}


def platform_list(channel: str) -> list[tuple[str, str]]:
    """(code, name) of the common carriers on one platform."""
    col = 0 if channel == "taobao" else 1
    return [(row[col], row[2]) for row in COMMON]


def seed(apps=None) -> None:
    """Fill the carrier and mapping tables with ``COMMON`` (what is there already stays)."""
    if apps is None:  # not in a migration: the installed apps' models
        from django.apps import apps
    Carrier = apps.get_model("channels", "Carrier")
    CarrierMapping = apps.get_model("channels", "CarrierMapping")
    for channel, col in (("taobao", 0), ("douyin", 1)):
        for row in COMMON:
            carrier, _c = Carrier.objects.get_or_create(
                channel=channel, code=row[col], defaults={"name": row[2]}
            )
            for name in WAREHOUSE_NAMES.get(row[0], ()):
                CarrierMapping.objects.get_or_create(
                    name=name, channel=channel, defaults={"carrier": carrier}
                )
