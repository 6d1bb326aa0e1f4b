"""What documents adds to the shared registries: the company in the audit trail and as the first
step of the go-live checklist, and the printable documents on the order page."""

from django.utils.translation import gettext_lazy as _

from zhongshu.core.auditing import audited
from zhongshu.core.setup_steps import setup_step
from zhongshu.orders.panels import register

from .company import is_complete
from .models import CompanyProfile
from .panels import order_panel

audited(
    CompanyProfile,
    position=15,
    kind="company",
    kind_label=_("Company"),
    code_lookup="name",
    label=lambda h: h.name,
)
setup_step(
    "company",
    position=10,
    label=_("Company: name, address, tax id, logo"),
    count=lambda: int(is_complete()),
    url="documents:company",
)
register(order_panel)
