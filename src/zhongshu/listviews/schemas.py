from typing import Literal

from ninja import Field, Schema

from zhongshu.core.schemas import InputSchema


class SavedViewIn(InputSchema):
    name: str
    columns: list[str] = Field(default_factory=list, description="Column names; see GET /columns")
    filters: dict[str, list[str]] = Field(
        default_factory=dict,
        description='The order list\'s URL parameters, e.g. {"status": ["confirmed"]}',
    )
    sort: str = ""
    is_default: bool = False
    share_with_role: str = Field("", description="A role slug shares the view with that role")


class SavedViewPatch(InputSchema):
    name: str | None = None
    columns: list[str] | None = None
    filters: dict[str, list[str]] | None = None
    sort: str | None = None
    is_default: bool | None = None


class SavedViewOut(Schema):
    id: int
    list_name: Literal["orders"] | str
    name: str = Field(alias="label")
    columns: list[str]
    filters: dict[str, list[str]]
    sort: str
    is_default: bool
    shared_with_role: str = Field(alias="role")
    personal: bool

    @staticmethod
    def resolve_personal(obj) -> bool:
        return not obj.is_shared


class ColumnOut(Schema):
    name: str
    label: str
