"""The extremes walk: on the demo factory, as an administrator, every /api/v1 operation gets each
integer and date parameter (path, query and top-level body fields) at the edges — 0, −1, 2³¹−1,
2³¹, −2⁶³, 1900-01-01, 2999-12-31, 0001-01-01, 9999-12-31 — one at a time, and every web page
that takes no argument (or a demo order, material or customer) gets the query parameters the pages
read, all at one edge per request. No answer may be a server error. Deterministic, so a failure
names the request that caused it; schemathesis (tests/api/test_schema.py) adds random shapes."""

import datetime as dt
import re
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from tests.conftest import ApiClient
from tests.factories import PASSWORD
from tests.support.routes import fill_route, url_patterns
from zhongshu.api import api

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

INTS = ["0", "-1", "2147483647", "2147483648", "-" + str(2**63)]
DATES = ["1900-01-01", "2999-12-31", "0001-01-01", "9999-12-31"]
SKIP = ("/api/v1/openapi", "/api/v1/docs", "/api/v1/auth/")
# query parameters the web pages read (lists, reports, boards): integers and dates at the edges
PAGE_PARAMS = {
    "page": INTS, "offset": INTS, "limit": INTS, "cursor": INTS, "year": INTS, "month": INTS,
    "week": INTS, "days": INTS, "order_id": INTS, "line": INTS, "account": INTS,
    "start": DATES, "end": DATES, "since": DATES, "until": DATES, "as_of": DATES,
    "created_from": DATES, "created_to": DATES, "due_before": DATES, "due_after": DATES,
    "date": DATES, "today": DATES,
}  # fmt: skip


def _kind(schema: dict) -> str | None:
    for alt in schema.get("anyOf") or []:
        if found := _kind(alt):
            return found
    if schema.get("type") == "integer":
        return "int"
    if schema.get("type") == "string" and schema.get("format") in ("date", "date-time"):
        return "date"
    return None


def _filler(schema: dict, components: dict):
    """A plausible value for a required body field, so the extreme one is what gets judged."""
    if "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    for alt in schema.get("anyOf") or []:
        if alt.get("type") != "null":
            return _filler(alt, components)
    kind, fmt = schema.get("type"), schema.get("format")
    if fmt == "date":
        return (timezone.localdate() + dt.timedelta(days=9)).isoformat()
    return {"integer": 1, "number": "1", "boolean": False, "array": [], "object": {}}.get(kind, "X")


def _body_fields(op: dict, components: dict) -> tuple[dict, dict]:
    """(extreme-able fields → kind, required fields → filler) of a JSON request body."""
    content = (op.get("requestBody") or {}).get("content", {}).get("application/json")
    if not content:
        return {}, {}
    schema = content["schema"]
    if "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    props = schema.get("properties") or {}
    kinds = {name: k for name, sub in props.items() if (k := _kind(sub))}
    required = {name: _filler(props[name], components) for name in schema.get("required", [])}
    return kinds, required


def _values(kind: str) -> list[str]:
    return INTS if kind == "int" else DATES


def _api_walk(rest: ApiClient, ids: dict) -> list[str]:
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    components = schema.get("components", {}).get("schemas", {})
    failures = []
    for path, ops in schema["paths"].items():
        if path.startswith(SKIP):
            continue
        for method, op in ops.items():
            params = op.get("parameters", [])
            base = {p["name"]: ids.get(p["name"], 1) for p in params if p["in"] == "path"}
            trials = []  # (path values, query, body)
            for p in params:
                kind = _kind(p.get("schema", {}))
                for v in _values(kind) if kind else []:
                    if p["in"] == "path":
                        trials.append(({**base, p["name"]: v}, {}, None))
                    elif p["in"] == "query":
                        trials.append((base, {p["name"]: v}, None))
            kinds, required = _body_fields(op, components)
            for name, kind in kinds.items():
                trials += [(base, {}, {**required, name: v}) for v in _values(kind)]
            for values, query, body in trials:
                url = re.sub(r"\{(\w+)\}", lambda m, v=values: str(v[m.group(1)]), path)
                if body is None:
                    r = (
                        rest._call(method, url, query)
                        if method in ("get", "delete")
                        else (rest._call(method, url, {}, QUERY_STRING=urlencode(query)))
                    )
                else:
                    r = rest._call(method, url, body)
                if r.status_code >= 500:
                    failures.append(f"{method.upper()} {url} {query} {body} → {r.status_code}")
    return failures


def _page_walk(client, ids: dict) -> list[str]:
    failures, seen = [], set()
    for route, _pattern in url_patterns():
        url = fill_route(route, ids)
        if url is None or url in seen or url.startswith(("/api/", "/static/", "/media/")):
            continue
        seen.add(url)
        if any(word in url for word in ("logout", "/export", ".xlsx", ".csv", ".pdf", "/print")):
            continue
        # every parameter a page may read at once, at one edge per request
        for kind in ("int", "date"):
            names = [n for n, values in PAGE_PARAMS.items() if values is _values(kind)]
            for v in _values(kind):
                r = client.get(url, dict.fromkeys(names, v), HTTP_ACCEPT_LANGUAGE="zh-hans")
                if r.status_code >= 500:
                    failures.append(f"GET {url} all {kind} parameters = {v} → {r.status_code}")
    return failures


def test_no_extreme_integer_or_date_gets_a_server_error(demo_factory, client, db):
    admin = get_user_model().objects.get(username="admin")
    admin.set_password(PASSWORD)
    admin.save()
    ids = demo_factory.ids
    failures = _api_walk(ApiClient(admin), ids)
    client.force_login(admin)
    failures += _page_walk(client, ids)
    assert not failures, "\n".join(failures[:60])
