"""`fazhi bench seed --replace` removes the synthetic province by ids in batches: every statement
reads or writes one table through an index, so the cleanup cannot stall on a plan made without
statistics (right after the bulk seed PostgreSQL has none), and nothing outside the province
is touched."""

import re
import time
from contextlib import contextmanager

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from fazhi.accounts.audit import audit_record
from fazhi.accounts.auditchain import verify_chain
from fazhi.accounts.models import AuditEntry, User
from fazhi.campaigns.models import Campaign, Item
from fazhi.evidence.models import Blob, Evidence
from fazhi.orgs.models import Region, Unit
from fazhi.plans.models import Notification, NotificationKind
from fazhi.synthetic import cleanup
from fazhi.synthetic import seed as seed_module
from fazhi.synthetic.seed import PROVINCE_CODE, seed

pytestmark = pytest.mark.django_db
MATERIALS = 400
PATH = f"{PROVINCE_CODE}/"


def small():
    return seed("county", progress=lambda message: None, materials_per_campaign=MATERIALS)


@contextmanager
def statement_timeout(seconds: int):
    """A statement running longer than this fails instead of stalling the suite (the old
    cleanup's joined DELETE ran for over 25 minutes)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL statement_timeout = '{seconds}s'")
        yield


def test_no_statement_of_the_cleanup_joins_tables_or_deletes_through_a_subquery():
    small()
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        deleted = cleanup.delete_province(PATH)

    assert deleted > MATERIALS * 3  # materials, their versions, search documents, blobs…
    statements = [q["sql"] for q in queries.captured_queries]
    joined = [sql for sql in statements if re.search(r"\bJOIN\b", sql, re.IGNORECASE)]
    assert not joined, joined[:3]
    deletes = [sql for sql in statements if sql.lstrip().upper().startswith("DELETE")]
    assert deletes
    nested = [sql for sql in deletes if "SELECT" in sql.upper()]
    assert not nested, nested[:3]


@pytest.fixture
def stale_statistics(monkeypatch):
    """What the suite's database looked like when the cleanup stalled: the seeded tables last
    analysed while their pages held only rows of rolled-back tests, so that the planner takes
    each for one row whatever it holds, and a seed that leaves them so (the seed analyses its
    tables now; that is switched off here). Afterwards the tables are analysed as they are, as
    a seed leaves them, since ANALYZE's figures outlive the test's rollback."""
    monkeypatch.setattr(seed_module, "analyse", lambda: None)
    savepoint = transaction.savepoint()
    small()
    transaction.savepoint_rollback(savepoint)
    tables = ", ".join(map(connection.ops.quote_name, cleanup.seeded_tables()))
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")
    yield
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")
def test_a_replace_of_a_county_seed_finishes_quickly_with_stale_statistics(stale_statistics):
    small()
    started = time.monotonic()
    with statement_timeout(60):
        summary = seed(
            "county", progress=lambda message: None, materials_per_campaign=MATERIALS, replace=True
        )
    assert summary.deleted > 0
    assert time.monotonic() - started < 300  # the old cleanup sat for 25 minutes
    assert Evidence.objects.filter(item__campaign__region__path__startswith=PATH).count() == (
        MATERIALS
    )


def test_the_cleanup_removes_the_province_and_leaves_everything_else(campaign, people):
    small()
    outside = {
        "regions": Region.objects.exclude(path__startswith=PATH).count(),
        "campaigns": Campaign.objects.exclude(region__path__startswith=PATH).count(),
        "items": Item.objects.filter(campaign=campaign).count(),
        "users": User.objects.exclude(region__path__startswith=PATH).count(),
    }
    lead = User.objects.get(username="b990101_lead")
    item = Item.objects.filter(campaign__region__path__startswith=PATH).first()
    # Rows a benchmark adds outside the seeded tables, pointing into the province.
    Notification.objects.create(
        user=lead, item=item, kind=NotificationKind.OVERDUE, text="已逾期", key=f"overdue:{item.pk}"
    )
    audit_record(acting_user=lead, action="demo.bench", summary="合成省的操作")

    with transaction.atomic():
        cleanup.delete_province(PATH)

    assert not Region.objects.filter(path__startswith=PATH).exists()
    assert not Unit.objects.filter(region__path__startswith=PATH).exists()
    assert not User.objects.filter(username="b990101_lead").exists()
    assert not Campaign.objects.filter(region__path__startswith=PATH).exists()
    assert not Notification.objects.filter(item=item.pk).exists()
    assert not Blob.objects.filter(versions__isnull=True).exists()
    # The log keeps the row as it was written (the database refuses to change it).
    entry = AuditEntry.objects.get(action="demo.bench")
    assert (entry.actor_id, entry.region_id) == (lead.pk, lead.region_id)
    assert "b990101_lead" in entry.actor_name
    assert verify_chain().intact
    assert outside == {
        "regions": Region.objects.count(),
        "campaigns": Campaign.objects.count(),
        "items": Item.objects.filter(campaign=campaign).count(),
        "users": User.objects.count(),
    }
