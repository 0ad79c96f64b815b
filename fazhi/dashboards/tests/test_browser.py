"""The campaign dashboard in a real browser: ECharts loads from our own static files, draws every
chart, and nothing goes to the console."""

from fazhi.conftest import PASSWORD
from fazhi.core.tests.browser import ARTIFACTS, BROWSER, log_in

pytestmark = BROWSER


def console_line(message) -> str:
    return f"{message.text} {message.location.get('url', '')}"


def real(problems):
    """The site has no favicon yet: the browser's request for it is not the page's error."""
    return [p for p in problems if not p.rstrip().endswith("/favicon.ico")]


def test_the_campaign_dashboard_draws_its_charts(page, live_server, campaign, people, work):
    work.approve("1.1.1")
    problems, outside = [], []
    page.on("console", lambda msg: msg.type == "error" and problems.append(console_line(msg)))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "request",
        lambda request: not request.url.startswith(live_server.url) and outside.append(request.url),
    )
    base = live_server.url
    log_in(page, base, "szq_leader", PASSWORD)

    page.click("nav >> text=数据看板")
    page.click(f"text={campaign.name}")
    charts = page.locator("[data-chart]")
    # areas, units, heat map and estimated score; nothing is late and no round exists yet
    assert charts.count() == 4
    page.wait_for_function(
        "() => document.querySelectorAll('[data-chart]:not([data-chart-ready])').length === 0"
    )
    for index in range(charts.count()):
        box = charts.nth(index).locator("canvas").bounding_box()
        assert box and box["width"] > 300 and box["height"] > 100
    assert page.evaluate("window.echarts.version").startswith("5.")
    assert page.locator("#panel-units table").inner_text().count("区司法局") == 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-campaign.png"), full_page=True)

    # The charts follow the window's width.
    page.set_viewport_size({"width": 700, "height": 900})
    page.wait_for_function(
        "() => document.querySelector('#chart-heatmap canvas').getBoundingClientRect().width"
        " <= document.querySelector('#chart-heatmap').getBoundingClientRect().width + 1"
    )

    # One unit's view, reached from the table under the chart.
    page.set_viewport_size({"width": 1366, "height": 900})
    page.click("#panel-units table >> text=区司法局")
    page.wait_for_selector("#panel-items")
    page.wait_for_function(
        "() => document.querySelectorAll('[data-chart]:not([data-chart-ready])').length === 0"
    )
    page.screenshot(path=str(ARTIFACTS / "dashboard-unit.png"), full_page=True)
    assert real(problems) == []
    assert outside == []
