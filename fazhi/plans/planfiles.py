"""Reading a work plan out of the file the government circulates: a Word document (.docx, and
.doc/.wps through LibreOffice) or a table (.xlsx, .xls, .csv, through the shared table reader).
A Word document that holds the plan as a table (a 任务分解表) is read as a table. What cannot be
read at all is an ImportFailure with a message for the user; what is wrong inside is in the
reading's problems, tied to paragraphs or rows."""

from __future__ import annotations

from pathlib import Path

from fazhi.core.spreadsheets import GridWorkbook, ImportFailure, SheetGrid, read_workbook
from fazhi.evidence.extraction import ExtractionError, libreoffice
from fazhi.evidence.extraction.sniff import content_kind
from fazhi.evidence.extraction.text import TextOutput
from fazhi.evidence.extraction.word import read_docx
from fazhi.plans.planreading import PlanReading, read_plan_lines
from fazhi.plans.plantables import read_plan_table

MAX_PLAN_BYTES = 20 * 1024 * 1024
MAX_TABLE_ROWS = 5000
MAX_DOCUMENT_CHARS = 2_000_000
DOCUMENT_KINDS = {"docx", "doc", "wps"}
TABLE_KINDS = {"xlsx", "xls", "et", "csv"}


def read_plan_file(path: Path, *, filename: str, year: int) -> PlanReading:
    """The plan in the file; ImportFailure with a message for the user when it cannot be read."""
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_PLAN_BYTES:
        raise ImportFailure(
            f"文件大小 {size / 1024 / 1024:.1f} MB，超过工作计划导入上限"
            f" {MAX_PLAN_BYTES // 1024 // 1024} MB；工作计划通常不到 1 MB，请检查是否选错了文件。"
        )
    suffix = Path(filename).suffix.lower().lstrip(".")
    try:
        content = content_kind(path)  # refuses Office packages that unpack too large
    except ExtractionError as exc:
        raise ImportFailure(str(exc)) from exc
    if suffix in TABLE_KINDS or content in ("xlsx", "xls"):
        book = read_workbook(path, filename=filename, row_cap=MAX_TABLE_ROWS)
        return read_plan_table(book, year=year)
    if suffix not in DOCUMENT_KINDS:
        raise ImportFailure(
            "请上传 Word（.docx、.doc、.wps）或表格（.xlsx、.xls、.csv）格式的工作计划。"
        )
    if content == "pdf":
        raise ImportFailure(
            f"文件扩展名为 .{suffix}，但内容是 PDF；请上传 Word 原稿（.docx、.doc、.wps）或表格。"
        )
    return _read_document(_document_lines(path, suffix, content), year)


def _document_lines(path: Path, suffix: str, content: str | None) -> list[str]:
    """The paragraphs and table rows (cells joined by tabs) of a Word document, as written:
    not the evidence store's tidied text, which turns the tabs of table rows into spaces."""
    out = TextOutput(MAX_DOCUMENT_CHARS)
    name = suffix.upper()
    try:
        if content == "docx":
            read_docx(path, out)
        elif content == "doc":
            with libreoffice.converted(path, "doc", shown_as=suffix) as modern:
                read_docx(modern, out)
        else:
            raise ImportFailure(f"{name} 文件已损坏或不是 Word 格式，无法读取。")
    except (ImportFailure, ExtractionError) as exc:
        raise ImportFailure(str(exc)) from exc
    except Exception as exc:  # python-docx and lxml fail in many ways on damaged files
        raise ImportFailure(f"{name} 文件已损坏或格式异常，无法读取。") from exc
    return out.text().split("\n")


def _read_document(lines: list[str], year: int) -> PlanReading:
    reading = read_plan_lines(lines, year=year)
    table = [line.split("\t") for line in lines if "\t" in line]
    if reading.measures or not table:
        return reading
    # No numbered paragraphs, but a table: the plan is the table (a 任务分解表 in Word).
    grid = GridWorkbook([SheetGrid(name="文档中的表格", rows=table)], source_format="docx")
    from_table = read_plan_table(grid, year=year)
    from_table.title = reading.title or from_table.title
    return from_table if from_table.measures else reading
