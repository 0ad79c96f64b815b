"""Every audit row written while serving a request records where the request came from, with no
`request` passed to the services: uploads through the page and the API, edits, verdicts."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fazhi.accounts.audit import audit_record
from fazhi.accounts.models import AuditEntry
from fazhi.evidence import services as evidence_services


def last_entry(action: str) -> AuditEntry:
    return AuditEntry.objects.filter(action=action).latest("id")


def test_an_upload_through_the_page_records_the_uploaders_address(campaign, people, login):
    item = campaign.items.get(code="1.1.1")
    response = login(people.szq_liaison).post(
        reverse("evidence:upload", args=[item.pk]),
        {"files": [SimpleUploadedFile("报告.txt", "行政复议工作报告".encode())]},
        HTTP_ACCEPT="application/json",
        REMOTE_ADDR="10.20.30.40",
    )
    assert response.json()["results"][0]["ok"]
    assert last_entry("evidence.upload").ip_address == "10.20.30.40"


def test_an_upload_through_the_api_records_the_callers_address(client, campaign, people, bearer):
    item = campaign.items.get(code="1.1.1")
    response = client.post(
        f"/api/evidence/items/{item.pk}/files",
        {"files": [SimpleUploadedFile("复议.txt", "行政复议决定书".encode())]},
        REMOTE_ADDR="2001:db8::7",
        **bearer(people.szq_liaison),
    )
    assert response.status_code == 201
    assert last_entry("evidence.upload").ip_address == "2001:db8::7"


def test_editing_an_account_on_the_page_records_the_address(people, tree, login):
    client = login(people.szq_lead)
    response = client.post(
        f"/accounts/users/{people.szq_liaison.pk}/",
        {
            "username": people.szq_liaison.username,
            "display_name": "新名字",
            "region": tree.szq.pk,
            "unit": people.szq_liaison.unit_id,
            "roles": ["liaison"],
            "email": "",
            "phone": "",
            "is_active": "on",
        },
        REMOTE_ADDR="192.0.2.15",
    )
    assert response.status_code == 302
    assert last_entry("user.update").ip_address == "192.0.2.15"


def test_a_proxys_header_is_ignored_unless_settings_name_it(campaign, people, login):
    client = login(people.szq_liaison)
    item = campaign.items.get(code="1.1.1")
    client.post(
        reverse("evidence:upload", args=[item.pk]),
        {"files": [SimpleUploadedFile("一.txt", "第一份".encode())]},
        HTTP_ACCEPT="application/json",
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_REAL_IP="203.0.113.9",  # anyone can send this header
    )
    assert last_entry("evidence.upload").ip_address == "10.0.0.2"


def test_behind_a_configured_proxy_the_last_forwarded_address_is_recorded(
    campaign, people, login, settings
):
    settings.FAZHI_CLIENT_IP_HEADER = "X-Forwarded-For"
    client = login(people.szq_liaison)
    item = campaign.items.get(code="1.1.1")
    client.post(
        reverse("evidence:upload", args=[item.pk]),
        # The client may put anything first; the proxy appends the address it saw.
        {"files": [SimpleUploadedFile("二.txt", "第二份".encode())]},
        HTTP_ACCEPT="application/json",
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.23",
    )
    assert last_entry("evidence.upload").ip_address == "198.51.100.23"


def test_a_malformed_forwarded_address_falls_back_to_the_connections(
    campaign, people, login, settings
):
    settings.FAZHI_CLIENT_IP_HEADER = "X-Real-IP"
    item = campaign.items.get(code="1.1.1")
    login(people.szq_liaison).post(
        reverse("evidence:upload", args=[item.pk]),
        {"files": [SimpleUploadedFile("三.txt", "第三份".encode())]},
        HTTP_ACCEPT="application/json",
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_REAL_IP="<script>",
    )
    assert last_entry("evidence.upload").ip_address == "10.0.0.2"


@pytest.mark.django_db
def test_work_outside_a_request_records_no_address_even_after_one(campaign, people, login):
    login(people.szq_lead).get("/accounts/audit/", REMOTE_ADDR="10.9.9.9")
    evidence_services.evidence_upload(
        acting_user=people.szq_liaison,
        item=campaign.items.get(code="1.1.1"),
        file=ContentFile("命令行导入".encode(), name="导入.txt"),
    )
    assert last_entry("evidence.upload").ip_address is None
    audit_record(acting_user=people.szq_lead, action="demo.address", ip_address="10.1.1.1")
    assert last_entry("demo.address").ip_address == "10.1.1.1"  # an explicit address wins
