"""The demo campaign shows every page something: refined items, materials with extracted text,
a duplicate, a date before the period; and loading the demo twice adds nothing."""

from io import StringIO

from django.core.management import call_command

from fazhi.campaigns.models import Campaign
from fazhi.evidence import selectors
from fazhi.evidence.models import Evidence


def test_the_demo_campaign_has_refined_items_materials_and_something_to_check(db):
    call_command("demo_data", stdout=StringIO())
    call_command("demo_data", stdout=StringIO())
    campaign = Campaign.objects.get()
    assert campaign.items.filter(is_refined=True).count() == 2
    assert Evidence.objects.count() == 4
    lead = campaign.created_by
    assert len(selectors.duplicate_groups(campaign=campaign, user=lead)) == 1
    assert [e.title for e in selectors.out_of_period(campaign=campaign, user=lead)] == [
        "2021年规范性文件备案审查情况"
    ]
    notice = Evidence.objects.get(title__startswith="关于印发")
    assert notice.doc_number == "市中政办发〔2024〕15号"  # read from the text


def test_the_demo_has_a_round_with_a_return_a_pass_and_scores(db):
    from fazhi.reviews.models import Assessment, Review, Verdict

    call_command("demo_data", stdout=StringIO())
    verdicts = set(Review.objects.values_list("verdict", flat=True))
    assert {Verdict.SUPPLEMENT, Verdict.PASS} <= verdicts
    assert Assessment.objects.filter(side="self").count() == 6
    assert Assessment.objects.filter(side="review").count() == 3
