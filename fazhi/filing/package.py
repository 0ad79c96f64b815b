"""The package (材料包): one ZIP with a folder per indicator holding its evidence in order, and
the index workbook (材料目录) at the top.

The archive is written entry by entry into a file on disk, each material copied from storage in
chunks, so neither a material nor the archive is ever held in memory. Entries larger than 4 GiB,
archives past 4 GiB or with more than 65,535 entries use ZIP64, which zipfile writes by itself
once it knows an entry's size beforehand."""

from __future__ import annotations

import io
import shutil
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fazhi.core.xlsx import write_table
from fazhi.evidence.storage import CHUNK, open_blob
from fazhi.filing.contents import Indicator, Material

INDEX_NAME = "材料目录.xlsx"
INDEX_HEADERS = [
    "序号",
    "指标编号",
    "指标",
    "材料标题",
    "文号",
    "成文日期",
    "页数",
    "上传单位",
    "包内路径",
    "大小（字节）",
    "SHA-256",
]
INDEX_WIDTHS = [6, 10, 30, 40, 20, 12, 6, 24, 50, 12, 66]
# Already compressed formats gain nothing from deflating; storing them keeps the build close to
# the speed of a plain copy.
COMPRESSED = frozenset(
    [
        "pdf",
        "ofd",
        "docx",
        "xlsx",
        "pptx",
        "zip",
        "rar",
        "7z",
        "gz",
        "jpg",
        "jpeg",
        "png",
        "gif",
        "webp",
        "mp4",
        "mp3",
    ]
)


@dataclass(frozen=True)
class PackageFacts:
    materials: int
    bytes: int


def write_package(
    path: Path,
    *,
    indicators: list[Indicator],
    progress: Callable[[int, int], None] | None = None,
) -> PackageFacts:
    materials = [m for indicator in indicators for m in indicator.materials]
    copied = 0
    with zipfile.ZipFile(path, "w", allowZip64=True) as archive:
        archive.writestr(_entry(INDEX_NAME, compress=True), index_workbook(indicators))
        for indicator in indicators:
            archive.writestr(_entry(f"{indicator.folder}/", compress=False), b"")
        for done, material in enumerate(materials, start=1):
            _copy_material(archive, material)
            copied += material.blob.size
            if progress:
                progress(done, len(materials))
    return PackageFacts(materials=len(materials), bytes=copied)


def index_workbook(indicators: list[Indicator]) -> bytes:
    """材料目录: one row per material, or one per indicator that has none, so the index also
    shows what is missing."""
    buffer = io.BytesIO()
    write_table(
        buffer,
        title="材料目录",
        headers=INDEX_HEADERS,
        rows=_index_rows(indicators),
        widths=INDEX_WIDTHS,
    )
    return buffer.getvalue()


def _index_rows(indicators: list[Indicator]):
    for indicator in indicators:
        if not indicator.materials:
            yield ["", indicator.code, indicator.title, "（暂无材料）", "", "", "", "", "", "", ""]
        for m in indicator.materials:
            yield [
                m.number,
                indicator.code,
                indicator.title,
                m.title,
                m.doc_number,
                m.issued_on.isoformat() if m.issued_on else "",
                m.pages,
                m.unit,
                m.package_path,
                m.blob.size,
                m.blob.sha256,
            ]


def _copy_material(archive: zipfile.ZipFile, material: Material) -> None:
    entry = _entry(material.package_path, compress=material.extension not in COMPRESSED)
    entry.file_size = material.blob.size  # lets zipfile choose ZIP64 before writing
    with open_blob(material.blob) as source, archive.open(entry, "w") as target:
        shutil.copyfileobj(source, target, CHUNK)


def _entry(name: str, *, compress: bool) -> zipfile.ZipInfo:
    entry = zipfile.ZipInfo(name, date_time=time.localtime()[:6])
    entry.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    entry.external_attr = (0o755 if name.endswith("/") else 0o644) << 16
    return entry
