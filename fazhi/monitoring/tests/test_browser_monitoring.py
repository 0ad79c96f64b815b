"""The monitoring journey in a real browser: 市中区司法局's liaison reports a quarter's 出庭应诉
counts on a phone with the court's notice attached; the city's lead office imports the counties'
wide table (preview first, nothing stored), confirms it, confirms the unit's figure, and reads
the ranking of its counties with the trend chart drawn."""

from playwright.sync_api import expect

from fazhi.conftest import PASSWORD
from fazhi.core.tests.browser import ARTIFACTS, BROWSER, PHONE, log_in
from fazhi.monitoring.models import Figure, FigureStatus

pytestmark = BROWSER


def test_a_quarter_reported_imported_confirmed_and_ranked(
    page, live_server, people, wide_table, tmp_path
):
    url = live_server.url
    ARTIFACTS.mkdir(exist_ok=True)
    context = page.context.browser.new_context(
        locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True
    )
    phone = context.new_page()

    # The liaison reports on a phone, with the court's notice as evidence.
    log_in(phone, url, people.szq_liaison.username, PASSWORD)
    phone.goto(f"{url}/monitoring/")  # a unit is taken to its figures
    phone.click("text=填报数据")
    phone.select_option("#figure-form select[name=metric]", "court_appearance")
    phone.fill("#figure-form input[name=period]", "2025Q2")
    phone.fill("#figure-form input[name=numerator]", "6")
    phone.fill("#figure-form input[name=denominator]", "5")
    phone.click("#figure-form button[type=submit]")
    expect(phone.locator("#figure-form")).to_contain_text("分子 6 不能大于分母 5")
    phone.fill("#figure-form input[name=numerator]", "4")
    notice = tmp_path / "开庭通知.txt"
    notice.write_text("开庭通知 4 件", encoding="utf-8")
    phone.set_input_files("#figure-form input[name=files]", str(notice))
    phone.click("#figure-form button[type=submit]")
    expect(phone.locator("#rate")).to_have_text("80.00%")
    expect(phone.locator("text=开庭通知.txt")).to_be_visible()
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(ARTIFACTS / "monitoring-figure-phone.png"), full_page=True)

    # The city's lead office imports the counties' table: previewed, then confirmed.
    log_in(page, url, people.city_lead.username, PASSWORD)
    page.goto(f"{url}/monitoring/import/")
    page.set_input_files("#upload-form input[name=file]", str(wide_table))
    page.click("#upload-form button[type=submit]")
    expect(page.locator("#confirm-import")).to_have_text("确认导入 4 条数据")
    assert Figure.objects.filter(source="import").count() == 0
    page.click("#confirm-import")
    expect(page.locator(".msg")).to_contain_text("已导入 4 条监测数据")

    # ... confirms the unit's figure ...
    page.click("#figures >> text=市中区司法局")
    page.click("#confirm")
    expect(page.locator(".msg")).to_contain_text("已确认")
    assert Figure.objects.get(unit=people.szq_liaison.unit).status == FigureStatus.CONFIRMED

    # ... and reads the ranking: 市中区 18+4 of 20+5 appearances, the chart drawn.
    page.goto(f"{url}/monitoring/?period=2025Q2")
    expect(page.locator("[data-chart-ready]")).to_have_count(1)
    own = page.inner_text("#own-metrics")
    assert "27 / 35" in own  # 18 + 4 + 5 over 20 + 5 + 10: added, never averaged
    ranking = page.inner_text("#children")
    assert "市中区" in ranking and "薛城区" in ranking
    page.screenshot(path=str(ARTIFACTS / "monitoring-overview.png"), full_page=True)
    phone.goto(f"{url}/monitoring/figures/")
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 390
    context.clear_cookies()  # the city's lead office on a phone too
    log_in(phone, url, people.city_lead.username, PASSWORD)
    phone.goto(f"{url}/monitoring/?period=2025Q2")
    expect(phone.locator("[data-chart-ready]")).to_have_count(1)
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(ARTIFACTS / "monitoring-overview-phone.png"), full_page=True)
