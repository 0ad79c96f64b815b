"""Errors as users meet them: Chinese pages in the site's layout with a way back (the API keeps
answering JSON), search boxes that cannot overflow an address, long searches answered with a
note, and a web server that takes a long address instead of a bare 414."""

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.template import loader
from django.test import Client
from django.urls import reverse

from fazhi.core.listing import MAX_SEARCH_LENGTH
from fazhi.core.management.commands.serve import LIMIT_REQUEST_LINE

ROOT = Path(__file__).resolve().parents[3]
LONG = "法" * 500  # about 4,500 bytes percent-encoded: past gunicorn's default request line


@pytest.fixture(autouse=True)
def production_errors(settings):
    """Error pages as deployed, not Django's debug pages."""
    settings.DEBUG = False


def in_layout(html: str) -> bool:
    """The signed-in layout: the sidebar with the navigation and the top bar."""
    return 'class="sidebar"' in html and 'class="topbar"' in html


def test_a_missing_page_is_chinese_in_the_layout_with_a_way_back(people, login):
    client = login(people.szq_liaison)
    response = client.get("/campaigns/987654/", HTTP_REFERER="http://testserver/campaigns/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in html and "没有找到该记录，或您无权查看。" in html
    assert in_layout(html)
    assert 'href="http://testserver/campaigns/">返回上一页' in html
    assert f'href="{reverse("core:home")}">回到首页' in html

    unknown = client.get("/no-such-page/").content.decode()
    assert "没有找到这个页面" in unknown and "Not Found" not in unknown


def test_a_missing_page_never_shows_a_framework_message_or_a_foreign_way_back(people, login):
    client = login(people.szq_liaison)
    response = client.get("/no-such-page/", HTTP_REFERER="https://evil.example/phish")
    html = response.content.decode()
    assert "evil.example" not in html
    assert "Resolver404" not in html and "matches the given query" not in html


def test_a_refused_page_is_chinese_in_the_layout(people, login):
    response = login(people.szq_liaison).get(reverse("accounts:users"))
    html = response.content.decode()
    assert response.status_code == 403
    assert "无权访问" in html and "您的角色无权使用此功能。" in html
    assert in_layout(html)
    assert "Forbidden" not in html


def test_a_stranger_gets_the_error_in_the_narrow_layout_with_a_login_link(client, db):
    html = client.get("/no-such-page/").content.decode()
    assert "页面不存在" in html and 'class="content narrow"' in html
    assert f'href="{reverse("accounts:login")}"' in html


def test_a_server_error_is_a_chinese_page(people, login, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("fazhi.campaigns.selectors.campaign_list", broken)
    client = login(people.szq_lead)
    client.raise_request_exception = False
    response = client.get(reverse("campaigns:list"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "服务器出错了" in html and 'href="/">回到首页' in html
    assert "fazhi/app.css" in html  # the site's look
    assert "Server Error" not in html and "boom" not in html


def test_the_server_error_page_needs_neither_the_request_nor_the_database():
    # No `db` fixture: pytest-django refuses any query made here.
    html = loader.get_template("500.html").render()
    assert "服务器出错了" in html
    assert "服务器出错了" not in loader.get_template("400.html").render()
    assert "请求有误" in loader.get_template("400.html").render()


def test_api_errors_stay_json(people, client, bearer, monkeypatch):
    headers = bearer(people.szq_lead)
    missing = client.get("/api/no-such-endpoint", **headers)
    assert missing.status_code == 404
    assert missing["Content-Type"].startswith("application/json")
    assert missing.json()["detail"] == "没有这个接口地址。"

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("fazhi.campaigns.selectors.campaign_list", broken)
    client.raise_request_exception = False
    failed = client.get("/api/campaigns/", **headers)
    assert failed.status_code == 500
    assert failed.json() == {
        "detail": "服务器出错了，请稍后重试。问题持续时请联系平台管理员，并告知出错的时间。"
    }


def test_an_expired_form_is_a_chinese_page(people):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.szq_lead)
    response = client.post(reverse("plans:notifications_read_all"))
    html = response.content.decode()
    assert response.status_code == 403
    assert "页面已过期" in html and "刷新" in html
    assert in_layout(html)


def test_a_nul_in_the_address_is_refused_in_chinese(people, login, bearer):
    client = login(people.szq_lead)
    page = client.get(reverse("campaigns:list") + "?query=a%00b")
    assert page.status_code == 400
    assert "不允许的字符" in page.content.decode()
    api = client.get("/api/frameworks/a%00b", **bearer(people.szq_lead))
    assert api.status_code == 400
    assert "不允许的字符" in api.json()["detail"]


# -- long searches ---------------------------------------------------------------------------


def test_a_long_search_is_answered_with_a_note_not_an_error(campaign, people, login):
    client = login(people.szq_lead)
    response = client.get(reverse("campaigns:detail", args=[campaign.pk]), {"q": LONG})
    html = response.content.decode()
    assert response.status_code == 200
    assert "搜索词过长（500 个字），只按前 100 个字查找。" in html

    search = client.get(reverse("campaigns:search", args=[campaign.pk]), {"q": LONG})
    assert search.status_code == 200
    assert "搜索词过长" in search.content.decode()


def test_every_search_box_limits_its_length():
    templates = [p for p in (ROOT / "fazhi").rglob("templates/**/*.html")]
    boxes = [
        (path.name, tag)
        for path in templates
        for tag in re.findall(r"<input[^>]*>", path.read_text())
        if 'type="search"' in tag
    ]
    assert len(boxes) >= 10
    unlimited = [
        (name, tag) for name, tag in boxes if f'maxlength="{MAX_SEARCH_LENGTH}"' not in tag
    ]
    assert not unlimited, unlimited


def test_the_web_server_takes_an_address_longer_than_its_default(tmp_path):
    """`fazhi serve` starts gunicorn with a request line of up to 8190 bytes; by default it
    answers a search of ~450 Chinese characters with a bare English 414."""
    port = free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "FAZHI_WEB_WORKERS": "1",
        "FAZHI_DATA_DIR": os.environ.get("FAZHI_DATA_DIR", str(tmp_path)),
    }
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "fazhi.cli", "serve", "--no-worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        address = "/?q=" + "%E6%B3%95" * 600  # 5,404 bytes
        assert 4094 < len(address) < LIMIT_REQUEST_LINE
        status = status_of(port, address, until=time.monotonic() + 90)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    assert status == 302  # to the login page: the application answered, not gunicorn


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def status_of(port: int, address: str, *, until: float) -> int:
    """The status of GET `address`, once the server answers at all."""
    while True:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", "/?q=ready")
            connection.getresponse().read()
            connection.close()
            break
        except OSError:
            if time.monotonic() > until:
                raise
            time.sleep(0.3)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", address)
    status = connection.getresponse().status
    connection.close()
    return status
