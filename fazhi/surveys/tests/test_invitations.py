"""Printed invitations for sampled households: issued per stratum by the wave's owners, printed
as QR cards or exported as links, each admitting one response."""

import io
import re

from django.urls import reverse
from openpyxl import load_workbook

from fazhi.accounts.models import AuditEntry
from fazhi.surveys.models import Invitation


def test_the_office_issues_prints_and_exports_invitations(client, login, people, wave):
    town = wave.strata.get(name="孟庄镇")
    login(people.szq_lead)
    url = reverse("surveys:invitations", args=[wave.pk])
    issued = client.post(url, {"stratum": town.pk, "count": "3"})
    printing = reverse("surveys:invitations_print", args=[wave.pk])
    assert issued["Location"] == f"{printing}?stratum={town.pk}"
    assert Invitation.objects.filter(stratum=town).count() == 3
    assert AuditEntry.objects.filter(action="survey.invitations").count() == 1
    cards = client.get(issued["Location"]).content.decode()
    links = re.findall(r"http://testserver/surveys/a/([\w-]+)/", cards)
    assert len(set(links)) == 3 and cards.count("<svg") == 3
    # One household answers: its card leaves the print list and the counts move.
    token = links[0]
    answers = {f"item_{item.pk}": "1" for item in wave.items.all()}
    assert client.post(reverse("surveys:answer", args=[token]), answers).status_code == 200
    assert client.get(issued["Location"]).content.decode().count("<svg") == 2
    table = client.get(url).content.decode()
    assert re.search(r"孟庄镇</td><td class=\"num\">3</td><td class=\"num\">1</td>", table)
    # The Excel lists the two unused links, one row each.
    export = client.get(reverse("surveys:invitations_export", args=[wave.pk]))
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [row[1] for row in rows] == ["孟庄镇", "孟庄镇"]
    assert all(row[3].startswith("http://testserver/surveys/a/") for row in rows)
    assert token not in " ".join(row[3] for row in rows)


def test_a_bad_count_or_stratum_is_told_and_nothing_issued(client, login, people, wave):
    login(people.szq_lead)
    url = reverse("surveys:invitations", args=[wave.pk])
    town = wave.strata.first()
    page = client.post(url, {"stratum": town.pk, "count": "20000"}).content.decode()
    assert "10000" in page
    page = client.post(url, {"stratum": "999999", "count": "5"}).content.decode()
    assert "选择一个有效的选项" in page or "有效" in page
    assert not Invitation.objects.exists()
    # An odd stratum in the print address shows every unused invitation rather than failing.
    odd = reverse("surveys:invitations_print", args=[wave.pk]) + "?stratum=abc"
    assert client.get(odd).status_code == 200


def test_links_are_the_owners_alone(client, login, people, wave):
    url = reverse("surveys:invitations", args=[wave.pk])
    login(people.szq_leader)  # reads the results, may not hand out answers
    assert client.get(url).status_code in (403, 404)
    login(people.xc_lead)
    assert client.get(url).status_code == 404
    assert client.get(reverse("surveys:invitations_export", args=[wave.pk])).status_code == 404
