"""``next`` is followed only to same-origin paths, through one helper that every view uses."""

import pathlib
import re

import pytest
from django.test import RequestFactory

from zhongshu.core.redirects import safe_next

SRC = pathlib.Path(__file__).resolve().parents[2] / "src" / "zhongshu"


@pytest.mark.parametrize(
    "value",
    [
        "https://elsewhere.example/",
        "//elsewhere.example/x",
        "/\\elsewhere.example",
        "javascript:alert(1)",
        "/ok\n/x",
        "",
        None,
    ],
)
def test_foreign_or_odd_targets_are_refused(value):
    assert safe_next(RequestFactory().post("/"), value) is None


def test_a_path_of_this_site_is_kept_and_a_prefix_is_enforced():
    request = RequestFactory().post("/")
    assert safe_next(request, "/production/my/?x=1") == "/production/my/?x=1"
    assert safe_next(request, "/orders/", prefix="/planning/") is None


def test_no_view_reads_next_without_the_helper():
    pattern = re.compile(r"""(POST|GET)(\.get\(|\[)\s*["']next["']""")
    offenders = [
        str(p.relative_to(SRC))
        for p in SRC.rglob("*.py")
        if p.name != "redirects.py" and pattern.search(p.read_text(encoding="utf-8"))
    ]
    assert not offenders, offenders
