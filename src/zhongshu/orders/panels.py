"""Extra sections on the order detail page, each owned by the app whose data it shows.

Each entry names a function ``panel(request, order) -> str | None`` (rendered HTML, or None when
the app has nothing to show this user for this order). The function must read only through its
app's selectors, so scoping and permissions stay where they are enforced; it must run a bounded
number of queries.
"""

from django.utils.module_loading import import_string

ORDER_PANELS = [
    "zhongshu.production.views.order_panel",
    "zhongshu.quality.views.order_panel",
    "zhongshu.rules.views.order_panel",
    "zhongshu.approvals.views.order_panel",
]


def order_panels(request, order) -> list[str]:
    rendered = []
    for path in ORDER_PANELS:
        try:
            panel = import_string(path)
        except ImportError:
            continue  # the app has no panel (yet)
        html = panel(request, order)
        if html:
            rendered.append(html)
    return rendered
