"""Office files are ZIP packages: a small one that unpacks to hundreds of MB is refused, with a
message naming what was too large, before text extraction or a table import parses it; real
documents and workbooks still read."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from fazhi.core import officezip
from fazhi.core.officezip import OfficeZipRefused, check_office_zip
from fazhi.core.spreadsheets import ImportFailure, read_workbook
from fazhi.core.tests.officefiles import MB, docx_bomb, sheet_xml, text_row, xlsx_from_xml
from fazhi.evidence.extraction import ExtractionError, extract_text
from fazhi.evidence.tests import documents

BOMB_MB = 300  # unpacked; the package is about 300 KB


@pytest.fixture(scope="module")
def bomb_docx(tmp_path_factory) -> Path:
    return docx_bomb(tmp_path_factory.mktemp("bombs") / "汇报材料.docx", unpacked_mb=BOMB_MB)


@pytest.fixture(scope="module")
def bomb_xlsx(tmp_path_factory) -> Path:
    def rows():
        yield text_row(1, ["一级指标", "二级指标", "三级指标", "分值"])
        padding = b"<!--" + b" " * MB + b"-->"
        for _ in range(BOMB_MB):
            yield padding  # a sheet of comments: hundreds of MB of nothing
        yield text_row(2, ["一、职能", "（一）机构", "1.职能清单", 2])

    path = tmp_path_factory.mktemp("bombs") / "指标体系.xlsx"
    return xlsx_from_xml(path, {"指标体系": sheet_xml(rows())})


def peak_mb_in_child(code: str) -> tuple[int, dict]:
    """Run `code` in a fresh interpreter: its peak memory is its own, not the test run's."""
    # VmHWM, not ru_maxrss: Linux carries the latter over from the forking test process.
    script = (
        "import json, re\n"
        f"{code}\n"
        "peak = int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read())[1]) // 1024\n"
        "print(json.dumps({'peak': peak, 'out': out}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[3],
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return result["peak"], result["out"]


def test_a_docx_that_unpacks_to_hundreds_of_mb_is_refused_before_parsing(bomb_docx):
    assert bomb_docx.stat().st_size < 2 * MB
    with pytest.raises(ExtractionError) as refused:
        extract_text(bomb_docx, bomb_docx.name)
    assert str(refused.value) == (
        "文件解压后超过 100 MB（成员 word/document.xml 解压后 300.0 MB），"
        "可能是压缩炸弹，已拒绝读取。"
    )


def test_refusing_the_docx_bomb_takes_no_large_memory(bomb_docx):
    # Before the check, python-docx parsed the whole part: 2.1 GB for a 1 GB member.
    peak, out = peak_mb_in_child(
        "from pathlib import Path\n"
        "from fazhi.evidence.extraction import ExtractionError, extract_text\n"
        f"path = Path({str(bomb_docx)!r})\n"
        "try:\n    extract_text(path, path.name); out = 'read'\n"
        "except ExtractionError as exc:\n    out = str(exc)\n"
    )
    assert "可能是压缩炸弹" in out
    assert peak < 150, f"peak {peak} MB"


def test_an_xlsx_bomb_is_refused_by_a_table_import_naming_the_member(bomb_xlsx):
    with pytest.raises(ImportFailure) as refused:
        read_workbook(bomb_xlsx, filename=bomb_xlsx.name, row_cap=5000)
    assert str(refused.value) == (
        "文件解压后超过 100 MB（成员 xl/worksheets/sheet1.xml 解压后 300.0 MB），"
        "可能是压缩炸弹，已拒绝读取"
    )
    peak, out = peak_mb_in_child(
        "from fazhi.frameworks.importing import parse_framework_file\n"
        f"parsed = parse_framework_file({str(bomb_xlsx)!r}, filename='指标体系.xlsx')\n"
        "out = [issue.message for issue in parsed.issues]\n"
    )
    assert any("可能是压缩炸弹" in message for message in out)
    assert peak < 150, f"peak {peak} MB"


def test_a_member_far_more_compressed_than_any_document_is_refused(tmp_path):
    path = tmp_path / "报告.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("word/document.xml", b"<w:document/>")
        package.writestr("word/media/blank.bin", b"\0" * (20 * MB))  # about 1,000 : 1
    with pytest.raises(OfficeZipRefused) as refused:
        check_office_zip(path)
    message = str(refused.value)
    assert message.startswith("文件中的成员 word/media/blank.bin 解压后 20.0 MB，是压缩后大小的 ")
    assert message.endswith("倍（上限 200 倍），可能是压缩炸弹，已拒绝读取")


def test_a_package_of_too_many_members_is_refused_before_zipfile_lists_them(tmp_path):
    path = tmp_path / "演示.pptx"
    with zipfile.ZipFile(path, "w") as package:
        for number in range(officezip.MAX_MEMBERS + 1):
            package.writestr(f"ppt/slides/s{number}.xml", b"")
    with pytest.raises(OfficeZipRefused, match="文件内含 10,001 个成员，超过 10,000 个的上限"):
        check_office_zip(path)


def test_a_member_whose_declared_size_lies_is_caught_when_the_reader_is_not_python(tmp_path):
    # LibreOffice reads .odt; it need not stop at the size the directory declares.
    path = tmp_path / "通知.odt"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        package.writestr("content.xml", b" " * (120 * MB))
    data = bytearray(path.read_bytes())
    entry = data.rfind(b"PK\x01\x02")  # content.xml's central directory entry
    struct.pack_into("<I", data, entry + 24, 1000)  # declared: 1,000 bytes
    path.write_bytes(bytes(data))
    check_office_zip(path)  # the declared sizes look harmless
    with pytest.raises(OfficeZipRefused, match="content.xml 解压后"):
        check_office_zip(path, verify=True)
    with pytest.raises(ExtractionError, match="可能是压缩炸弹"):
        extract_text(path, path.name)


def test_a_report_full_of_photos_passes_for_its_pictures_unpack_to_their_own_size(tmp_path):
    path = documents.build_docx(tmp_path / "自评报告.docx", ["法治政府建设自评报告"])
    with zipfile.ZipFile(path, "a", zipfile.ZIP_STORED) as package:
        for number in range(3):
            package.writestr(f"word/media/photo{number}.jpg", os.urandom(40 * MB))
    check_office_zip(path)  # 120 MB unpacked, but no more than the file's own size
    assert "自评报告" in extract_text(path, path.name).text


def test_a_real_multi_sheet_workbook_passes_with_values_merges_and_formulas(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    first = book.active
    first.title = "指标体系"
    first.append(["一级指标", "二级指标", "分值"])
    for number in range(1, 2001):
        first.append(["一、依法全面履行政府职能", f"（{number}）职能清单动态调整", 2])
    first.merge_cells("A2:A2001")
    first["D1"] = "=SUM(C2:C2001)"  # written by a program that does not calculate
    second = book.create_sheet("评分说明")
    second.append(["说明", "扣分标准"])
    second.append(["未按期完成", 0.5])
    path = tmp_path / "指标体系.xlsx"
    book.save(path)

    grids = read_workbook(path, filename=path.name, row_cap=5031)
    sheet, notes = grids.sheets
    assert (sheet.name, sheet.row_count, sheet.more_rows) == ("指标体系", 2001, False)
    assert sheet.value(2001, 2) == "（2000）职能清单动态调整"
    assert sheet.merge_at(1500, 1).min_row == 2
    assert sheet.formulas == {(1, 4): "=SUM(C2:C2001)"}
    assert notes.value(2, 2) == 0.5
    assert grids.issues == []
