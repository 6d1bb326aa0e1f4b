from typing import Any, Literal

from ninja import Field, Schema

from zhongshu.accounts import permissions
from zhongshu.core.schemas import InputSchema
from zhongshu.customfields import selectors as cf_selectors

Tier = Literal["key", "growing", "at_risk", "new", "regular"]


CUSTOM_IN_DOC = (
    "Custom fields by key (the fields defined for the customer); null clears a value. "
    "Values of fields the caller may not edit are refused."
)


HIDDEN_NULL = "null when the caller's roles hide the contact group (docs/permissions.md)"
TIER_DOC = "Computed by the customer segmentation: any value sent is refused (422)."


class CustomerIn(InputSchema):
    code: str = Field(max_length=32)
    name: str = Field(max_length=120)
    region: str = Field(max_length=50, description="Region name")
    tier: Tier | None = Field(None, description=TIER_DOC)
    contact: str | None = Field(None, max_length=60)
    phone: str | None = Field(None, max_length=30)
    address: str | None = Field(None, max_length=200)
    custom: dict[str, Any] | None = Field(None, description=CUSTOM_IN_DOC)


class CustomerPatch(InputSchema):
    name: str | None = Field(None, max_length=120)
    region: str | None = Field(None, max_length=50)
    tier: Tier | None = Field(None, description=TIER_DOC)
    contact: str | None = Field(None, max_length=60)
    phone: str | None = Field(None, max_length=30)
    address: str | None = Field(None, max_length=200)
    is_active: bool | None = None
    custom: dict[str, Any] | None = Field(None, description=CUSTOM_IN_DOC)


class CustomerOut(Schema):
    code: str
    name: str
    region: str = Field(alias="region.name")
    tier: str
    contact: str | None = Field(None, description=HIDDEN_NULL)
    phone: str | None = Field(None, description=HIDDEN_NULL)
    address: str | None = Field(None, description=HIDDEN_NULL)
    is_active: bool
    custom: dict[str, Any] = Field(
        default_factory=dict, description="Custom fields the caller may see, by key."
    )

    @staticmethod
    def resolve_contact(obj, context) -> str | None:
        return permissions.shown(context["request"].auth, "customer", obj, "contact")

    @staticmethod
    def resolve_phone(obj, context) -> str | None:
        return permissions.shown(context["request"].auth, "customer", obj, "phone")

    @staticmethod
    def resolve_address(obj, context) -> str | None:
        return permissions.shown(context["request"].auth, "customer", obj, "address")

    @staticmethod
    def resolve_custom(obj, context) -> dict[str, Any]:
        # definitions are read once per request (cached on the user), not once per row
        request = context["request"]
        return cf_selectors.visible_values(request.auth, "customer", obj.custom)
