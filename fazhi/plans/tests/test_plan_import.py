"""Importing a work plan from a real Word document or table, and exporting it, through the
`fazhi plan` command: the CLI contract other tools rely on, bad input, and scoping."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from docx import Document
from openpyxl import Workbook, load_workbook

from fazhi.evidence.tests.documents import build_with_libreoffice, soffice
from fazhi.plans.models import Measure, MeasureUnit, Plan

PLAN_TEXT = [
    "市中区2025年法治政府建设工作要点",
    "为深入推进法治政府建设，现提出如下工作要点。",
    "一、健全依法行政制度体系",
    "（一）加强行政规范性文件管理。全面落实备案审查制度。（牵头单位：区司法局；责任单位：区市场监管局、各镇街；完成时限：2025年6月底前）",
    "（二）开展气象领域普法。（区气象局牵头；每季度）",
    "二、严格规范公正文明执法",
    "（一）推行行政执法三项制度。（区司法局负责，年底前完成）",
]


def _docx(path, paragraphs, table=None):
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    document.save(path)
    return path


def _run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("plan", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_prints_the_contract_line_and_stores_units_as_matched(tmp_path, tree):
    path = _docx(tmp_path / "要点.docx", PLAN_TEXT)
    out, _ = _run("import", str(path), "--region", "370402", "--year", "2025")

    plan = Plan.objects.get()
    # 区司法局, 区市场监管局, 各镇街 (one group), 区司法局 again: matched; 区气象局: unresolved.
    assert out.strip() == f"plan {plan.pk}: 2 areas, 3 measures, 4 unit names matched, 1 unresolved"
    assert plan.name == "市中区2025年法治政府建设工作要点"
    first = Measure.objects.get(plan=plan, code="1.1")
    assert {(row.unit.name, row.role) for row in first.units.all()} == {
        ("市中区司法局", "lead"),
        ("市中区市场监督管理局", "responsible"),
        ("中心街街道办事处", "responsible"),
    }
    weather = MeasureUnit.objects.get(measure__code="1.2")
    assert (weather.unit, weather.name_text, weather.role) == (None, "区气象局", "lead")


def test_export_json_follows_the_contract(tmp_path, tree):
    _run(
        "import", str(_docx(tmp_path / "p.docx", PLAN_TEXT)), "--region", "370402", "--year", "2025"
    )
    out, _ = _run("export", "市中区2025年法治政府建设工作要点", "--format", "json")
    data = json.loads(out)

    assert (data["name"], data["year"], data["region"]) == (
        "市中区2025年法治政府建设工作要点",
        2025,
        "370402",
    )
    assert [area["code"] for area in data["areas"]] == ["1", "2"]
    first, weather = data["areas"][0]["measures"]
    assert first == {
        "code": "1.1",
        "title": "加强行政规范性文件管理",
        "lead_unit": "市中区司法局",
        "responsible_units": ["市中区市场监督管理局", "中心街街道办事处"],
        "deadline": "2025-06-30",
        "deadline_text": "2025年6月底前",
    }
    assert weather["lead_unit"] == "区气象局"  # unresolved: the text as written
    assert (weather["deadline"], weather["deadline_text"]) == (None, "每季度")
    assert data["areas"][1]["measures"][0]["deadline"] == "2025-12-31"


def test_export_xlsx_is_the_ledger_layout(tmp_path, tree):
    _run(
        "import", str(_docx(tmp_path / "p.docx", PLAN_TEXT)), "--region", "370402", "--year", "2025"
    )
    target = tmp_path / "台账.xlsx"
    _run("export", str(Plan.objects.get().pk), "--format", "xlsx", "-o", str(target))

    rows = list(load_workbook(target).active.iter_rows(values_only=True))
    assert rows[0] == (
        "序号",
        "工作任务",
        "牵头单位",
        "责任单位",
        "完成时限",
        "进展情况",
        "完成状态",
    )
    assert rows[1][:2] == ("一", "健全依法行政制度体系")
    assert rows[2][:5] == (
        1,
        "加强行政规范性文件管理",
        "市中区司法局",
        "市中区市场监督管理局、中心街街道办事处",
        "2025年6月底前",
    )
    assert rows[2][6] == "未开始"
    assert rows[4][:2] == ("二", "严格规范公正文明执法")


def test_a_plan_kept_as_a_table_in_word_or_excel(tmp_path, tree):
    table = [
        ["序号", "工作任务", "牵头单位", "责任单位", "完成时限"],
        ["一、健全依法行政制度体系", "", "", "", ""],
        ["1", "加强规范性文件管理", "区司法局", "区市场监管局", "2025年6月底前"],
    ]
    path = _docx(tmp_path / "分解表.docx", ["市中区2025年工作任务分解表"], table=table)
    out, _ = _run("import", str(path), "--region", "370402", "--year", "2025")
    assert ": 1 areas, 1 measures, 2 unit names matched, 0 unresolved" in out

    book = Workbook()
    for row in table:
        book.active.append(row)
    book.save(tmp_path / "计划.xlsx")
    out, _ = _run(
        "import",
        str(tmp_path / "计划.xlsx"),
        "--region",
        "370402",
        "--year",
        "2025",
        "--name",
        "表格版",
    )
    assert ": 1 areas, 1 measures, 2 unit names matched, 0 unresolved" in out


def test_bad_input_names_the_paragraph_and_stores_nothing(tmp_path, tree):
    lines = [*PLAN_TEXT[:3], "（一）措施甲。（牵头单位：区司法局；完成时限：2025年13月底前）"]
    err = io.StringIO()
    with pytest.raises(CommandError, match="有 1 处问题，未导入"):
        call_command(
            "plan",
            "import",
            str(_docx(tmp_path / "bad.docx", lines)),
            "--region",
            "370402",
            "--year",
            "2025",
            stderr=err,
        )
    assert "第 4 段：完成时限“2025年13月底前”中的月份 13 不存在" in err.getvalue()
    assert not Plan.objects.exists()


def test_a_docx_that_is_a_pdf_and_a_document_without_areas(tmp_path, tree):
    fake = tmp_path / "要点.docx"
    fake.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    with pytest.raises(CommandError, match="内容是 PDF"):
        _run("import", str(fake), "--region", "370402", "--year", "2025")
    prose = _docx(tmp_path / "通知.docx", ["关于做好法治工作的通知", "各单位要高度重视。"])
    with pytest.raises(CommandError, match="未导入"):
        _run("import", str(prose), "--region", "370402", "--year", "2025")
    assert not Plan.objects.exists()


def test_scoping_of_import_and_export(tmp_path, people):
    path = _docx(tmp_path / "p.docx", PLAN_TEXT)
    with pytest.raises(CommandError, match="无权"):
        _run("--as", "xc_lead", "import", str(path), "--region", "370402", "--year", "2025")
    _run("--as", "szq_lead", "import", str(path), "--region", "370402", "--year", "2025")

    out, _ = _run("--as", "scjg_liaison", "export", "市中区2025年法治政府建设工作要点")
    only = json.loads(out)["areas"]
    assert [m["code"] for area in only for m in area["measures"]] == ["1.1"]  # its own measure
    with pytest.raises(CommandError, match="找不到工作计划"):
        _run("--as", "xc_lead", "export", "市中区2025年法治政府建设工作要点")
    with pytest.raises(CommandError, match="已有名为"):
        _run("import", str(path), "--region", "370402", "--year", "2025")


def test_a_30_mb_document_is_refused_before_reading(tmp_path, tree):
    big = tmp_path / "要点.docx"
    with big.open("wb") as handle:
        handle.truncate(30 * 1024 * 1024)  # sparse: the size is all that is checked first
    with pytest.raises(CommandError, match="文件大小 30.0 MB，超过工作计划导入上限 20 MB"):
        _run("import", str(big), "--region", "370402", "--year", "2025")


@pytest.fixture(scope="module")
def old_word_plan(tmp_path_factory):
    """The plan saved by LibreOffice as a Word 97 .doc: one conversion for the module."""
    if soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    folder = tmp_path_factory.mktemp("doc")
    return build_with_libreoffice(folder / "要点.doc", _docx(folder / "要点.docx", PLAN_TEXT))


@pytest.mark.parametrize("name", ["要点.doc", "要点.wps"])
def test_an_old_word_or_wps_document_is_read_through_libreoffice(
    tmp_path, tree, old_word_plan, name
):
    old = tmp_path / name
    old.write_bytes(old_word_plan.read_bytes())
    out, _ = _run("import", str(old), "--region", "370402", "--year", "2025")
    assert out.strip().endswith("2 areas, 3 measures, 4 unit names matched, 1 unresolved")
    assert Measure.objects.get(code="1.1").deadline.isoformat() == "2025-06-30"
