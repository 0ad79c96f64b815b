"""Table imports run in bounded time and memory whatever a workbook claims: a <dimension> of the
whole sheet, a million rows styled but empty, thousands of rows styled across a thousand
columns, a million shared strings. Each either reads the table or stops with a message naming
the sheet and the limit."""

from __future__ import annotations

import time

import pytest

from fazhi.core.spreadsheets import ImportFailure, read_workbook
from fazhi.core.spreadsheets.grid import MAX_CELLS, MAX_SHARED_STRINGS
from fazhi.core.tests.officefiles import (
    sheet_xml,
    styled_empty_row,
    text_row,
    xlsx_from_xml,
)
from fazhi.core.tests.test_officezip import peak_mb_in_child
from fazhi.frameworks.importing import parse_framework_file

HEADER = ["序号", "一级指标", "二级指标", "三级指标", "分值"]


def framework_rows() -> list[list]:
    rows = [HEADER]
    for number in range(1, 41):
        area = f"{'一二三四'[(number - 1) // 10]}、领域" if number % 10 == 1 else None
        group = f"（{'一二'[(number - 1) % 10 // 5]}）分组{number}" if number % 5 == 1 else None
        rows.append([number, area, group, f"{number}.指标{number}", 2])
    return rows


def table_xml() -> list[bytes]:
    return [text_row(number, values) for number, values in enumerate(framework_rows(), start=1)]


def test_a_dimension_claiming_the_whole_sheet_reads_only_what_is_there(tmp_path):
    path = xlsx_from_xml(
        tmp_path / "指标体系.xlsx", {"指标": sheet_xml(table_xml(), dimension="A1:XFD1048576")}
    )
    book = read_workbook(path, filename=path.name, row_cap=5031)
    (sheet,) = book.sheets
    assert (sheet.row_count, sheet.more_rows) == (41, False)
    assert book.issues == []  # before: "有 16384 列，只读取前 200 列"
    assert len(parse_framework_file(path, filename=path.name).nodes) == 4 + 8 + 40


@pytest.fixture(scope="module")
def million_empty_rows(tmp_path_factory):
    def rows():
        yield from table_xml()
        for number in range(42, 1_000_001):
            yield f'<row r="{number}" s="1" customFormat="1" ht="15"/>'.encode()

    path = tmp_path_factory.mktemp("tables") / "指标体系.xlsx"
    return xlsx_from_xml(path, {"指标": sheet_xml(rows(), dimension="A1:XFD1048576")})


def test_a_million_rows_styled_but_empty_after_the_table_are_skipped(million_empty_rows):
    # Before: every styled row counted, so the table was refused as over 5,000 rows.
    started = time.monotonic()
    parsed = parse_framework_file(million_empty_rows, filename="指标体系.xlsx")
    assert time.monotonic() - started < 30
    assert [issue.message for issue in parsed.issues if issue.severity == "error"] == []
    assert len(parsed.nodes) == 52
    peak, out = peak_mb_in_child(
        "from fazhi.core.spreadsheets import read_workbook\n"
        f"book = read_workbook({str(million_empty_rows)!r}, row_cap=5031)\n"
        "out = book.sheets[0].row_count\n"
    )
    assert out == 41
    assert peak < 150, f"peak {peak} MB"


def test_rows_styled_across_a_thousand_columns_stop_at_the_cell_limit_naming_the_sheet(tmp_path):
    # Before: the workbook was loaded whole for its merged cells, 146 s and 1.4 GB for 4,000
    # such rows; now the cells openpyxl would parse are counted first.
    rows_needed = MAX_CELLS // 1000 + 1

    def rows():
        yield from table_xml()
        for number in range(42, rows_needed + 42):
            yield styled_empty_row(number, 1000)
        yield text_row(rows_needed + 42, ["备注"])

    path = xlsx_from_xml(tmp_path / "指标体系.xlsx", {"评分表": sheet_xml(rows())})
    started = time.monotonic()
    with pytest.raises(ImportFailure) as refused:
        read_workbook(path, filename=path.name, row_cap=5031)
    assert time.monotonic() - started < 30
    message = str(refused.value)
    assert message.startswith(f"工作表“评分表”的前 {rows_needed + 42} 行有 ")
    assert f"超过 {MAX_CELLS:,} 个的上限" in message


def test_styled_columns_beyond_the_table_are_not_parsed_when_rows_end(tmp_path):
    def rows():
        yield from table_xml()
        for number in range(42, 3000):
            yield styled_empty_row(number, 300)

    path = xlsx_from_xml(tmp_path / "指标体系.xlsx", {"指标": sheet_xml(rows())})
    book = read_workbook(path, filename=path.name, row_cap=5031)
    assert (book.sheets[0].row_count, book.issues) == (41, [])


def test_a_million_shared_strings_are_refused_before_openpyxl_reads_them(tmp_path):
    strings = (f"条目{number}" for number in range(MAX_SHARED_STRINGS + 10))
    path = xlsx_from_xml(
        tmp_path / "指标体系.xlsx", {"指标": sheet_xml(table_xml())}, shared_strings=strings
    )
    started = time.monotonic()
    with pytest.raises(ImportFailure, match=f"超过 {MAX_SHARED_STRINGS:,} 条"):
        read_workbook(path, filename=path.name, row_cap=5031)
    assert time.monotonic() - started < 10  # before: openpyxl read them all, 40 s a million


def test_content_beyond_the_row_cap_is_still_noticed(tmp_path):
    def rows():
        yield from table_xml()
        for number in range(42, 200_000):
            yield f'<row r="{number}" s="1" customFormat="1"/>'.encode()
        yield text_row(200_000, [None, None, None, "遗漏的指标", 1])

    path = xlsx_from_xml(tmp_path / "指标体系.xlsx", {"指标": sheet_xml(rows())})
    book = read_workbook(path, filename=path.name, row_cap=5031)
    assert book.sheets[0].more_rows
    parsed = parse_framework_file(path, filename=path.name)
    assert any("5000 行" in issue.message for issue in parsed.issues)


def test_merged_ranges_and_prefixed_tags_are_read_from_the_scan(tmp_path):
    prefixed = (
        b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<x:sheetData>"
        + b"".join(row.replace(b"<", b"<x:").replace(b"<x:/", b"</x:") for row in table_xml())
        + b'</x:sheetData><x:mergeCells count="1"><x:mergeCell ref="B2:B11"/></x:mergeCells>'
        b"</x:worksheet>"
    )
    path = xlsx_from_xml(tmp_path / "指标体系.xlsx", {"指标": [prefixed]})
    (sheet,) = read_workbook(path, filename=path.name, row_cap=5031).sheets
    assert sheet.row_count == 41
    assert sheet.value(41, 4) == "40.指标40"
    merge = sheet.merge_at(7, 2)
    assert (merge.min_row, merge.max_row, merge.min_col, merge.max_col) == (2, 11, 2, 2)


def test_text_extraction_stops_where_the_content_ends(million_empty_rows):
    # Before: openpyxl parsed every styled row and kept its height, 24 s and 546 MB.
    peak, out = peak_mb_in_child(
        "import time\n"
        "from pathlib import Path\n"
        "from fazhi.evidence.extraction import extract_text\n"
        "started = time.monotonic()\n"
        f"text = extract_text(Path({str(million_empty_rows)!r}), '台账.xlsx').text\n"
        "out = [time.monotonic() - started, text.splitlines()[-1]]\n"
    )
    seconds, last_line = out
    assert last_line == "40 40.指标40 2"  # the normalised text joins cells with spaces
    assert seconds < 30
    assert peak < 150, f"peak {peak} MB"
