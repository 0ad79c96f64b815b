"""The evidence ledger (材料台账) as Excel: one row per material of a campaign, with its
indicator, metadata, current file and history, in the order and under the filters of the ledger
page (`selectors.evidence_ledger`). The rows stream from the database into a write-only
workbook, and every text goes through `safe_cell` (formula injection)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import IO

from django.db.models import QuerySet
from django.utils import timezone

from fazhi.core.xlsx import write_table
from fazhi.evidence.extraction.kinds import LABELS
from fazhi.evidence.models import Evidence

HEADERS = [
    "序号",
    "指标编号",
    "指标",
    "材料标题",
    "文号",
    "成文日期",
    "生效日期",
    "上传单位",
    "文件名",
    "类型",
    "大小（字节）",
    "页数",
    "文字提取状态",
    "上传人",
    "上传时间",
    "版本数",
    "SHA-256",
]
WIDTHS = [6, 10, 36, 40, 22, 12, 12, 24, 36, 16, 12, 6, 12, 12, 17, 7, 66]
DELETED_HEADER = "删除时间"
CHUNK = 2000


def kind_label(kind: str) -> str:
    return LABELS.get(kind, kind.upper())


def _extract_status(blob) -> str:
    if blob is None:
        return ""
    shown = blob.get_extract_status_display()
    return f"{shown}（OCR 识别 {blob.ocr_pages} 页）" if blob.ocr_pages else shown


def _date(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _moment(value: datetime | None) -> str | None:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else None


def ledger_rows(evidence: Iterable[Evidence], *, with_deleted: bool = False) -> Iterator[tuple]:
    """The cells of each material, numbered from 1. Needs the loads of `evidence_ledger`."""
    for number, material in enumerate(evidence, start=1):
        version = material.current
        blob = version.blob if version else None
        row = (
            number,
            material.item.code,
            material.item.title,
            material.title,
            material.doc_number,
            _date(material.issued_on),
            _date(material.effective_on),
            material.unit.name,
            version.original_name if version else "",
            kind_label(blob.kind) if blob else "",
            blob.size if blob else None,
            blob.page_count if blob else None,
            _extract_status(blob),
            str(material.uploaded_by) if material.uploaded_by else "",
            _moment(material.created_at),
            material.version_count,
            blob.sha256 if blob else "",
        )
        yield (*row, _moment(material.deleted_at)) if with_deleted else row


def write_ledger(
    stream: IO[bytes], *, evidence: QuerySet[Evidence], with_deleted: bool = False
) -> None:
    """`evidence` as `selectors.evidence_ledger` returns it; read in chunks, so that a county's
    thousands of materials never sit in memory as model objects all at once."""
    headers = [*HEADERS, DELETED_HEADER] if with_deleted else HEADERS
    widths = [*WIDTHS, 17] if with_deleted else WIDTHS
    write_table(
        stream,
        title="材料台账",
        headers=headers,
        rows=ledger_rows(evidence.iterator(chunk_size=CHUNK), with_deleted=with_deleted),
        widths=widths,
    )
