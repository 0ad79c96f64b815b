"""The rectification journey in a real browser: the unit's liaison, on a phone, answers a finding
with a plan and asks to close it; the city's inspector rejects the request with a reason; the
liaison asks again; the inspector closes the finding, then escalates another unit's overdue one."""

from playwright.sync_api import expect

from fazhi.conftest import PASSWORD
from fazhi.core.tests.browser import ARTIFACTS, BROWSER, PHONE
from fazhi.inspections.models import Escalation, FindingStatus

pytestmark = BROWSER


def _log_in(page, url, user):
    page.goto(f"{url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")


def _ask_to_close(phone, note):
    phone.fill("#close-form textarea[name=note]", note)
    phone.click("#close-form button[type=submit]")
    expect(phone.locator("#finding-status")).to_have_text("申请销号")


def test_findings_go_from_rectification_to_close_with_a_rejection_and_an_escalation(
    page, live_server, people, findings
):
    url = live_server.url
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmations before each step
    context = page.context.browser.new_context(
        locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True
    )
    phone = context.new_page()
    phone.on("dialog", lambda dialog: dialog.accept())

    # The liaison finds the unit's finding in the ledger on a phone and answers it.
    _log_in(phone, url, people.szq_liaison)
    phone.goto(f"{url}/inspections/findings/")
    ledger = phone.inner_text("#ledger")
    assert "问题 1" in ledger and "问题 2" not in ledger  # another unit's finding stays hidden
    phone.click("#ledger >> text=问题 1")
    phone.fill("#plan-form textarea[name=measures]", "修订合法性审查制度，建立审查台账")
    phone.fill("#plan-form input[name=person]", "李科长")
    phone.click("#plan-form button[type=submit]")
    expect(phone.locator("#finding-status")).to_have_text("整改中")
    _ask_to_close(phone, "制度已印发")
    assert phone.locator("#verify-form").count() == 0
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "finding-phone.png"), full_page=True)

    # The inspector sees it waiting on the workbench and rejects it with a reason.
    _log_in(page, url, people.city_inspector)
    page.click("#inspection-card ul a")
    page.wait_for_url("**/inspections/findings/*/")
    page.select_option("#verify-form select[name=verdict]", "reject")
    page.fill("#verify-form textarea[name=note]", "未见印发文件，请补充")
    page.click("#verify-form button[type=submit]")
    expect(page.locator("#finding-status")).to_have_text("整改中")
    assert "未见印发文件" in page.inner_text("#updates")

    # The liaison reads the reason and asks again; the inspector closes the finding.
    phone.reload()
    assert "未见印发文件，请补充" in phone.inner_text("#updates")
    _ask_to_close(phone, "补充印发文件")
    page.reload()
    page.select_option("#verify-form select[name=verdict]", "accept")
    page.fill("#verify-form textarea[name=note]", "整改到位")
    page.click("#verify-form button[type=submit]")
    expect(page.locator("#finding-status")).to_have_text("已销号")
    findings.sfj.refresh_from_db()
    assert findings.sfj.status == FindingStatus.CLOSED

    # 市场监管局's finding is overdue: the inspector records a 约谈.
    page.goto(f"{url}/inspections/findings/?overdue=1")
    page.click("#ledger >> text=问题 2")
    expect(page.locator("#overdue")).to_be_visible()
    page.select_option("#escalate-form select[name=step]", "interview")
    page.fill("#escalate-form textarea[name=note]", "约谈分管负责人")
    page.click("#escalate-form button[type=submit]")
    expect(page.locator("#escalations")).to_contain_text("约谈")
    assert Escalation.objects.get().finding == findings.scjg
    page.screenshot(path=str(ARTIFACTS / "finding-escalated.png"), full_page=True)
    context.close()
