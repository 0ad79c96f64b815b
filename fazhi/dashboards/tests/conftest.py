from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile

from fazhi.campaigns import services as campaign_services
from fazhi.evidence import services as evidence_services


@pytest.fixture
def work(campaign, people):
    """Moves the campaign's items the way people do: the lead office uploads a material and
    submits, the reviewer approves."""

    def item(code):
        return campaign.items.get(code=code)

    def submit(code):
        evidence_services.evidence_upload(
            acting_user=people.szq_lead,
            item=item(code),
            file=ContentFile(f"{code} 工作总结".encode(), name=f"{code}.txt"),
        )
        campaign_services.item_submit(acting_user=people.szq_lead, item=item(code))

    def approve(code):
        submit(code)
        campaign_services.item_approve(acting_user=people.szq_reviewer, item=item(code))

    def due(code, date):
        found = item(code)
        found.deadline = date
        found.save(update_fields=["deadline"])

    return SimpleNamespace(item=item, submit=submit, approve=approve, due=due)
