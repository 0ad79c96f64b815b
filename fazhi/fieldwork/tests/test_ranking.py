"""The ranking: the written review out of 100 by the same arithmetic as the score sheet, the
weighted composite only when all three components are in, shared ranks for ties, and a fixed
number of queries however many applicants and items there are."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from django.db import connection
from django.test.utils import CaptureQueriesContext

from fazhi.campaigns.models import Item, ItemStatus
from fazhi.campaigns.services import campaign_create, item_refine
from fazhi.conftest import make_region
from fazhi.fieldwork import selectors, services
from fazhi.fieldwork.selectors import RankingRow, assign_ranks, composite
from fazhi.frameworks.models import Aggregation
from fazhi.reviews.selectors import campaign_totals, campaigns_totals

from .conftest import give_written, set_scores


def rows_by_region(evaluation) -> dict[str, RankingRow]:
    return {row.label: row for row in selectors.ranking(evaluation)}


def test_batched_written_totals_match_the_score_sheet(
    evaluation, province, campaign, xc_campaign, people
):
    item_refine(acting_user=people.szq_lead, parent=campaign.items.get(code="2.1.4"), title="细化")
    give_written(province.lead, campaign, {"1.1.1": "2", "2.1.3": "3.5"})
    give_written(province.lead, xc_campaign, {"1.1.2": "10"})
    batched = campaigns_totals([campaign, xc_campaign])
    for one in (campaign, xc_campaign):
        expected = campaign_totals(one)
        assert batched[one.pk].scores["written"] == expected.scores["written"]
        assert batched[one.pk].maximum == expected.maximum
        assert batched[one.pk].scored["written"] == expected.scored["written"] == 4
    assert batched[campaign.pk].scores["written"] == Decimal("34.50")


def test_batched_totals_follow_a_weighted_framework(evaluation, province, campaign):
    campaign.framework.aggregation = Aggregation.WEIGHTED
    campaign.framework.save(update_fields=["aggregation"])
    campaign.refresh_from_db()
    give_written(province.lead, campaign, {"1.1.1": "5"})
    batched = campaigns_totals([campaign])[campaign.pk]
    assert batched.scores["written"] == campaign_totals(campaign).scores["written"]


def test_the_composite_weighs_the_three_scores(evaluation, province, campaign):
    give_written(province.lead, campaign, {"1.1.1": "4"})  # 36 of 40 → 90
    set_scores(province.lead, evaluation.applicants.get(campaign=campaign), "80", "70")
    row = rows_by_region(evaluation)["枣庄市市中区"]
    assert row.written == Decimal("90.00")
    assert row.composite == Decimal("83.00")  # 50% × 90 + 30% × 80 + 20% × 70
    assert row.rank == 1 and row.missing == []

    services.evaluation_update(
        acting_user=province.lead,
        evaluation=evaluation,
        name=evaluation.name,
        written_weight=20,
        field_weight=40,
        survey_weight=40,
    )
    assert rows_by_region(evaluation)["枣庄市市中区"].composite == Decimal("78.00")


def test_an_applicant_missing_a_component_is_listed_but_not_ranked(
    evaluation, province, campaign, xc_campaign
):
    give_written(province.lead, campaign)
    set_scores(province.lead, evaluation.applicants.get(campaign=campaign), "90", "")
    give_written(province.lead, xc_campaign)
    set_scores(province.lead, evaluation.applicants.get(campaign=xc_campaign), "60", "60")
    rows = selectors.ranking(evaluation)
    assert [(row.label, row.rank) for row in rows] == [("枣庄市薛城区", 1), ("枣庄市市中区", None)]
    waiting = rows[1]
    assert waiting.composite is None and waiting.missing == ["满意度测评"]
    assert waiting.written == 100 and waiting.field == 90


def test_a_written_review_under_way_is_provisional(evaluation, province, campaign):
    item = campaign.items.get(code="1.1.1")
    give_written(province.lead, campaign)
    item.assessments.all().delete()  # one indicator not yet scored
    set_scores(province.lead, evaluation.applicants.get(campaign=campaign), "90", "90")
    row = rows_by_region(evaluation)["枣庄市市中区"]
    assert row.written is None and row.written_provisional == Decimal("75.00")  # 30 of 40
    assert (row.written_scored, row.indicators) == (3, 4)
    assert row.missing == ["书面评审"] and row.rank is None


def test_equal_composites_share_a_rank():
    def row(name, value):
        region = SimpleNamespace(path=f"{name}/")
        applicant = SimpleNamespace(campaign=SimpleNamespace(pk=len(name), region=region))
        return SimpleNamespace(composite=value, campaign=applicant.campaign, rank=None)

    rows = [row("a", Decimal("80")), row("bb", Decimal("90")), row("ccc", Decimal("90"))]
    rows += [row("dddd", Decimal("70")), row("e", None)]
    ranked = assign_ranks(rows)
    assert [(r.composite, r.rank) for r in ranked] == [
        (Decimal("90"), 1),
        (Decimal("90"), 1),
        (Decimal("80"), 3),
        (Decimal("70"), 4),
        (None, None),
    ]


def test_applicants_with_equal_scores_tie_in_the_ranking(
    evaluation, province, campaign, xc_campaign
):
    for one in (campaign, xc_campaign):
        give_written(province.lead, one, {"2.1.4": "2"})
        set_scores(province.lead, evaluation.applicants.get(campaign=one), "85.5", "92")
    rows = selectors.ranking(evaluation)
    assert [row.rank for row in rows] == [1, 1]
    assert rows[0].composite == rows[1].composite == Decimal("91.55")  # 47.5 + 25.65 + 18.4


def test_composite_needs_every_component():
    weights = {"written": 50, "field": 30, "survey": 20}
    scores = {"written": Decimal("90"), "field": Decimal("80"), "survey": None}
    assert composite(weights, scores) is None
    assert composite(weights, {**scores, "survey": Decimal("70")}) == Decimal("83.00")


def test_an_evaluator_scores_in_writing_and_the_ranking_follows(
    evaluation, province, evaluator, campaign, xc_campaign
):
    for one in (campaign, xc_campaign):
        set_scores(province.lead, evaluation.applicants.get(campaign=one), "80", "80")
    give_written(province.lead, xc_campaign, {"1.1.1": "2"})  # 38 of 40 → 95
    assert [row.label for row in selectors.ranking(evaluation)] == ["枣庄市薛城区", "枣庄市市中区"]

    services.evaluator_grant(acting_user=province.lead, evaluation=evaluation, user=evaluator)
    give_written(evaluator, campaign)  # full marks from the third-party evaluator
    rows = selectors.ranking(evaluation)
    assert [(row.label, row.rank) for row in rows] == [("枣庄市市中区", 1), ("枣庄市薛城区", 2)]
    assert rows[0].composite == Decimal("90.00") and rows[1].composite == Decimal("87.50")


def test_progress_counts_approved_items_and_written_scores(evaluation, province, campaign):
    Item.objects.filter(campaign=campaign, code="1.1.1").update(status=ItemStatus.APPROVED)
    give_written(province.lead, campaign)
    row = rows_by_region(evaluation)["枣庄市市中区"]
    assert (row.items_approved, row.items_total) == (1, 4)
    assert (row.written_scored, row.indicators) == (4, 4)


def grow(evaluation, province, people, tree, campaign, count=3):
    """More applicants, each with refined items, written scores and field scores."""
    added = []
    for number in range(count):
        county = make_region(f"37040{5 + number}", f"新区{number}", "county", tree.city)
        one = campaign_create(
            acting_user=people.city_lead,
            framework=campaign.framework,
            region=county,
            name=f"新区{number}创建示范区",
            period_start=date(2024, 1, 1),
            period_end=date(2025, 12, 31),
        )
        for title in ("细化一", "细化二"):
            item_refine(
                acting_user=people.city_lead, parent=one.items.get(code="1.1.1"), title=title
            )
        give_written(province.lead, one, {"1.1.2": "1"})
        added.append(one)
    services.applicants_add(acting_user=province.lead, evaluation=evaluation, campaigns=added)
    for applicant in evaluation.applicants.all():
        set_scores(province.lead, applicant, "80", "90")
    give_written(province.lead, campaign)


def count_queries(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


def test_the_ranking_runs_a_fixed_number_of_queries(evaluation, province, people, tree, campaign):
    before = count_queries(lambda: selectors.ranking(evaluation))
    grow(evaluation, province, people, tree, campaign)
    assert evaluation.applicants.count() == 5
    after = count_queries(lambda: selectors.ranking(evaluation))
    assert before == after == 5  # applicants, areas, indicators, written scores, progress
