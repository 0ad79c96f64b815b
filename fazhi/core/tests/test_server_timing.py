"""The Server-Timing header the benchmarks read: present and plausible when switched on, absent
(the middleware not even loaded) by default."""

import pytest
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from fazhi.accounts.models import User
from fazhi.core.timing import ServerTimingMiddleware


def _view(request):
    list(User.objects.all()[:1])  # one query
    return HttpResponse("ok")


@pytest.mark.django_db
def test_the_header_tells_cpu_and_database_time_when_switched_on():
    with override_settings(FAZHI_SERVER_TIMING=True):
        response = ServerTimingMiddleware(_view)(RequestFactory().get("/"))
    header = response["Server-Timing"]
    assert header.startswith("cpu;dur=")
    assert "db;dur=" in header and 'desc="1 queries"' in header


def test_off_by_default():
    with override_settings(FAZHI_SERVER_TIMING=False), pytest.raises(MiddlewareNotUsed):
        ServerTimingMiddleware(_view)


def test_a_page_has_no_header_by_default(client):
    assert "Server-Timing" not in client.get("/accounts/login/")
