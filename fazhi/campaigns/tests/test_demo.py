"""`fazhi demo-data` loads a demo that is alive on the day it runs: dates counted from today,
materials on most items, a closed and an open review round, and a city evaluation whose ranking
shows; loading it again adds nothing, and on a later day moves the dates along."""

from collections import Counter
from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from fazhi.accounts.models import AuditEntry, User
from fazhi.campaigns.models import Campaign, Explanation, Item, ItemStatus, SelfAssessment
from fazhi.core.demo import Calendar, happening_at
from fazhi.evidence import selectors
from fazhi.evidence.models import Evidence
from fazhi.fieldwork.models import Applicant, Evaluation
from fazhi.fieldwork.selectors import ranking
from fazhi.plans.models import Plan
from fazhi.reviews.models import Assessment, Comment, Review, Round, RoundStatus, Verdict

DEMO = "市中区创建全国法治政府建设示范区（演示）"
PASSWORD = "Fazhi@2026"


def load() -> str:
    out = StringIO()
    call_command("demo_data", stdout=out)
    return out.getvalue()


def deadlines_against(today, items) -> Counter:
    """Items by where they stand against their deadline on `today`: overdue (before today, not
    approved), due soon (today to three days ahead, not approved), or later."""
    standing = Counter()
    for item in items:
        if item.status == ItemStatus.APPROVED:
            continue
        if item.deadline < today:
            standing["overdue"] += 1
        elif item.deadline <= today + timedelta(days=3):
            standing["due_soon"] += 1
        else:
            standing["later"] += 1
    return standing


def counts() -> dict[str, int]:
    models = [User, Campaign, Item, Evidence, Round, Review, Comment, Assessment]
    models += [Explanation, SelfAssessment]
    models += [Evaluation, Applicant, Plan]  # progress reports grow as quarters end
    return {model.__name__: model.objects.count() for model in models}


