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
