from pathlib import Path

import zhongshu.analytics
from zhongshu.analytics import charts

STATIC_CSS = Path(zhongshu.analytics.__file__).parent / "static" / "analytics" / "charts.css"


def test_the_static_chart_stylesheet_is_current():
    # pygal's own CSS, lifted out of the charts because the CSP forbids inline <style>;
    # after a pygal upgrade or a style change: write charts.stylesheet() to the file again
    assert STATIC_CSS.read_text() == charts.stylesheet()


def test_a_chart_is_svg_without_inline_style_script_or_ids():
    svg = charts.overdue_chart(
        {"by_days": [{"bucket": "1-3", "count": 2, "url": "/orders/?due_to=2026-01-01&x=1"}]}
    )
    assert svg.startswith('<svg role="img" aria-label="')
    for banned in ("<style", "<script", " style=", ' id="chart-', "<!--"):
        assert banned not in svg
    assert 'xlink:href="/orders/?due_to=2026-01-01&amp;x=1"' in svg
