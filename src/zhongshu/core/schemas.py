from typing import Any

from ninja import Schema


class ErrorOut(Schema):
    code: str
    message: str
    details: dict[str, Any]


def errors(*statuses: int) -> dict[int, type[ErrorOut]]:
    return {s: ErrorOut for s in statuses}
