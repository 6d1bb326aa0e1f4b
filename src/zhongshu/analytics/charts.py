"""The KPI charts: pygal renders them on the server as SVG, inlined in the page.

The CSP forbids inline ``<style>``, inline ``<script>`` and ``style=`` attributes, and pygal writes
all three into every chart. ``svg()`` strips them; the styling pygal would have inlined is the
static file ``analytics/charts.css`` (written by ``stylesheet()``; a test keeps it current). No
JavaScript: bars and dots are plain links to the list behind them, so a click drills down.
"""

import html
import re

import pygal
from django.utils.translation import gettext as _
from pygal.style import Style

CHART_CLASS = ".pygal-chart "
COLOURS = ("#2563eb", "#f59e0b", "#dc2626", "#16a34a", "#7c3aed", "#0d9488", "#64748b", "#db2777")
STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#334155",
    foreground_strong="#0f172a",
    foreground_subtle="#94a3b8",
    font_family="system-ui, -apple-system, 'PingFang SC', 'Microsoft YaHei', sans-serif",
    label_font_size=11,
    major_label_font_size=11,
    value_font_size=11,
    legend_font_size=11,
    title_font_size=13,
    colors=COLOURS,
    opacity=".85",
    opacity_hover="1",
)
BASE = {
    "style": STYLE,
    "js": [],
    "disable_xml_declaration": True,
    "width": 420,
    "height": 220,
    "margin": 8,
    "show_legend": False,
    "print_values": False,
    "pretty_print": False,
    "explicit_size": False,
    "tooltip_border_radius": 0,
    "value_formatter": lambda v: round_label(v),
}


def round_label(value) -> str:
    """Axis and value labels rounded: 105.1666667 → 105.2, 12.0 → 12, 3000 → 3,000."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    text = f"{number:,.1f}"
    return text[:-2] if text.endswith(".0") else text


def line_label(code: str, name: str) -> str:
    """A production line as ``CNC 加工线`` — the code only when the name does not already say it."""
    return name if code and name.startswith(code) else f"{code} {name}".strip()


_STRIP = [
    re.compile(r"<style[^>]*>.*?</style>", re.S),
    re.compile(r"<script[^>]*>.*?</script>", re.S),
    re.compile(r"<script[^>]*/>"),
    re.compile(r"<!--.*?-->", re.S),
    re.compile(r'<desc class="xlink">.*?</desc>', re.S),  # pygal's copy of each link, for its JS
    re.compile(r' style="[^"]*"'),
    re.compile(r' id="chart-[0-9a-f-]+"'),
]


def _clean(text: str) -> str:
    for pattern in _STRIP:
        text = pattern.sub("", text)
    return text


def _number(point) -> float:
    value = point.get("value") if isinstance(point, dict) else point
    if isinstance(value, (list, tuple)):  # XY points: the y
        value = value[-1] if value else None
    try:
        return float(value or 0)
    except (TypeError, ValueError):
        return 0.0


def is_empty(chart) -> bool:
    """No series, or nothing but zeros and gaps in every one: a chart would only draw a bare axis."""
    return not any(_number(point) for values, _config in chart.raw_series for point in values)


def empty_svg(label: str, width: int, height: int) -> str:
    """The empty state in the chart's place and size: "暂无数据" in the middle, no axis."""
    name = _escape(label)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="pygal-chart chart-empty" role="img" '
        f'aria-label="{name}" viewBox="0 0 {width} {height}"><title>{name}</title>'
        f'<text class="no_data" x="{width // 2}" y="{height // 2}" text-anchor="middle" '
        f'dominant-baseline="middle">{_escape(_("No data"))}</text></svg>'
    )


def svg(chart, label: str) -> str:
    """The chart as inline SVG markup, safe under the CSP, labelled for screen readers; the empty
    state instead when every series is empty or all zeros."""
    if is_empty(chart):
        return empty_svg(label, chart.config.width, chart.config.height)
    chart.no_data_text = _("No data")
    text = _clean(chart.render(is_unicode=True))
    # pygal names an untitled chart "Pygal" (a tooltip in some browsers): name it as labelled
    text = text.replace("<title>Pygal</title>", f"<title>{_escape(label)}</title>", 1)
    return text.replace("<svg ", f'<svg role="img" aria-label="{_escape(label)}" ', 1)


def _escape(text: str) -> str:
    return (
        str(text).replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
        .replace(">", "&gt;")
    )  # fmt: skip


def _value(value, url: str = "", label: str = ""):
    point = {"value": value}
    if url:
        point["xlink"] = {"href": url, "target": "_top"}
    if label:
        point["label"] = label
    return point


