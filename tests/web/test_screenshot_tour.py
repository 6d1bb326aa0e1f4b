"""The screenshot tour: the main pages of the demo factory at 1440 px and at 390 px (a phone),
as the administrator. Fails when a page is wider than a phone's screen, or when a chart's text
lies outside its SVG box (a clipped label). Screenshots go to a temporary folder."""

import pytest
from django.contrib.auth import get_user_model

from tests.factories import PASSWORD
from tests.support.browser import IMAGES, PHONE, login
from zhongshu.core import demo

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAGES = [
    "/dashboard/",
    "/orders/",
    "/customers/",
    "/materials/",
    "/inventory/",
    "/production/",
    "/production/load/",
    "/qc/",
    "/rules/",
    "/finance/",
    "/analytics/segments/",
    "/analytics/effect/",
    "/approvals/",
    "/channels/",
    "/planning/",
    "/audit/",
    "/users/",
]
WIDE = {"width": 1440, "height": 900}

OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"
CLIPPED = """() => {
  const out = [];
  for (const svg of document.querySelectorAll('svg')) {
    const box = svg.getBoundingClientRect();
    if (!box.width || !box.height) continue;
    for (const t of svg.querySelectorAll('text')) {
      const r = t.getBoundingClientRect();
      if (!r.width || !t.textContent.trim()) continue;
      if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1
          || r.bottom > box.bottom + 1) out.push(t.textContent.trim());
    }
  }
  return out;
}"""


@pytest.fixture
def demo_factory(transactional_db):
    demo.seed_demo()
    admin = get_user_model().objects.get(username="admin")
    admin.set_password(PASSWORD)
    admin.save()


def test_main_pages_fit_a_phone_and_keep_chart_labels_inside(live_server, browser, demo_factory):
    folder = IMAGES / "tour"
    folder.mkdir(parents=True, exist_ok=True)
    problems = []
    for name, size in (("wide", WIDE), ("phone", PHONE)):
        page = browser.new_page(viewport=size, locale="zh-CN")
        login(page, live_server.url, "admin")
        for path in PAGES:
            response = page.goto(f"{live_server.url}{path}")
            assert response is not None and response.status < 500, path
            slug = path.strip("/").replace("/", "-") or "home"
            page.screenshot(path=str(folder / f"{slug}-{name}.png"), full_page=True)
            if name == "phone" and (extra := page.evaluate(OVERFLOW)) > 1:
                problems.append(f"{path} at 390 px: {extra} px wider than the screen")
            problems.extend(
                f"{path} ({name}): chart text «{t}» clipped" for t in page.evaluate(CLIPPED)
            )
        page.close()

    assert problems == [], "\n".join(problems)
