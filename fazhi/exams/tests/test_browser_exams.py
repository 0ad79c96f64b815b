"""Sitting a timed test on a phone in a real browser: the code typed in, answers given, the page
reloaded halfway (nothing lost: the answers come back from the server), and the paper submitted
by the server's clock when the time runs out."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from fazhi.core.tests.browser import ARTIFACTS, BROWSER
from fazhi.exams.models import Answer, Question, Sitting, SittingStatus

pytestmark = BROWSER


def _fieldset(page, kind):
    return page.locator(f'fieldset[data-kind="{kind}"]').first


def test_a_timed_test_on_a_phone_survives_a_reload_and_submits_itself(
    phone_page, live_server, exam, drawn
):
    page = phone_page
    exam.closes_at = timezone.now() + timedelta(seconds=40)
    exam.save(update_fields=["closes_at"])
    person = drawn["李四"]
    page.goto(f"{live_server.url}/exams/t/")
    page.fill("#code", person.code.lower())
    page.click("text=进入考试")
    expect(page.locator("text=李四")).to_be_visible()
    page.click("#start")
    expect(page.locator("#clock")).not_to_have_text("--:--")

    single = _fieldset(page, "single")
    single.locator("input").nth(1).check()
    expect(page.locator("#status")).to_have_text("已保存")
    multiple = _fieldset(page, "multiple")
    multiple.locator("input").nth(0).check()
    multiple.locator("input").nth(2).check()
    expect(page.locator("#status")).to_have_text("已保存")
    blank = _fieldset(page, "blank").locator("input")
    blank.fill("六十")
    blank.blur()
    expect(page.locator("#status")).to_have_text("已保存")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "exams-sitting-phone.png"), full_page=True)

    page.reload()  # halfway: everything given so far comes back from the server
    expect(_fieldset(page, "single").locator("input").nth(1)).to_be_checked()
    expect(_fieldset(page, "multiple").locator("input").nth(0)).to_be_checked()
    expect(_fieldset(page, "multiple").locator("input").nth(2)).to_be_checked()
    expect(_fieldset(page, "blank").locator("input")).to_have_value("六十")
    _fieldset(page, "judge").locator("input").first.check()
    expect(page.locator("#status")).to_have_text("已保存")

    # No one presses 交卷: the clock runs out and the page submits itself.
    expect(page.locator("#done")).to_be_visible(timeout=90_000)
    expect(page.locator("#done")).to_contain_text("自动交卷")
    page.screenshot(path=str(ARTIFACTS / "exams-done-phone.png"), full_page=True)
    sitting = Sitting.objects.get(candidate=person)
    assert sitting.status != SittingStatus.OPEN and sitting.auto_submitted
    given = {
        Question.objects.get(pk=a.question_id).kind: a.response
        for a in Answer.objects.filter(sitting=sitting).exclude(response=[])
    }
    assert set(given) == {"single", "multiple", "judge", "blank"}
    assert len(given["multiple"]) == 2 and given["blank"] == ["六十"]
