from ninja import Schema

from zhongshu.core.schemas import InputSchema


class ErrorItem(Schema):
    row: int
    column: str
    message: str


class BatchCreated(Schema):
    id: int
    status: str
    total: int
    valid: int
    invalid: int


class BatchOut(BatchCreated):
    kind: str
    file: str
    blocked: int
    duplicate: int
    committed: int
    skipped: int
    progress: int
    mode: str
    message: str
    same_as: int | None
    errors: list[ErrorItem]
    errors_offset: int
    errors_next_offset: int | None


class CommitIn(InputSchema):
    mode: str = "valid_only"


class PasswordOut(Schema):
    row: int
    username: str
    password: str
