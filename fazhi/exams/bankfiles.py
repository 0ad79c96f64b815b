"""A question bank file, whichever kind it is: Excel/CSV tables through the shared table reader,
Word documents (.docx; .doc/.wps through LibreOffice) as numbered questions. What cannot be read
at all is an ImportFailure; what is wrong inside is in the problems, by row or paragraph."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from fazhi.core.spreadsheets import ImportFailure, read_workbook
from fazhi.evidence.extraction import ExtractionError
from fazhi.evidence.extraction.sniff import content_kind
from fazhi.exams.questiondocs import read_question_lines
from fazhi.exams.questionparts import ReadQuestion
from fazhi.exams.questiontables import read_question_table
from fazhi.plans.planfiles import _document_lines

MAX_BANK_BYTES = 20 * 1024 * 1024
MAX_ROWS = 20000
TABLE_KINDS = {"xlsx", "xls", "et", "csv"}
DOCUMENT_KINDS = {"docx", "doc", "wps"}


@dataclass
class BankReading:
    questions: list[ReadQuestion] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    layout: str = ""  # "table" | "document"


def read_bank_file(path: Path, *, filename: str) -> BankReading:
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_BANK_BYTES:
        raise ImportFailure(
            f"文件大小 {size / 1024 / 1024:.1f} MB，超过题库导入上限"
            f" {MAX_BANK_BYTES // 1024 // 1024} MB，请检查是否选错了文件。"
        )
    suffix = Path(filename).suffix.lower().lstrip(".")
    try:
        content = content_kind(path)
    except ExtractionError as exc:
        raise ImportFailure(str(exc)) from exc
    if suffix in TABLE_KINDS or content in ("xlsx", "xls"):
        book = read_workbook(path, filename=filename, row_cap=MAX_ROWS)
        questions, problems = read_question_table(book)
        return BankReading(questions, problems, "table")
    if suffix not in DOCUMENT_KINDS:
        raise ImportFailure(
            "请上传 Excel（.xlsx、.xls、.csv）或 Word（.docx、.doc、.wps）格式的题库。"
        )
    if content == "pdf":
        raise ImportFailure(
            f"文件扩展名为 .{suffix}，但内容是 PDF；请上传 Word 原稿或 Excel 表格。"
        )
    questions, problems = read_question_lines(_document_lines(path, suffix, content))
    return BankReading(questions, problems, "document")
