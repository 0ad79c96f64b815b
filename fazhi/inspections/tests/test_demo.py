"""The demo's inspection: eight findings in every state, dates counted from today."""

from fazhi.accounts.models import AuditEntry
from fazhi.core.demo import Calendar
from fazhi.inspections import selectors
from fazhi.inspections.demo import load_demo_inspection
from fazhi.inspections.models import Escalation, Inspection
from fazhi.orgs.demo import load_demo_orgs


def test_the_demo_inspection_has_findings_in_every_state(db):
    load_demo_orgs()
    cal = Calendar.from_clock()
    inspection = load_demo_inspection(cal)
    report = selectors.inspection_report(
        user=inspection.created_by, inspection=inspection, today=cal.today
    )
    assert report["total"] == 8
    assert report["by_status"] == {"open": 2, "in_progress": 3, "close_requested": 1, "closed": 2}
    assert report["overdue"] == 3  # 3 (escalated), 5 (rejected), 8; 6 is 长期坚持
    assert Escalation.objects.count() == 3
    assert inspection.draws.get().items.count() == 1
    written = AuditEntry.objects.count()
    assert load_demo_inspection(cal) == inspection  # the same day: kept as it is
    assert AuditEntry.objects.count() == written
    later = Calendar(cal.day(30))
    again = load_demo_inspection(later)  # a month on: told anew about the new today
    assert Inspection.objects.get() == again and again.starts_on == later.day(-124)
