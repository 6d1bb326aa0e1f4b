from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema

from zhongshu.accounts import permissions
from zhongshu.core.schemas import InputSchema
from zhongshu.customfields import selectors as cf_selectors

Kind = Literal["raw", "semi", "finished", "purchased"]
FulfilmentMode = Literal["stock", "make"]
# Numbers may arrive as people type them ("１，２３４．５"); the service normalises and validates.
Number = Decimal | str


CUSTOM_IN_DOC = (
    "Custom fields by key (the fields defined for the material); null clears a value. "
    "Values of fields the caller may not edit are refused."
)


class MaterialIn(InputSchema):
    code: str = Field(max_length=40)
    name: str = Field(max_length=120)
    spec: str | None = Field(None, max_length=200)
    unit: str | None = Field(None, max_length=12)
    kind: Kind | None = None
    fulfilment: FulfilmentMode | None = None
    standard_price: Number | None = None
    safety_stock: Number | None = None
    lead_time_days: int | None = None
    custom: dict[str, Any] | None = Field(None, description=CUSTOM_IN_DOC)


class MaterialPatch(InputSchema):
    name: str | None = Field(None, max_length=120)
    spec: str | None = Field(None, max_length=200)
    unit: str | None = Field(None, max_length=12)
    kind: Kind | None = None
    fulfilment: FulfilmentMode | None = None
    standard_price: Number | None = None
    safety_stock: Number | None = None
    lead_time_days: int | None = None
    is_active: bool | None = None
    custom: dict[str, Any] | None = Field(None, description=CUSTOM_IN_DOC)


class MaterialOut(Schema):
    code: str
    name: str
    spec: str
    unit: str
    kind: str
    fulfilment: str
    standard_price: Decimal | None = Field(
        None, description="null when the caller's roles hide the cost group (docs/permissions.md)"
    )
    safety_stock: Decimal
    lead_time_days: int
    is_active: bool
    new_since: datetime | None = Field(None, description="When it was released as a new product.")
    custom: dict[str, Any] = Field(
        default_factory=dict, description="Custom fields the caller may see, by key."
    )

    @staticmethod
    def resolve_standard_price(obj, context) -> Decimal | None:
        return permissions.shown(context["request"].auth, "material", obj, "standard_price")

    @staticmethod
    def resolve_custom(obj, context) -> dict[str, Any]:
        # definitions are read once per request (cached on the user), not once per row
        request = context["request"]
        return cf_selectors.visible_values(request.auth, "material", obj.custom)