def assert_alive(output: str, client) -> None:
    """What a visitor of the freshly loaded demo finds on each page."""
    today = timezone.localdate()
    campaign = Campaign.objects.get(name=DEMO)
    leaves = list(campaign.items.filter(children__isnull=True))

    # The campaign runs today; a handful of items are overdue, some due soon, most later.
    assert campaign.period_start < today < campaign.period_end
    standing = deadlines_against(today, leaves)
    assert 3 <= standing["overdue"] <= 8
    assert standing["due_soon"] >= 3
    assert standing["later"] > standing["overdue"] + standing["due_soon"]
    assert Counter(item.status for item in leaves)[ItemStatus.APPROVED] >= 30

    # Materials on most items, with their text read: search finds them, the checks find the
    # duplicate and the report from before the period, and the notice's number is read.
    assert sum(1 for item in leaves if item.evidence_count) / len(leaves) >= 0.6
    materials = Evidence.objects.filter(item__campaign=campaign)
    assert materials.count() >= 120
    assert {
        name.rsplit(".", 1)[-1]
        for name in materials.values_list("current__original_name", flat=True)
    } >= {"docx", "pdf", "xlsx", "txt", "jpg"}
    lead = campaign.created_by
    assert selectors.search_evidence(campaign=campaign, user=lead, query="行政复议").count() >= 2
    assert len(selectors.duplicate_groups(campaign=campaign, user=lead)) == 1
    assert [e.title for e in selectors.out_of_period(campaign=campaign, user=lead)] == [
        f"{campaign.period_start.year - 2}年规范性文件备案审查情况"
    ]
    notice = materials.get(title__startswith="关于印发《市中区行政复议")
    assert notice.doc_number.startswith("市中政办发〔")  # read from the text

    # Round 1 closed weeks ago with passes and returns; round 2 is open today, some items wait
    # for review, some were judged, and returned items carry the unit's answer.
    first, second = campaign.rounds.order_by("number")
    assert first.status == RoundStatus.CLOSED and first.ends_on < today - timedelta(days=14)
    assert timezone.localdate(first.closed_at) < today - timedelta(days=14)
    assert second.status == RoundStatus.OPEN and second.starts_on < today < second.ends_on
    verdicts = Counter(first.reviews.values_list("verdict", flat=True))
    assert (
        verdicts[Verdict.PASS] >= 20
        and verdicts[Verdict.REVISE] + verdicts[Verdict.SUPPLEMENT] >= 8
    )
    waiting = second.reviews.filter(verdict=Verdict.PENDING, item__status=ItemStatus.SUBMITTED)
    assert waiting.count() >= 8
    assert second.reviews.exclude(verdict=Verdict.PENDING).count() >= 8
    answers = Comment.objects.filter(review__round=second, verdict="", evidence__isnull=True)
    assert answers.count() >= 5
    assert all(c.author.role_codes() == ["liaison"] for c in answers.select_related("author"))
    assert Assessment.objects.filter(item__campaign=campaign, side="self").count() >= 50
    assert Assessment.objects.filter(item__campaign=campaign, side="review").count() >= 20

    # The written self-assessment: explanations drafted, three highlights chosen before the
    # filing, so the filed report carries them; the lead office's page lists what is missing.
    explained = Explanation.objects.filter(item__campaign=campaign).exclude(text="")
    assert explained.count() >= 10
    assert len(SelfAssessment.objects.get(campaign=campaign).highlight_item_ids) == 3
    assert "自评说明：" in output

    # The city's evaluation ranks at least three districts whose written reviews are complete.
    evaluation = Evaluation.objects.get()
    rows = ranking(evaluation)
    ranked = [row for row in rows if row.rank is not None]
    assert len(ranked) >= 3 and all(row.written is not None for row in ranked)
    assert len(rows) > len(ranked)  # one district's written review is still under way
    # Each district's filing went in before its written review, which reads it.
    for row in rows:
        filed = row.campaign.filing_submissions.get()
        assert filed.is_open and filed.manifest
        first = Assessment.objects.filter(item__campaign=row.campaign, side="written")
        assert filed.submitted_at < first.earliest("assessed_at").assessed_at

    # Every account is printed with what to try; the evaluator logs in and sees the ranking.
    for username in User.objects.values_list("username", flat=True):
        assert username in output
    assert "zz_evaluator" in output and "综合排名" in output and PASSWORD in output
    response = client.post("/accounts/login/", {"username": "zz_evaluator", "password": PASSWORD})
    assert response.status_code == 302
    page = client.get(f"/fieldwork/{evaluation.pk}/").content.decode()
    for row in ranked:
        assert row.label in page

    # The work plan went through every step this year and its units report every quarter.
    plan = Plan.objects.get(region__code="370402", status="issued")
    ended = plan.periods.filter(ends_on__lt=today)
    assert ended.exists() and plan.doc_number and plan.comments.count() == 2
    assert set(ended.filter(reports__isnull=False).distinct()) == set(ended)
    assert plan.measures.filter(status="completed").count() == 1
    assert plan.measures.filter(status="behind").count() == 1
    assert "工作计划" in output
    client.post("/accounts/login/", {"username": "szq_admin", "password": PASSWORD})
    ledger = client.get(f"/plans/{plan.pk}/").content.decode()
    assert "深化“一网通办”改革" in ledger and "滞后" in ledger
    page = client.get(f"/campaigns/{campaign.pk}/self-assessment/").content.decode()
    assert f"<strong>{explained.count()}</strong> / {len(leaves)} 项指标已填写自评说明" in page


def test_the_demo_is_alive_today_and_loading_it_again_adds_nothing(db, client):
    # One load for every check: the demo takes a while to load.
    assert_alive(load(), client)

    before, audit = counts(), AuditEntry.objects.count()
    load()
    assert counts() == before
    assert AuditEntry.objects.count() == audit  # the same day: nothing to write at all

    # A month later the same story is told about the new today.
    later = Calendar.from_clock().moment(30, 9)
    with happening_at(later):
        load()
        today = timezone.localdate()
        assert counts() == before
        campaign = Campaign.objects.get(name=DEMO)
        leaves = campaign.items.filter(children__isnull=True)
        assert campaign.period_start < today < campaign.period_end
        standing = deadlines_against(today, leaves)
        assert 3 <= standing["overdue"] <= 8 and standing["due_soon"] >= 3
        second = campaign.rounds.get(status=RoundStatus.OPEN)
        assert second.starts_on < today < second.ends_on
