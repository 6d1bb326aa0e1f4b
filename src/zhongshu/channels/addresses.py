"""Buyer addresses → sales regions (``AddressRegion``): names as the platforms write them
(浙江省 / 浙江, 上海市 / 上海, 广西壮族自治区 / 广西) compare equal."""

from zhongshu.accounts.models import Region
from zhongshu.core.text import normalize_text

from .models import AddressRegion

SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市")


def place(name) -> str:
    """The comparable form of a province or city name: full-width folded, one administrative
    suffix dropped (never leaving fewer than two characters)."""
    s = normalize_text(name).replace(" ", "")
    for suffix in SUFFIXES:
        if s.endswith(suffix) and len(s) - len(suffix) >= 2:
            return s[: -len(suffix)]
    return s


class Router:
    """The rules, read once per batch of orders."""

    def __init__(self):
        self.rules: dict[tuple[str, str], Region] = {
            (r.province, r.city): r.region for r in AddressRegion.objects.select_related("region")
        }

    def region(self, province: str, city: str) -> Region | None:
        prov, town = place(province), place(city)
        if town and (prov, town) in self.rules:
            return self.rules[(prov, town)]
        return self.rules.get((prov, ""))

    def route(self, province: str, city: str, default: Region) -> Region | None:
        """The order's region: the default while there are no rules or the order carries no
        address (agents); otherwise the matching rule's, or ``None`` — unroutable."""
        if not self.rules or not place(province):
            return default
        return self.region(province, city)
