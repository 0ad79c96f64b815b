"""Hostile or damaged imports: a precise message for the user, one log line, no traceback."""

import io
import logging
import random
import zipfile
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from fazhi.frameworks.formats import load_document
from fazhi.frameworks.importing import parse_framework_file
from fazhi.frameworks.models import Framework
from fazhi.frameworks.tests.excel_builders import national_table, save_table, save_xls, save_xlsx
from fazhi.frameworks.tree import TreeError

DEEP_JSON = "[" * 100_000 + "]" * 100_000
TOO_DEEP = "JSON/YAML 嵌套层级过深（超过 64 层）"
HEADER = ["一级指标", "二级指标", "三级指标", "分值"]
SHEET = "xl/worksheets/sheet1.xml"


def no_tracebacks(caplog):
    assert caplog.records, "the refusal should leave one log line"
    assert all(record.exc_info is None for record in caplog.records)


# --- JSON / YAML nesting ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [DEEP_JSON, '{"name": "x", "edition": "1", "nodes": ' + "[" * 100 + "]" * 100 + "}"],
    ids=["100000-brackets", "100-levels-under-nodes"],
)
def test_a_deeply_nested_document_is_refused_naming_the_limit(text, caplog):
    with caplog.at_level(logging.WARNING), pytest.raises(TreeError) as refused:
        load_document(text)

    assert refused.value.errors[0].startswith(TOO_DEEP)
    no_tracebacks(caplog)


def test_the_cli_refuses_a_deeply_nested_json_file(db, tmp_path):
    path = tmp_path / "deep.json"
    path.write_text(DEEP_JSON, encoding="utf-8")

    with pytest.raises(CommandError, match="嵌套层级过深"):
        call_command(
            "framework", "import", str(path), "--name", "x", "--edition", "1",
            stdout=StringIO(), stderr=StringIO(),
        )  # fmt: skip
    assert not Framework.objects.exists()


def test_the_wizard_shows_the_nesting_message_instead_of_a_server_error(
    people, login, tree, caplog
):
    lead = login(people.szq_lead)
    upload = SimpleUploadedFile("deep.json", DEEP_JSON.encode(), "application/json")

    with caplog.at_level(logging.WARNING):
        response = lead.post(
            reverse("frameworks:import"),
            {
                "file": upload,
                "name": "XX市指标体系",
                "edition": "2025",
                "owner_region": tree.szq.pk,
            },
        )

    assert response.status_code == 200
    assert TOO_DEEP in response.content.decode()
    assert not Framework.objects.exists()
    no_tracebacks(caplog)


# --- absurd points --------------------------------------------------------------------------


# openpyxl cannot write inf or nan; .xls stores them as plain doubles, so they arrive that way.
@pytest.mark.parametrize(
    ("save", "value", "shown"),
    [
        (save_table, 1e308, "1e+308"),
        (save_table, 1000.5, "1000.5"),
        (save_xls, 1e308, "1e+308"),
        (save_xls, float("inf"), "inf"),
        (save_xls, float("nan"), "nan"),
    ],
)
def test_points_beyond_any_indicator_are_refused_naming_row_and_cell(save, value, shown, tmp_path):
    rows = [HEADER, ["依法决策", "决策程序", "公众参与", 5], [None, None, "专家论证", value]]

    result = parse_framework_file(save(tmp_path / f"t.{save.__name__}", rows))

    assert [issue.message for issue in result.errors] == [
        f"第 3 行 D 列（分值）：“{shown}” 不是有效分值（应为 0–1000 之间的数）"
    ]


def test_an_xlsx_with_inf_written_by_another_program_is_refused_without_traceback(tmp_path, caplog):
    rows = [HEADER, ["依法决策", "决策程序", "公众参与", 5], [None, None, "专家论证", 999]]
    good = save_table(tmp_path / "good.xlsx", rows).read_bytes()
    path = tmp_path / "t.xlsx"
    path.write_bytes(rewrite(good, SHEET, lambda xml: xml.replace(b"<v>999</v>", b"<v>inf</v>")))

    with caplog.at_level(logging.WARNING):
        result = parse_framework_file(path)

    (message,) = [issue.message for issue in result.errors]
    assert message.startswith("文件已损坏：Excel 文件内容无效（") and "inf" in message
    no_tracebacks(caplog)


