"""Review fixtures: items with materials submitted by their lead unit, an outside expert, and a
round opened by 市中区's lead office."""

from datetime import date

import pytest
from django.core.files.base import ContentFile

from fazhi.campaigns import services as campaign_services
from fazhi.conftest import make_user
from fazhi.evidence import services as evidence_services
from fazhi.reviews import services
from fazhi.reviews.models import RoundScope

LEADS = {"1.1.1": "szq_liaison", "1.1.2": "scjg_liaison", "2.1.3": "szq_liaison"}


@pytest.fixture
def expert(tree):
    """An outside expert whose account sits in the province, not in 市中区."""
    return make_user("expert_wang", "expert", region=tree.province)


@pytest.fixture
def submit(campaign, people):
    """Upload a file to an item as its lead unit's liaison and submit it."""

    def _submit(code: str, name: str = "材料.txt"):
        item = campaign.items.get(code=code)
        liaison = getattr(people, LEADS.get(code, "szq_liaison"))
        evidence = evidence_services.evidence_upload(
            acting_user=liaison, item=item, file=ContentFile(code.encode(), name=name)
        )
        item.refresh_from_db()
        campaign_services.item_submit(acting_user=liaison, item=item)
        item.refresh_from_db()
        return item, evidence

    return _submit


@pytest.fixture
def open_round(campaign, people):
    def _open(*seats, name="内部审核", scope=RoundScope.ALL):
        return services.round_open(
            acting_user=people.szq_lead,
            campaign=campaign,
            name=name,
            scope=scope,
            starts_on=date(2025, 3, 1),
            ends_on=date(2025, 3, 31),
            reviewers=list(seats) or [services.ReviewerSeat(people.szq_reviewer)],
        )

    return _open
