from ninja import Field, Schema

from zhongshu.core.schemas import InputSchema


class CompanyOut(Schema):
    """The company as printed: each blank field falls back to the environment setting."""

    name: str
    address: str
    phone: str
    tax_id: str
    # the logo as a data: URI (PNG or JPEG), "" when there is none
    logo: str


class CompanyPatch(InputSchema):
    """Only the fields sent change. ``logo_base64``: a PNG or JPEG of at most 512 KB, base64
    encoded (a ``data:image/...;base64,`` prefix is accepted); ``remove_logo`` drops it."""

    name: str | None = Field(default=None, max_length=200)
    address: str | None = Field(default=None, max_length=400)
    phone: str | None = Field(default=None, max_length=80)
    tax_id: str | None = Field(default=None, max_length=60)
    logo_base64: str | None = Field(default=None, max_length=800_000)
    remove_logo: bool = False
