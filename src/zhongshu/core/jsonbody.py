"""Reading a JSON body that nobody vouches for: a depth limit (5,000 nested brackets are refused
with a message, never a RecursionError and a 500) on top of the size limit Django applies
(DATA_UPLOAD_MAX_MEMORY_SIZE)."""

import json
from typing import Any

MAX_DEPTH = 64


class TooDeep(ValueError):
    pass


def _depth_ok(value: Any, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return False
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return True


def loads(data: bytes | str, *, max_depth: int = MAX_DEPTH) -> Any:
    """``json.loads`` that raises ``ValueError`` (``TooDeep``) for nesting deeper than
    ``max_depth`` instead of recursing until the interpreter gives up."""
    try:
        value = json.loads(data)
    except RecursionError:
        raise TooDeep(f"JSON nested deeper than {max_depth} levels") from None
    if not _depth_ok(value, max_depth):
        raise TooDeep(f"JSON nested deeper than {max_depth} levels")
    return value
