"""The synthetic province, at county scale with small campaigns: the proportions hold, and the
seeded rows work through the real login, selectors, search and scoping as uploaded ones do."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from fazhi.accounts.models import User
from fazhi.campaigns.models import Campaign, ItemStatus
from fazhi.campaigns.selectors import my_tasks
from fazhi.dashboards.selectors import dashboard_facts
from fazhi.evidence.models import Evidence
from fazhi.evidence.search import campaign_word, index_words
from fazhi.evidence.selectors import search_evidence
from fazhi.orgs.models import Region, Unit
from fazhi.reviews.models import Assessment, Review, Round, RoundStatus, Verdict
from fazhi.synthetic.orgs import PASSWORD
from fazhi.synthetic.seed import AlreadySeeded, seed

pytestmark = pytest.mark.django_db
MATERIALS = 400  # more than the leaves units work on: each gets one first
COUNTY = "990101"


def small(scale="county", **options):
    return seed(scale, progress=lambda message: None, materials_per_campaign=MATERIALS, **options)


@pytest.fixture
def county():
    small()
    return Campaign.objects.get(region__code=COUNTY)


def test_county_scale_seeds_one_campaign_at_the_issues_proportions(county):
    assert Region.objects.filter(path__startswith="990000/").count() == 3
    assert 40 <= Unit.objects.filter(region__code=COUNTY).count() <= 60
    assert Campaign.objects.filter(region__path__startswith="990000/").count() == 1
    assert 230 <= county.items.count() <= 250
    evidence = Evidence.objects.filter(item__campaign=county)
    assert evidence.count() == MATERIALS
    assert evidence.filter(current__isnull=True).count() == 0
    # Materials sit on leaves only, and each item's count is what refresh_item_status finds.
    assert not evidence.filter(item__children__isnull=False).exists()
    for item in county.items.filter(children__isnull=True):
        alive = item.evidence.filter(deleted_at__isnull=True).count()
        assert item.evidence_count == alive
        assert (item.status == ItemStatus.NOT_STARTED) == (alive == 0)


def test_a_seeded_materials_search_words_are_those_indexing_would_give(county):
    for evidence in Evidence.objects.filter(item__campaign=county).select_related(
        "item", "current__blob", "search_document"
    )[:40]:
        expected = index_words(
            evidence.title,
            evidence.doc_number,
            evidence.description,
            evidence.item.code,
            evidence.current.blob.text,
        )
        assert evidence.search_document.words == f"{campaign_word(county.pk)} {expected}"


def test_the_lead_admin_logs_in_with_the_documented_password_and_sees_the_dashboard(county, client):
    assert client.login(username=f"b{COUNTY}_lead", password=PASSWORD)
    response = client.get(reverse("dashboards:campaign", args=[county.pk]))
    assert response.status_code == 200
    lead = User.objects.get(username=f"b{COUNTY}_lead")
    facts = dashboard_facts(campaign=county, user=lead)
    # The dashboard counts the items units work on: the leaves of the refined tree.
    assert len(facts.items) == county.items.filter(children__isnull=True).count() > 180


def test_full_text_search_finds_a_seeded_material_by_a_word_of_its_text(county):
    lead = User.objects.get(username=f"b{COUNTY}_lead")
    evidence = (
        Evidence.objects.filter(item__campaign=county, current__blob__text__contains="规范性文件")
        .exclude(title__contains="规范性文件")
        .first()
    )
    assert evidence is not None
    found = search_evidence(campaign=county, user=lead, query="规范性文件")
    assert evidence in found


def test_a_liaison_sees_their_own_tasks_and_not_another_countys_campaign(county):
    small(scale="city", replace=True)
    liaison = User.objects.get(username="b990101_u07")  # the 司法局 of the first county
    assert liaison.unit.short_name == "区司法局"
    own = Campaign.objects.get(region__code="990101")
    other = Campaign.objects.get(region__code="990102")
    visible = Campaign.objects.visible_to(liaison)
    assert own in visible and other not in visible
    tasks = my_tasks(user=liaison)
    assert tasks.exists()
    assert set(tasks.values_list("campaign_id", flat=True)) == {own.pk}


def test_reviewers_have_pending_reviews_and_scores_stay_within_bounds(county):
    reviewer = User.objects.get(username=f"b{COUNTY}_r1")
    open_round = Round.objects.get(campaign=county, status=RoundStatus.OPEN)
    pending = Review.objects.filter(
        round=open_round, verdict=Verdict.PENDING, item__status=ItemStatus.SUBMITTED
    )
    assert pending.visible_to(reviewer).exists()
    returned = county.items.filter(status=ItemStatus.RETURNED, children__isnull=True)
    assert all(item.return_reason for item in returned)
    for assessment in Assessment.objects.filter(item__campaign=county):
        assert 0 <= assessment.score <= assessment.max_points
        assert not assessment.item.is_refined
        deducted = sum(d.points for d in assessment.deductions.all())
        assert assessment.score == assessment.max_points - deducted


def test_a_second_run_is_refused_unless_replacing(county):
    with pytest.raises(AlreadySeeded):
        small()
    with pytest.raises(CommandError, match="--replace"):
        call_command("bench", "seed", "--scale", "county", stdout=StringIO())
    first_titles = list(
        Evidence.objects.filter(item__campaign=county).order_by("pk").values_list("title")
    )
    small(replace=True)
    replaced = Campaign.objects.get(region__code=COUNTY)
    assert Campaign.objects.filter(region__path__startswith="990000/").count() == 1
    assert not Campaign.objects.filter(pk=county.pk).exists()
    titles = list(
        Evidence.objects.filter(item__campaign=replaced).order_by("pk").values_list("title")
    )
    assert titles == first_titles  # deterministic for one seed
