"""The main journey in a real browser (Debian's chromium driven by Playwright): a lead office
logs in, imports a government Excel table through the wizard, and finds an indicator in the tree."""

import os
import shutil
from pathlib import Path

import pytest

from fazhi.conftest import PASSWORD
from fazhi.frameworks.models import Framework
from fazhi.frameworks.tests.excel_builders import national_table, save_xlsx

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(
    os.environ.get("FAZHI_TEST_ARTIFACTS", Path(__file__).resolve().parents[3] / "test-artifacts")
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason="Debian's chromium is not installed (apt-get install chromium)",
    ),
]


@pytest.fixture
def page(live_server):
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # ordinary synchronous ones, so Django's async-safety guard does not apply here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

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
        context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15000)
        yield page
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def test_a_lead_office_logs_in_and_imports_a_framework_from_excel(
    page, live_server, people, tree, tmp_path
):
    table = save_xlsx(tmp_path / "XX市法治政府建设示范指标体系.xlsx", national_table())

    page.goto(f"{live_server.url}/")
    page.fill("input[name=username]", people.szq_lead.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert "工作台" in page.content()

    page.click("text=指标体系")
    page.click("text=导入指标体系")
    page.set_input_files("input[name=file]", str(table))
    page.fill("input[name=name]", "XX市法治政府建设示范指标体系")
    page.fill("input[name=edition]", "2025 版")
    page.click("text=上传并预览")

    page.wait_for_selector("#preview")
    assert page.locator("#preview tbody tr").count() == 2 + 3 + 5
    assert "确认导入" in page.inner_text("#confirm-import")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "import-preview.png"), full_page=True)
    page.click("#confirm-import")

    page.wait_for_selector("#tree")
    framework = Framework.objects.get()
    assert framework.leaf_count == 5 and framework.owner_region == tree.szq
    page.fill("input[name=q]", "备案")
    page.press("input[name=q]", "Enter")
    page.wait_for_selector("text=规范性文件备案审查")
    assert "机构职能体系健全" not in page.inner_text("#tree")
    page.screenshot(path=str(ARTIFACTS / "framework-tree.png"), full_page=True)