# --- damaged .xlsx --------------------------------------------------------------------------


@pytest.fixture
def good_xlsx(tmp_path) -> bytes:
    return save_xlsx(tmp_path / "good.xlsx", national_table()).read_bytes()


def rewrite(data: bytes, member: str, change) -> bytes:
    """A copy of the workbook with one member's content changed (or dropped when None)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = change(source.read(info)) if info.filename == member else source.read(info)
            if content is not None:
                target.writestr(info, content)
    return out.getvalue()


def flip_compressed(data: bytes, member: str) -> bytes:
    """Flip bytes inside a member's compressed data, as a bad disk or transfer would."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(member)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    damaged = bytearray(data)
    for offset in range(start + 5, start + info.compress_size - 5, 7):
        damaged[offset] ^= 0xFF
    return bytes(damaged)


DAMAGE = {
    "truncated": (lambda d: d[: len(d) * 2 // 3], "文件已损坏"),
    "sheet-bytes-flipped": (lambda d: flip_compressed(d, SHEET), "压缩结构损坏"),
    "workbook-bytes-flipped": (lambda d: flip_compressed(d, "xl/workbook.xml"), "压缩结构损坏"),
    "sheet-xml-broken": (lambda d: rewrite(d, SHEET, lambda x: x[: len(x) // 2]), "XML 损坏"),
    "styles-xml-broken": (
        lambda d: rewrite(d, "xl/styles.xml", lambda x: b"<styleSheet><numFmts"),
        "XML 损坏",
    ),
    "workbook-rels-missing": (
        lambda d: rewrite(d, "xl/_rels/workbook.xml.rels", lambda x: None),
        "缺少必需的部件",
    ),
}


@pytest.mark.parametrize("kind", DAMAGE)
def test_a_damaged_xlsx_gets_a_precise_message_and_one_log_line(kind, good_xlsx, tmp_path, caplog):
    damage, expected = DAMAGE[kind]
    path = tmp_path / "体系.xlsx"
    path.write_bytes(damage(good_xlsx))

    with caplog.at_level(logging.WARNING):
        result = parse_framework_file(path)

    (message,) = [issue.message for issue in result.errors]
    assert expected in message and "另存为 .xlsx" in message
    assert "文件可能已损坏或格式不受支持" not in message
    assert all(record.exc_info is None for record in caplog.records)


@pytest.mark.parametrize("seed", range(10))
def test_ten_randomly_bit_flipped_workbooks_never_log_a_traceback(
    seed, good_xlsx, tmp_path, caplog
):
    damaged = bytearray(good_xlsx)
    rng = random.Random(seed)
    for _ in range(20):
        damaged[rng.randrange(len(damaged))] ^= 1 << rng.randrange(8)
    path = tmp_path / "体系.xlsx"
    path.write_bytes(bytes(damaged))

    with caplog.at_level(logging.WARNING):
        result = parse_framework_file(path)

    assert all(record.exc_info is None for record in caplog.records)
    assert not any("文件可能已损坏或格式不受支持" in issue.message for issue in result.issues)


def test_the_wizard_shows_the_damage_without_a_server_error(people, login, tree, good_xlsx):
    lead = login(people.szq_lead)
    upload = SimpleUploadedFile("体系.xlsx", flip_compressed(good_xlsx, SHEET))

    response = lead.post(
        reverse("frameworks:import"),
        {"file": upload, "name": "XX市指标体系", "edition": "2025", "owner_region": tree.szq.pk},
        follow=True,
    )

    assert response.status_code == 200
    assert "压缩结构损坏" in response.content.decode()


@pytest.mark.parametrize("points", ["1e308", ".nan", ".inf", "1000.5"])
def test_a_document_with_absurd_points_is_refused_naming_the_node(points, db, tmp_path):
    path = tmp_path / "体系.yaml"
    path.write_text(
        f"name: x\nedition: '1'\nnodes:\n- code: A\n  title: 依法行政\n  points: {points}\n",
        encoding="utf-8",
    )

    with pytest.raises(CommandError, match=r"nodes\[0\]（A）：分值 .* 不是有效分值（应为 0–1000"):
        call_command(
            "framework", "import", str(path), "--name", "x", "--edition", "1",
            stdout=StringIO(), stderr=StringIO(),
        )  # fmt: skip
    assert not Framework.objects.exists()
