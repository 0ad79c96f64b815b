"""A real browser for the main journeys: Debian's chromium driven by Playwright, with the
flags that keep it off the network. Loaded as a plugin by the root conftest, so `page` is a fixture everywhere; browser test
modules set `pytestmark = BROWSER`."""

import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(
    os.environ.get("FAZHI_TEST_ARTIFACTS", Path(__file__).resolve().parents[3] / "test-artifacts")
)

DEFAULT_TIMEOUT_MS = 60_000

BROWSER = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason="Debian's chromium is not installed (apt-get install chromium)",
    ),
    # The live server reads committed rows, so these tests commit and the tables are emptied
    # afterwards; serialized_rollback puts back what migrations seeded (the roles).
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


# A phone as liaisons, examinees and survey respondents hold one: narrow, touch, mobile.
PHONE = {"width": 390, "height": 844}


@contextmanager
def browser_page(**context_options):
    """A page of Debian's chromium, kept off the network, with the given context options."""
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # ordinary synchronous ones, so Django's async-safety guard does not apply here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import expect, sync_playwright

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--disable-quic",
                    "--no-first-run",
                ],
            )
            context = browser.new_context(locale="zh-CN", **context_options)
            page = context.new_page()
            # Waits that hold on a loaded 2-core machine (the suite shares it with other work):
            # a test waits for what the user sees, never for the machine to be idle.
            page.set_default_timeout(DEFAULT_TIMEOUT_MS)
            expect.set_options(timeout=DEFAULT_TIMEOUT_MS)
            yield page
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page(live_server):
    with browser_page(viewport={"width": 1366, "height": 900}) as page:
        yield page


@pytest.fixture
def phone_page(live_server):
    """The `page` fixture as a phone."""
    with browser_page(
        viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
    ) as page:
        yield page


def log_in(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    # Logged in once off the login page: most land on the workbench, a leader on a dashboard.
    page.wait_for_url(lambda url: url.startswith(base) and "/accounts/login/" not in url)


def log_out(page) -> None:
    page.click("text=退出")
