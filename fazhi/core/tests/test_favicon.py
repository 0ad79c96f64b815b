"""The site has an icon: every page names it, and /favicon.ico (asked for by browsers on
downloads and JSON answers, which name none) leads to it without a login."""

from pathlib import Path

from django.contrib.staticfiles import finders
from django.urls import reverse


def test_favicon_ico_leads_to_the_static_icon_without_login(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].endswith("/fazhi/favicon.ico")
    icon = finders.find("fazhi/favicon.ico")
    assert icon and Path(icon).read_bytes()[:4] == b"\x00\x00\x01\x00"  # an ICO file


def test_pages_name_the_icon(people, login):
    html = login(people.szq_liaison).get(reverse("core:home")).content.decode()
    assert 'rel="icon" href="/static/fazhi/favicon.svg" type="image/svg+xml"' in html
    assert finders.find("fazhi/favicon.svg")
