"""Every write operation of /api/v1 refuses a field its body does not know: 422 naming the field,
never a silent drop. One walk over the OpenAPI schema, so a new endpoint is covered the day it is
added."""

import re

import pytest

from zhongshu.api import api

UNKNOWN = "zz_not_a_field"
WRITE_METHODS = ("post", "put", "patch")


def _json_write_operations():
    schema = api.get_openapi_schema(
        path_prefix="/api/v1/"
    )  # the trailing / keeps nested routers' paths whole
    for path, item in schema["paths"].items():
        for method in WRITE_METHODS:
            op = item.get(method)
            if not op:
                continue
            content = (op.get("requestBody") or {}).get("content", {})
            if "application/json" in content:
                yield method, path, op


def _concrete(path: str, op) -> str:
    """Path parameters filled with a value of their type (validation of the body comes before any
    lookup, so the object need not exist)."""
    types = {
        p["name"]: p.get("schema", {}).get("type", "string")
        for p in op.get("parameters", [])
        if p.get("in") == "path"
    }
    return re.sub(r"\{(\w+)\}", lambda m: "1" if types.get(m.group(1)) == "integer" else "X1", path)


@pytest.mark.django_db
def test_every_write_operation_refuses_an_unknown_body_field(admin_user, api_as):
    client = api_as(admin_user)
    operations = list(_json_write_operations())
    assert len(operations) > 50  # the walk found the API, not an empty schema
    silent = []
    for method, path, op in operations:
        url = _concrete(path, op)
        r = client._call(method, url, {UNKNOWN: 1})
        fields = []
        if r.status_code == 422:
            fields = [e.get("field", "") for e in r.json().get("details", {}).get("errors", [])]
        if not any(f.endswith(UNKNOWN) for f in fields):
            silent.append(f"{method.upper()} {path} → {r.status_code} {r.content[:200]!r}")
    assert not silent, "unknown field not refused by:\n" + "\n".join(silent)
