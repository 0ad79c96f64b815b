"""The case-file review journey in a real browser: the city's lead office draws the sample with
a seed and gives the files out across units; a reviewer, on a phone, opens the file given to them
and fills the score sheet (a deduction outside its range is refused on the page, nothing
stored); the total and grade are the system's; the 通报 shows the unit's result and the problem."""

from playwright.sync_api import expect

from fazhi.casereviews import services
from fazhi.casereviews.models import Case, ScoreSheet
from fazhi.conftest import PASSWORD
from fazhi.core.tests.browser import ARTIFACTS, BROWSER, PHONE, log_in

pytestmark = BROWSER


def test_a_file_goes_from_sample_to_score_sheet_to_the_report(
    page, live_server, tree, people, review, cases
):
    url = live_server.url
    services.review_set_reviewers(
        acting_user=people.city_lead, review=review, reviewers=[people.szq_reviewer, people.xc_lead]
    )
    page.on("dialog", lambda dialog: dialog.accept())
    ARTIFACTS.mkdir(exist_ok=True)

    # The lead office draws one file per unit with a seed, then gives them out.
    log_in(page, url, "city_lead", PASSWORD)
    page.goto(f"{url}/casereviews/")
    page.click(f"#reviews >> text={review.name}")
    page.fill("#sample-form input[name=per_unit]", "1")
    page.fill("#sample-form input[name=seed]", "3")
    page.click("#sample-form button[type=submit]")
    expect(page.locator("#seed")).to_have_text("3")
    assert page.locator("#cases tbody tr").count() == 3
    page.click("#assign-form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("已分配案卷 3 件")
    page.screenshot(path=str(ARTIFACTS / "casereview-desktop.png"), full_page=True)
    for sheet in ScoreSheet.objects.select_related("case", "reviewer"):
        assert sheet.reviewer.unit_id != sheet.case.unit_id

    # The 薛城区 file went to 市中区's reviewer; on a phone they open and score it.
    case = Case.objects.get(sampled=True, unit=tree.units.xc_sfj)
    assert ScoreSheet.objects.get(case=case).reviewer == people.szq_reviewer
    phone = page.context.browser.new_context(
        locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True
    ).new_page()
    log_in(phone, url, "szq_reviewer", PASSWORD)
    phone.goto(f"{url}/casereviews/")
    phone.click(f"#reviews >> text={review.name}")
    listed = phone.inner_text("#cases")
    assert case.number in listed and "370402-sfj" not in listed  # only the file given to them
    phone.click(f"#cases >> text={case.number}")
    items = {
        i.code: i.pk for s in services.standard_for(case).sections.all() for i in s.items.all()
    }
    phone.fill(f"input[name=points-{items['4']}]", "20")
    phone.click("#save-sheet")
    expect(phone.locator(".messages")).to_contain_text("不在该项的扣分区间 5–15 分之内")
    assert ScoreSheet.objects.get(case=case).status == "assigned"
    phone.fill(f"input[name=points-{items['4']}]", "8")
    phone.fill(f"input[name=reason-{items['4']}]", "现场笔录无当事人签字")
    phone.fill(f"input[name=page-{items['4']}]", "12")
    phone.fill(f"input[name=count-{items['1']}]", "6")
    phone.click("#save-sheet")
    expect(phone.locator(".messages")).to_contain_text("88.00 分，合格")
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    phone.screenshot(path=str(ARTIFACTS / "casereview-sheet-phone.png"), full_page=True)

    # The 通报 shows 薛城区司法局's file and the problem found in it.
    page.goto(f"{url}/casereviews/{review.pk}/")
    page.click("#report-link")
    expect(page.locator("#units")).to_contain_text("薛城区司法局")
    assert "88" in page.inner_text("#units")
    expect(page.locator("#problems")).to_contain_text("现场笔录无当事人签字")
    page.screenshot(path=str(ARTIFACTS / "casereview-report-desktop.png"), full_page=True)
