from datetime import date

import pytest

from fazhi.campaigns.models import ItemStatus

# 1.1.1 is led by 市中区司法局 with 市场监管局 responsible; 2.1.3 and 2.1.4 are led by 司法局.
TODAY = date(2025, 3, 3)  # 1.1.1 comes with a deadline of 2025-06-30: far off


@pytest.fixture(autouse=True)
def annual_reports_in(request):
    """TODAY lies in the 2024 annual reports' deadline chain; those reminders are not these
    tests' business, so every 2024 report is in wherever the org tree is."""
    if "tree" in request.fixturenames:
        request.getfixturevalue("annual_reports_filed")


@pytest.fixture
def emails(people):
    """The two liaisons of 市中区's units have addresses; 薛城区's liaison has none."""
    people.szq_liaison.email = "sfj@szq.example.gov.cn"
    people.szq_liaison.save(update_fields=["email"])
    people.scjg_liaison.email = "scjg@szq.example.gov.cn"
    people.scjg_liaison.save(update_fields=["email"])
    return people


def set_item(campaign, code, **fields):
    item = campaign.items.get(code=code)
    for name, value in fields.items():
        setattr(item, name, value)
    item.save()
    return item


def submitted(campaign, code):
    return set_item(campaign, code, status=ItemStatus.SUBMITTED)
