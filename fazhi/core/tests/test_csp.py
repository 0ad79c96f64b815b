"""The Content-Security-Policy: every page may run scripts and apply styles from our own static
files only. An injected <script> or style="" is refused by the browser, and nothing is fetched
from another site (government networks are offline). The templates keep to it, and the pages
that need sizes, htmx and ECharts work under it in a real browser."""

import re
from pathlib import Path

import pytest

from fazhi.conftest import PASSWORD
from fazhi.core.tests.browser import BROWSER, log_in

FAZHI = Path(__file__).resolve().parents[2]
# E-mails are read in a mail client, not served under the site's policy: they need inline styles.
SERVED_TEMPLATES = sorted(
    path for path in FAZHI.glob("*/templates/**/*.html") if "/email/" not in path.as_posix()
)


def policy_of(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    directives = [part.strip().split() for part in header.split(";") if part.strip()]
    return {name: values for name, *values in directives}


def test_pages_send_a_policy_that_allows_only_our_own_scripts_and_styles(people, client, login):
    for response in (client.get("/accounts/login/"), login(people.szq_lead).get("/")):
        assert response.status_code == 200
        policy = policy_of(response)
        assert policy["default-src"] == ["'self'"]
        assert policy["script-src"] == ["'self'"]
        assert policy["style-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["form-action"] == ["'self'"]
        everything = " ".join(value for values in policy.values() for value in values)
        assert "unsafe-inline" not in everything
        assert "unsafe-eval" not in everything
        assert "http" not in everything  # no other site, no CDN


def test_the_api_sends_the_policy_too(people, client, bearer):
    response = client.get("/api/orgs/me", **bearer(people.szq_liaison))
    assert response.status_code == 200
    assert policy_of(response)["script-src"] == ["'self'"]


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.I)
STYLE_ELEMENT = re.compile(r"<style\b", re.I)
JAVASCRIPT_URL = re.compile(r"javascript:", re.I)


@pytest.mark.parametrize(
    "pattern",
    [INLINE_SCRIPT, EVENT_HANDLER, STYLE_ATTRIBUTE, STYLE_ELEMENT, JAVASCRIPT_URL],
    ids=["inline <script>", "on*= handler", "style= attribute", "<style> element", "javascript:"],
)
def test_no_template_carries_what_the_policy_refuses(pattern):
    assert len(SERVED_TEMPLATES) > 50
    offenders = [
        f"{path.relative_to(FAZHI)}: {match.group(0)[:80]}"
        for path in SERVED_TEMPLATES
        for match in pattern.finditer(path.read_text())
    ]
    assert offenders == []


def test_htmx_is_told_not_to_inject_its_indicator_style_and_not_to_eval(people, login):
    html = login(people.szq_lead).get("/").text
    assert (
        """<meta name="htmx-config" content='{"includeIndicatorStyles": false, "allowEval": false}'>"""
        in html
    )
    css = (FAZHI / "core/static/fazhi/app.css").read_text()
    assert ".htmx-request .htmx-indicator" in css


def test_the_api_docs_page_uses_our_own_copy_of_swagger_ui_not_a_cdn(people, login):
    html = login(people.szq_lead).get("/api/docs").text
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()


# -- in a real browser -------------------------------------------------------------------------


def approve(campaign, people, code):
    from django.core.files.base import ContentFile

    from fazhi.campaigns.services import item_approve, item_submit
    from fazhi.evidence.services import evidence_upload

    item = campaign.items.get(code=code)
    content = ContentFile(f"{code} 工作总结".encode(), name=f"{code}.txt")
    evidence_upload(acting_user=people.szq_lead, item=item, file=content)
    item_submit(acting_user=people.szq_lead, item=item)
    item_approve(acting_user=people.szq_reviewer, item=item)


@pytest.fixture
def violations(page):
    """What the browser refused under the policy, as Chromium reports it on the console."""
    found = []

    def note(message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            found.append(f"{page.url}: {message.text}")

    page.on("console", note)
    page.on("pageerror", lambda error: found.append(f"{page.url}: {error}"))
    return found


def in_browser(test):
    for mark in reversed(BROWSER):
        test = mark(test)
    return test


@in_browser
def test_the_main_pages_run_under_the_policy_with_sizes_charts_and_htmx_working(
    page, live_server, violations, campaign, people
):
    approve(campaign, people, "1.1.1")
    base = live_server.url
    log_in(page, base, "admin", PASSWORD)

    # The campaign's progress bar: shares set from data-width, so the approved share shows.
    page.goto(f"{base}/campaigns/{campaign.pk}/")
    approved = page.locator(".progress .bar.status-approved")
    assert approved.evaluate("bar => bar.getBoundingClientRect().width") > 0

    # The region tree: each level indented from data-indent.
    page.goto(f"{base}/orgs/regions/")
    indents = page.locator("td[data-indent]").evaluate_all(
        "cells => cells.map(cell => parseFloat(getComputedStyle(cell).paddingLeft))"
    )
    assert len(set(indents)) >= 3

    # The dashboard: ECharts draws every chart at the height the server asked for.
    page.goto(f"{base}/dashboards/campaigns/{campaign.pk}/")
    # A function, not a bare expression: Playwright evaluates a bare expression again on every
    # poll, and the policy refuses that eval.
    page.wait_for_function(
        "() => document.querySelectorAll('[data-chart]:not([data-chart-ready])').length === 0"
    )
    chart = page.locator("[data-chart]").first
    asked = float(chart.get_attribute("data-height"))
    assert chart.evaluate("c => c.getBoundingClientRect().height") == pytest.approx(asked, abs=1)
    chart.hover()  # a tooltip, drawn on the canvas rather than as styled HTML

    # htmx is loaded and configured from the meta tag; no inline <style> was injected.
    assert page.evaluate("window.htmx.config.includeIndicatorStyles") is False
    assert page.evaluate("document.querySelectorAll('style').length") == 0

    # Swagger UI from our own static files.
    page.goto(f"{base}/api/docs")
    page.wait_for_selector(".swagger-ui .opblock")

    assert violations == []
