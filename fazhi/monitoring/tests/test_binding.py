"""A framework indicator evaluated by 监测数据, bound to metrics, scores itself from the figures
over the campaign period, and the score sheet shows the score as computed (自动评分)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from fazhi.accounts.system import SYSTEM
from fazhi.conftest import campaign_rows
from fazhi.monitoring import services
from fazhi.monitoring.models import FigureStatus
from fazhi.reviews.selectors import assessment_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def bound_campaign(tree, people):
    from fazhi.campaigns.services import campaign_create
    from fazhi.frameworks.services import framework_create

    rows = campaign_rows()
    rows[2]["evaluation_methods"] = ["材料评审", "监测数据"]  # 1.1.1, 10 points
    framework = framework_create(acting_user=SYSTEM, name="监测体系", edition="2025", rows=rows)
    return campaign_create(
        acting_user=people.szq_lead,
        framework=framework,
        region=tree.szq,
        name="市中区创建",
        period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
    )


def put(region, unit, code, period, n, d):
    services.figure_put(
        acting_user=SYSTEM,
        region=region,
        unit=unit,
        metric_code=code,
        period=period,
        numerator=n,
        denominator=d,
        source="import",
        status=FigureStatus.CONFIRMED,
    )


def test_a_bound_indicator_scores_itself(tree, people, bound_campaign):
    item = bound_campaign.items.get(code="1.1.1")
    services.binding_save(
        acting_user=people.szq_lead,
        region=tree.szq,
        node=item.node,
        metric_codes=["court_appearance", "legality_review"],
    )
    put(tree.szq, tree.units.szq_sfj, "court_appearance", "2025Q1", 9, 10)  # 90%: 5 of 15
    put(tree.szq, None, "court_appearance", "2025Q3", 10, 10)  # together 19/20 = 95%: 10 of 15
    put(tree.szq, None, "legality_review", "2025Q2", 4, 4)  # 100%: 15 of 15
    put(tree.xc, None, "court_appearance", "2025Q1", 0, 10)  # the neighbour's: not counted
    [found] = services.bound_scores(campaign=bound_campaign)
    assert found.item == item
    assert found.score == Decimal("8.33")  # 10 points × (10 + 15) / 30
    services.bound_scores_apply(acting_user=people.szq_lead, campaign=bound_campaign)
    assessment = assessment_of(item, "self")
    assert assessment.score == Decimal("8.33")
    assert assessment.note.startswith(services.AUTO_NOTE)
    assert "19/20=95.00%" in assessment.note


def test_only_an_indicator_evaluated_by_monitoring_may_be_bound(tree, people, bound_campaign):
    other = bound_campaign.items.get(code="1.1.2")
    with pytest.raises(ValidationError, match="不含“监测数据”"):
        services.binding_save(
            acting_user=people.szq_lead,
            region=tree.szq,
            node=other.node,
            metric_codes=["court_appearance"],
        )


def test_the_page_binds_and_writes_the_scores(tree, people, login, bound_campaign):
    item = bound_campaign.items.get(code="1.1.1")
    put(tree.szq, None, "court_appearance", "2025Q2", 19, 20)
    client = login(people.szq_lead)
    url = f"/monitoring/campaigns/{bound_campaign.pk}/auto-score/"
    page = client.get(url).content.decode()
    assert "1.1.1" in page and "1.1.2" not in page and "未绑定" in page
    client.post(url, {"node": item.node_id, "metrics": ["court_appearance"]})
    assert "19/20=95.00%" in client.get(url).content.decode()
    client.post(url + "apply/")
    assert assessment_of(item, "self").score == Decimal("6.67")  # 10 × 10 of 15
    assert login(people.xc_lead).get(url).status_code == 404
    assert login(people.szq_liaison).get(url).status_code == 403
