"""The demo's figures: four closed quarters for every county, the city ranked, one figure waiting
for confirmation and one corrected; loading again the same day writes nothing."""

import time
from datetime import date

from fazhi.accounts.models import AuditEntry
from fazhi.core.demo import Calendar
from fazhi.monitoring import selectors
from fazhi.monitoring.demo import load_demo_monitoring
from fazhi.monitoring.models import Figure, FigureStatus
from fazhi.orgs.demo import load_demo_orgs
from fazhi.orgs.models import Region


def test_the_demo_ranks_the_counties_of_the_city(db):
    load_demo_orgs()
    cal = Calendar(date(2026, 12, 4))
    started = time.monotonic()
    told = load_demo_monitoring(cal)
    assert time.monotonic() - started < 10  # the demo command stays fast
    assert told["quarter"] == "2026Q3"
    city = Region.objects.get(code="370400")
    counties = city.children.count()
    assert told["figures"] == counties * 4 * 7
    ranked = selectors.ranking(region=city, period="2026Q3")
    assert len(ranked) == counties and ranked[0].rank == 1
    assert all(0 < r.figures.score <= 100 for r in ranked)
    assert Figure.objects.filter(status=FigureStatus.SUBMITTED, unit__code="370402-sfj").exists()
    assert Figure.objects.filter(version=2).count() == 1
    written = AuditEntry.objects.count()
    load_demo_monitoring(cal)
    assert AuditEntry.objects.count() == written
    assert load_demo_monitoring(Calendar(date(2027, 2, 10)))["quarter"] == "2026Q4"
