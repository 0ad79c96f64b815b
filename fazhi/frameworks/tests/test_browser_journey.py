"""The main journey in a real browser (Debian's chromium driven by Playwright): a lead office
logs in, imports a government Excel table through the wizard, and finds an indicator in the tree."""

from fazhi.conftest import PASSWORD
from fazhi.core.tests.browser import ARTIFACTS, BROWSER
from fazhi.frameworks.models import Framework
from fazhi.frameworks.tests.excel_builders import national_table, save_xlsx

pytestmark = BROWSER


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

    page.click("nav >> text=指标体系")
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
