"""Headless Chromium through Playwright, for the end-to-end tests marked ``browser``.

``browser`` is a fixture (made available to every test by tests/conftest.py); ``login`` signs a
page in through the login form; screenshots go to ``IMAGES``: a temporary folder, or docs/images
when ``ZS_REFRESH_DOC_IMAGES=1`` is set to refresh the pictures of the docs on purpose.
"""

import os
import tempfile
from pathlib import Path

import pytest

from tests.factories import PASSWORD

CHROMIUM = "/usr/bin/chromium"
DOC_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"
IMAGES = (
    DOC_IMAGES
    if os.environ.get("ZS_REFRESH_DOC_IMAGES") == "1"
    else Path(tempfile.gettempdir()) / "zhongshu-screenshots"
)
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; install Debian's chromium package")
        pytest.skip(
            f"{CHROMIUM} is not installed (apt-get install chromium) — browser tests skipped"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        yield browser
        browser.close()


def fill_login(page, username: str) -> None:
    """Fill in and send the login form the page shows."""
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")


def login(page, base: str, username: str) -> None:
    """Sign ``username`` in from the login page; everyone lands on their start page."""
    page.goto(f"{base}/login/")
    fill_login(page, username)
    page.wait_for_url(lambda url: "/login/" not in url)