def pending_chart(kpi: dict) -> str:
    labels = [_("Awaiting review"), _("Awaiting scheduling"), _("Awaiting my approval"),
              _("Due today")]  # fmt: skip
    keys = ["awaiting_review", "awaiting_scheduling", "awaiting_my_approval", "due_today"]
    chart = pygal.HorizontalBar(**BASE, show_y_labels=True)
    chart.x_labels = labels
    chart.add(_("Orders"), [_value(kpi[k], kpi["urls"][k]) for k in keys])
    return svg(chart, _("Pending orders today"))


def overdue_chart(kpi: dict) -> str:
    chart = pygal.Bar(**BASE)
    chart.x_labels = [_("%(bucket)s days") % {"bucket": b["bucket"]} for b in kpi["by_days"]]
    chart.add(_("Overdue orders"), [_value(b["count"], b["url"]) for b in kpi["by_days"]])
    return svg(chart, _("Overdue orders by days late"))


def overdue_stage_chart(kpi: dict) -> str:
    chart = pygal.HorizontalBar(**BASE)
    chart.x_labels = [s["label"] for s in kpi["by_stage"]]
    chart.add(_("Overdue orders"), [_value(s["count"], s["url"]) for s in kpi["by_stage"]])
    return svg(chart, _("Overdue orders by stage"))


def load_chart(kpi: dict) -> str:
    top = max((line["load_rate"] or 0 for line in kpi["lines"]), default=0)
    chart = pygal.HorizontalBar(**BASE, range=(0, max(100, top)))
    chart.x_labels = [line_label(line["code"], line["name"]) for line in kpi["lines"]]
    chart.add(
        _("Load rate (%)"),
        [_value(line["load_rate"] or 0, line["url"]) for line in kpi["lines"]],
    )
    return svg(chart, _("Load rate per production line, next 7 days"))


def on_time_chart(kpi: dict) -> str:
    chart = pygal.Line(**BASE, range=(0, 100), dots_size=3, show_only_major_dots=False)
    chart.x_labels = [w["end"].strftime("%m-%d") for w in kpi["trend"]]
    chart.add(_("On-time rate (%)"), [w["rate"] for w in kpi["trend"]])
    return svg(chart, _("On-time delivery rate per week"))


def month_chart(kpi: dict) -> str:
    chart = pygal.Bar(**{**BASE, "show_legend": True}, legend_at_bottom=True, legend_box_size=10)
    chart.x_labels = [_("Last month (same day)"), _("This month")]
    chart.add(
        _("Orders"),
        [_value(kpi["last_month"]["count"]), _value(kpi["this_month"]["count"], kpi["url"])],
    )
    chart.add(
        _("Amount (¥10k)"),
        [
            round(float(kpi["last_month"]["amount"]) / 10000, 2),
            round(float(kpi["this_month"]["amount"]) / 10000, 2),
        ],
        secondary=True,
    )
    return svg(chart, _("Orders and amount, this month vs last month"))


def stock_chart(kpi: dict) -> str:
    chart = pygal.HorizontalBar(**BASE)
    chart.x_labels = [_("Levels below safety stock"), _("Materials short for open orders")]
    chart.add(
        _("Stock alerts"),
        [
            _value(kpi["below_safety_levels"], kpi["below_safety_url"]),
            _value(kpi["short_materials"], kpi["url"]),
        ],
    )
    return svg(chart, _("Stock alerts"))


def render_all(data: dict) -> dict:
    charts = {
        "pending_today": pending_chart(data["pending_today"]),
        "overdue": overdue_chart(data["overdue"]),
        "overdue_stage": overdue_stage_chart(data["overdue"]),
        "on_time_rate": on_time_chart(data["on_time_rate"]),
        "month_orders": month_chart(data["month_orders"]),
    }
    if data["line_load"] is not None and data["line_load"]["lines"]:
        charts["line_load"] = load_chart(data["line_load"])
    if data["stock_alerts"] is not None:
        charts["stock_alerts"] = stock_chart(data["stock_alerts"])
    return charts


def stylesheet() -> str:
    """The CSS pygal inlines into each chart, for every chart class at once (static file)."""
    chart = pygal.Bar(**{**BASE, "pretty_print": False})
    chart.x_labels = ["a"]
    for i in range(len(COLOURS)):
        chart.add(str(i), [1], secondary=bool(i % 2))
    text = chart.render(is_unicode=True)
    # the CSS comes out of serialised XML: "a > b" reads "a &gt; b" there
    css = html.unescape("\n".join(re.findall(r"<style[^>]*>(.*?)</style>", text, re.S)))
    css = css.replace(f"#chart-{chart.uuid} ", CHART_CLASS)
    css = css.replace(f"#chart-{chart.uuid}", CHART_CLASS.strip())
    # pygal hides its tooltip with a style attribute, which the CSP strips
    return css + "\n.pygal-chart .tooltip{opacity:0}\n"
