"""回头看: a reproducible sample of closed findings, and a re-check that confirms or reopens."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fazhi.inspections import rechecks, services
from fazhi.inspections.models import FindingStatus, RecheckResult

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(tree, people, inspection):
    made = []
    for index in range(6):
        unit = tree.units.szq_sfj if index % 2 else tree.units.szq_scjg
        finding = services.finding_create(
            acting_user=people.city_inspector,
            inspection=inspection,
            description=f"问题 {index}",
            responsible_unit=unit,
        )
        liaison = people.szq_liaison if index % 2 else people.scjg_liaison
        services.finding_request_close(acting_user=liaison, finding=finding, note="完成")
        services.finding_verify(acting_user=people.city_inspector, finding=finding, accept=True)
        made.append(finding)
    return made


def test_the_same_seed_draws_the_same_sample(people, inspection, closed):
    first = rechecks.recheck_draw(
        acting_user=people.city_inspector, inspection=inspection, count=3, seed=2025
    )
    again = rechecks.recheck_draw(
        acting_user=people.city_inspector, inspection=inspection, count=3, seed=2025
    )
    numbers = [list(d.items.values_list("finding__number", flat=True)) for d in (first, again)]
    assert numbers[0] == numbers[1] and len(numbers[0]) == 3
    per_unit = rechecks.recheck_draw(
        acting_user=people.city_inspector, inspection=inspection, percent=34, per_unit=True
    )
    units = list(per_unit.items.values_list("finding__responsible_unit", flat=True))
    assert sorted(units).count(units[0]) == 2 and len(units) == 4  # ⌈3 × 34 %⌉ = 2 per unit
    assert per_unit.seed is not None


def test_a_draw_needs_a_rule_and_the_inspecting_side(people, inspection, closed):
    with pytest.raises(ValidationError, match="二选一"):
        rechecks.recheck_draw(acting_user=people.city_inspector, inspection=inspection)
    with pytest.raises(PermissionDenied):
        rechecks.recheck_draw(acting_user=people.szq_liaison, inspection=inspection, count=1)


def test_a_recheck_confirms_or_reopens(people, inspection, closed):
    draw = rechecks.recheck_draw(
        acting_user=people.city_inspector, inspection=inspection, count=2, seed=7
    )
    keep, back = draw.items.all()
    rechecks.recheck_decide(acting_user=people.city_inspector, item=keep, confirm=True)
    rechecks.recheck_decide(
        acting_user=people.city_inspector, item=back, confirm=False, note="台账未更新"
    )
    keep.finding.refresh_from_db()
    back.finding.refresh_from_db()
    assert keep.finding.status == FindingStatus.CLOSED
    assert back.finding.status == FindingStatus.IN_PROGRESS
    back.refresh_from_db()
    assert back.result == RecheckResult.REOPENED
    with pytest.raises(ValidationError, match="已复查"):
        rechecks.recheck_decide(acting_user=people.city_inspector, item=back, confirm=True)
