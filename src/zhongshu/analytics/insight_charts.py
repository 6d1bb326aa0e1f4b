"""Charts of the effect report and the daily-active ratio (pygal SVG, cleaned for the CSP)."""

import pygal
from django.utils.translation import gettext as _

from .charts import BASE, svg

SMALL = {**BASE, "width": 300, "height": 160}


def effect_charts(data: dict) -> list[dict]:
    """One small two-bar chart (period A, period B) per metric that has both values."""
    out = []
    for m in data["metrics"]:
        if m["a"] is None and m["b"] is None:
            continue
        chart = pygal.Bar(**SMALL)
        chart.x_labels = [_("Period A"), _("Period B")]
        chart.add(m["label"], [m["a"] or 0, m["b"] or 0])
        out.append({"key": m["key"], "label": m["label"], "svg": svg(chart, m["label"])})
    return out


def daily_active_chart(active: dict) -> str:
    chart = pygal.Line(**BASE, range=(0, 100), dots_size=2, x_label_rotation=45)
    chart.x_labels = [d["day"].strftime("%m-%d") for d in active["days"]]
    chart.add(_("Daily active users (%)"), [d["ratio"] for d in active["days"]])
    return svg(chart, _("Daily active users (%)"))
