"""In a real browser, on a phone-sized screen where the review form sits far down the item page:
a verdict refused (退回修改 without a reason) comes back with the chosen verdict still checked,
the typed note on the file kept, and the error beside the field, scrolled into view."""

from django.core.files.base import ContentFile

from fazhi.campaigns import services as campaign_services
from fazhi.conftest import PASSWORD
from fazhi.core.tests import browser
from fazhi.core.tests.browser import BROWSER
from fazhi.evidence import services as evidence_services
from fazhi.reviews import services
from fazhi.reviews.models import RoundScope

pytestmark = BROWSER


def test_a_refused_verdict_keeps_the_choice_and_shows_the_error_in_view(
    page, live_server, campaign, people
):
    from playwright.sync_api import expect

    item = campaign.items.get(code="1.1.1")
    for n in range(6):  # a long list of materials pushes the form down the page
        evidence_services.evidence_upload(
            acting_user=people.szq_liaison,
            item=item,
            file=ContentFile(f"材料{n}".encode(), name=f"材料{n}.txt"),
        )
    item.refresh_from_db()
    campaign_services.item_submit(acting_user=people.szq_liaison, item=item)
    services.round_open(
        acting_user=people.szq_lead,
        campaign=campaign,
        name="内部审核",
        scope=RoundScope.ALL,
        starts_on=campaign.period_start,
        ends_on=campaign.period_end,
        reviewers=[services.ReviewerSeat(people.szq_reviewer)],
    )
    base = live_server.url
    page.set_viewport_size({"width": 390, "height": 844})
    browser.log_in(page, base, "szq_reviewer", PASSWORD)
    page.goto(f"{base}/campaigns/items/{item.pk}/")
    page.check("input[name=verdict][value=revise]")
    page.click("#decision summary")  # 对具体材料的意见
    page.locator("input[name^=note_]").first.fill("此件无盖章")
    page.click("button:has-text('提交审核意见')")

    error = page.locator("#comment-error")
    expect(error).to_contain_text("请写明原因")
    expect(error).to_be_in_viewport()
    assert page.evaluate("window.scrollY") > 0  # brought there by the form's #decision anchor
    expect(page.locator("input[name=verdict][value=revise]")).to_be_checked()
    expect(page.locator("input[name^=note_]").first).to_have_value("此件无盖章")

    page.fill("textarea[name=comment]", "缺少复议决定书")
    page.click("button:has-text('提交审核意见')")
    expect(page.locator("text=退回修改").first).to_be_visible()
    item.refresh_from_db()
    assert item.status == "returned"
