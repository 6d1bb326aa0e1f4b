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


def _stock(below: int, short: int) -> dict:
    return {"below_safety_levels": below, "below_safety_url": "/b", "short_materials": short,
            "url": "/s"}  # fmt: skip


def test_an_all_zero_chart_shows_the_empty_state_not_an_axis():
    from django.utils import translation

    with translation.override("zh-hans"):
        svg = charts.stock_chart(_stock(0, 0))
    assert "chart-empty" in svg
    assert "暂无数据" in svg
    assert 'class="axis' not in svg  # no 0–1 axis drawn
    assert svg.count('aria-label="') == 1
    for banned in ("<style", "<script", " style="):
        assert banned not in svg


def test_an_empty_series_shows_the_empty_state():
    assert "chart-empty" in charts.overdue_chart({"by_days": []})
    assert "chart-empty" in charts.on_time_chart({"trend": []})


def test_a_chart_with_any_value_is_drawn():
    svg = charts.stock_chart(_stock(0, 3))
    assert "chart-empty" not in svg
    assert 'class="axis' in svg
