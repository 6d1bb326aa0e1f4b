from datetime import datetime
from typing import Any, Literal

from ninja import Field, Schema

from zhongshu.core.schemas import InputSchema

EntityIn = Literal["order", "order_line", "customer", "material"]
TypeIn = Literal["text", "number", "decimal", "date", "choice", "multi", "bool", "user", "file"]


class ChoiceIO(Schema):
    value: str
    label_zh: str = ""
    label_en: str = ""


GROUP_DOC = (
    "A field group of the code tables (price, schedule, lines, contact, cost) whose level decides "
    "who sees and edits it; blank: a group of its own (docs/permissions.md)"
)


class FieldDefinitionIn(InputSchema):
    entity: EntityIn
    key: str = Field(description="Lower-case letters, digits and _, starting with a letter")
    label_zh: str = ""
    label_en: str = ""
    type: TypeIn = "text"
    required: bool = False
    default: Any = None
    choices: list[ChoiceIO | str] = Field(default_factory=list)
    decimal_places: int = 2
    help_text: str = ""
    view_roles: list[str] = Field(default_factory=list, description="Empty: everyone")
    edit_roles: list[str] = Field(default_factory=list, description="Empty: everyone who edits")
    position: int = 100
    filterable: bool = False
    field_group: str = Field("", max_length=32, description=GROUP_DOC)


class FieldDefinitionPatch(InputSchema):
    label_zh: str | None = None
    label_en: str | None = None
    type: TypeIn | None = None
    required: bool | None = None
    default: Any = None
    choices: list[ChoiceIO | str] | None = None
    decimal_places: int | None = None
    help_text: str | None = None
    view_roles: list[str] | None = None
    edit_roles: list[str] | None = None
    position: int | None = None
    filterable: bool | None = None
    field_group: str | None = Field(None, max_length=32, description=GROUP_DOC)
    migrate_choices: dict[str, str | None] | None = Field(
        None,
        description="Removing choices that are in use: old value → remaining value (null clears)",
    )


class FieldDefinitionOut(Schema):
    id: int
    entity: str
    key: str
    param: str
    label: str
    label_zh: str
    label_en: str
    type: str
    required: bool
    default: Any
    choices: list[ChoiceIO]
    decimal_places: int
    help_text: str
    view_roles: list[str]
    edit_roles: list[str]
    position: int
    filterable: bool
    field_group: str = Field(description=GROUP_DOC)
    group: str = Field(description="The group whose level decides who sees and edits it")
    indexed: bool
    deleted_at: datetime | None = Field(None, alias="archived_at")


class FieldFileOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
