"""The demo's case-file review: a standard, a drawn sample given across units, most scored."""

from fazhi.accounts.models import AuditEntry
from fazhi.casereviews import selectors
from fazhi.casereviews.demo import load_demo_casereview
from fazhi.casereviews.models import CaseReview, ScoreSheet
from fazhi.core.demo import Calendar
from fazhi.orgs.demo import load_demo_orgs


def test_the_demo_review_is_drawn_across_units_and_mostly_scored(db):
    load_demo_orgs()
    cal = Calendar.from_clock()
    review = load_demo_casereview(cal)
    assert review.cases.count() == 12 and review.cases.filter(sampled=True).count() == 8
    for sheet in ScoreSheet.objects.select_related("case", "reviewer"):
        assert sheet.reviewer.unit_id != sheet.case.unit_id
    report = selectors.review_report(user=review.created_by, review=review)
    assert report["overall"]["scored"] == 6 and report["overall"]["grades"]["不合格"] == 1
    assert report["common_problems"][0]["title"].startswith("法制审核意见完整")
    written = AuditEntry.objects.count()
    assert load_demo_casereview(cal) == review
    assert AuditEntry.objects.count() == written
    again = load_demo_casereview(Calendar(cal.day(30)))
    assert CaseReview.objects.get() == again
