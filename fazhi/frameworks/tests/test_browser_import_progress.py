"""The wizard's progress page in a real browser: with no worker yet, the upload lands on a
progress bar; when the worker has read the table the page shows the preview by itself (htmx
polling under the strict CSP, no inline script)."""

from playwright.sync_api import expect

from fazhi.conftest import PASSWORD
from fazhi.core.tests.browser import ARTIFACTS, BROWSER
from fazhi.frameworks import services
from fazhi.frameworks.models import FrameworkImport
from fazhi.frameworks.tests.excel_builders import national_table, save_xlsx

pytestmark = BROWSER


def test_the_upload_shows_progress_then_the_preview_by_itself(
    page, live_server, people, tree, tmp_path, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    table = save_xlsx(tmp_path / "XX市法治政府建设示范指标体系.xlsx", national_table())
    page.goto(f"{live_server.url}/")
    page.fill("input[name=username]", people.szq_lead.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/frameworks/import/")
    page.set_input_files("input[name=file]", str(table))
    page.fill("input[name=name]", "XX市法治政府建设示范指标体系")
    page.fill("input[name=edition]", "2025 版")
    page.click("text=上传并预览")

    expect(page.locator("#import-progress")).to_contain_text("等待后台任务开始")
    bar = page.locator("#import-progress .bar")
    expect(bar).to_have_attribute("data-width", "0")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "import-progress.png"), full_page=True)

    draft = FrameworkImport.objects.get()
    services.framework_import_parse(draft_id=draft.pk)  # the worker's turn

    expect(page.locator("#preview")).to_be_visible(timeout=15_000)
    assert page.locator("#preview tbody tr").count() == 2 + 3 + 5
    expect(page.locator("#import-progress")).to_have_count(0)
    page.click("#confirm-import")
    page.wait_for_selector("#tree")
