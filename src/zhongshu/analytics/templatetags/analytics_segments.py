"""``{% customer_segment_panel customer %}``: tier, rhythm and next expected order of a customer,
shown on the customer page to users who may see segments (nothing otherwise)."""

from django import template
from django.template.loader import render_to_string

from zhongshu.accounts import permissions
from zhongshu.customers.models import CustomerTier

from ..models import CustomerSegment

register = template.Library()


@register.simple_tag(takes_context=True)
def customer_segment_panel(context, customer) -> str:
    request = context.get("request")
    user = getattr(request, "user", None)
    if customer is None or user is None or not permissions.can(user, "analytics.segments"):
        return ""
    seg = CustomerSegment.objects.filter(customer_id=customer.pk).first()
    if seg is None:
        return ""
    seg.customer = customer
    # the customer's one tier field (the segmentation writes it)
    label = CustomerTier(customer.tier).label if customer.tier in CustomerTier.values else ""
    return render_to_string(
        "analytics/_customer_segment.html", {"seg": seg, "label": label}, request=request
    )
