from typing import Any

from ninja import Schema
from pydantic import ConfigDict


class InputSchema(Schema):
    """The base of every request body of /api/v1: a field the schema does not know is refused
    (422, the error names the field) instead of being dropped silently. Query-string filter
    schemas stay plain ``Schema``."""

    model_config = ConfigDict(extra="forbid")


class ErrorOut(Schema):
    code: str
    message: str
    details: dict[str, Any]


def errors(*statuses: int) -> dict[int, type[ErrorOut]]:
    return {s: ErrorOut for s in statuses}
