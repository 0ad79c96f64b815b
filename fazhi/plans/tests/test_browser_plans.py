"""The work plan journey in a real browser: the lead office imports its 工作要点 from Word,
gives an unknown unit name to a unit on the preview and opens the 工作台账; a liaison then reads
the ledger on a phone and sees only its own unit's measures."""

from fazhi.conftest import PASSWORD
from fazhi.core.tests.browser import ARTIFACTS, BROWSER, PHONE
from fazhi.plans.models import MeasureUnit, Plan
from fazhi.plans.tests.test_plan_pages import LINES, _docx

pytestmark = BROWSER


def _log_in(page, url, user):
    page.goto(f"{url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")


def test_a_lead_office_imports_its_plan_and_a_liaison_reads_its_measures_on_a_phone(
    page, live_server, people, tree, tmp_path
):
    source = tmp_path / "市中区2025年法治政府建设工作要点.docx"
    source.write_bytes(_docx(LINES).read())
    _log_in(page, live_server.url, people.szq_lead)
    page.click("nav >> text=工作计划")
    page.click("text=导入工作计划")
    page.select_option("select[name=region]", label="市中区")
    page.fill("input[name=year]", "2025")
    page.set_input_files("input[name=file]", str(source))
    page.click("text=上传并预览")

    page.wait_for_selector("#measures")
    assert page.locator("#measures tbody tr").count() == 3
    assert "区气象局" in page.inner_text("#names")
    page.select_option("#names select", label="市中区司法局")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "plan-import-preview.png"), full_page=True)
    page.click("#confirm-import")

    page.wait_for_selector("#ledger")
    assert "已导入工作计划" in page.content()
    page.wait_for_selector("#chart-areas[data-chart-ready]")  # drawn by ECharts, CSP and all
    plan = Plan.objects.get()
    assert MeasureUnit.objects.get(measure__code="1.2").unit == tree.units.szq_sfj
    page.check("input[name=overdue]")
    page.click("text=筛选")
    page.wait_for_url("**overdue=1**")
    assert "加强规范性文件管理" in page.inner_text("#ledger")
    assert "开展气象普法" not in page.inner_text("#ledger")  # "每季度": no date, never overdue
    page.screenshot(path=str(ARTIFACTS / "plan-ledger.png"), full_page=True)

    # A second person on the same browser: a phone-sized context of its own.
    context = page.context.browser.new_context(
        locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True
    )
    phone = context.new_page()
    _log_in(phone, live_server.url, people.scjg_liaison)
    phone.goto(f"{live_server.url}/plans/{plan.pk}/")
    ledger = phone.inner_text("#ledger")
    assert "加强规范性文件管理" in ledger and "推行执法三项制度" in ledger
    assert "开展气象普法" not in ledger
    # The ledger reflows into cards: nothing wider than the phone.
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    phone.screenshot(path=str(ARTIFACTS / "plan-ledger-phone.png"), full_page=True)
    context.close()
