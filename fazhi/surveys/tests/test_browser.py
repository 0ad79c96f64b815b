"""A respondent answers the public questionnaire on a phone, without an account."""

from playwright.sync_api import expect

from fazhi.core.tests.browser import BROWSER, PHONE
from fazhi.surveys.models import Respondent

pytestmark = BROWSER


def test_a_resident_answers_the_questionnaire_on_a_phone(phone_page, live_server, wave):
    page, stratum = phone_page, wave.strata.get(name="孟庄镇")
    page.goto(f"{live_server.url}/surveys/s/{stratum.key}/")
    expect(page.get_by_role("heading", name=wave.name)).to_be_visible()
    for i, item in enumerate(wave.items.all()):
        group = page.get_by_role("group", name=f"{i + 1}. {item.title}")
        group.get_by_label(["满意", "较满意", "不清楚"][i], exact=True).check()
    # Nothing wider than the phone: no sideways scrolling to reach a choice.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("button", name="提交").click()
    expect(page.locator("#thanks")).to_contain_text("感谢您参与")
    assert Respondent.objects.get().answers == "014"


def test_a_household_answers_its_printed_invitation_on_a_phone(
    phone_page, live_server, people, wave
):
    """The office issues invitations for a town on a phone-sized screen, opens the print page,
    and a household's link (its QR code) admits one response."""
    from fazhi.conftest import PASSWORD
    from fazhi.core.tests.browser import log_in

    page, town = phone_page, wave.strata.get(name="齐村镇")
    log_in(page, live_server.url, people.szq_lead.username, PASSWORD)
    page.goto(f"{live_server.url}/surveys/{wave.pk}/invitations/")
    page.get_by_label("样本单元").select_option(label="齐村镇")
    page.get_by_label("份数").fill("2")
    page.get_by_role("button", name="生成邀请").click()
    expect(page.locator(".invitation-card")).to_have_count(2)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    link = page.locator(".invitation-card .qr-url").first.inner_text()
    page.goto(link)
    for item in wave.items.all():
        page.get_by_role("group", name=item.title).get_by_label("较满意", exact=True).check()
    page.get_by_role("button", name="提交").click()
    expect(page.locator("#thanks")).to_contain_text("感谢您参与")
    assert Respondent.objects.get(stratum=town).answers == "111"
    page.goto(link)
    expect(page.get_by_text("已经提交过")).to_be_visible()
