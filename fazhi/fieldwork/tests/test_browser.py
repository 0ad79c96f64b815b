"""The province's journey in a real browser: from the navigation to the evaluation, field and
survey scores typed into the ranking table, the ranking updated in place of the dashes."""

from fazhi.conftest import PASSWORD
from fazhi.core.tests.browser import ARTIFACTS, BROWSER, log_in

from .conftest import give_written

pytestmark = BROWSER


def test_the_province_enters_scores_and_sees_the_ranking(
    page, live_server, evaluation, province, campaign, xc_campaign
):
    give_written(province.lead, campaign, {"1.1.1": "4"})  # 90 of 100
    give_written(province.lead, xc_campaign)  # 100 of 100
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    base = live_server.url
    log_in(page, base, "province_reviewer", PASSWORD)

    page.click("nav >> text=省级评估")
    page.click(f"text={evaluation.name}")
    szq = evaluation.applicants.get(campaign=campaign)
    xc = evaluation.applicants.get(campaign=xc_campaign)
    assert page.locator(f"#applicant-{szq.pk} td").first.inner_text().strip() == "—"

    for applicant, field, survey in ((szq, "96", "90"), (xc, "80", "70")):
        row = page.locator(f"#applicant-{applicant.pk}")
        row.locator("input[name=field_score]").fill(field)
        row.locator("input[name=survey_score]").fill(survey)
        row.locator("button", has_text="保存").click()
        page.wait_for_selector("text=的得分。")

    ranked = page.locator("#ranking tbody tr")
    assert ranked.nth(0).get_attribute("id") == f"applicant-{szq.pk}"
    assert ranked.nth(0).locator("td").first.inner_text().strip() == "1"
    assert "91.8" in ranked.nth(0).inner_text()  # 45 + 28.8 + 18
    assert ranked.nth(1).locator("td").first.inner_text().strip() == "2"
    assert "88" in ranked.nth(1).inner_text()  # 50 + 24 + 14
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "fieldwork-ranking.png"), full_page=True)
    assert problems == []
