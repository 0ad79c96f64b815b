"""OFD (GB/T 33190-2016), China's national format for fixed-layout electronic documents.

An OFD file is a ZIP package: OFD.xml names each document's Document.xml (DocBody/DocRoot),
Document.xml lists the pages (Pages/Page/@BaseLoc, relative to its own folder), and each page's
Content.xml holds TextObjects whose TextCodes carry the text. Producers differ in the details, so
locations are resolved leniently and elements are matched by local name, whatever namespace."""

from __future__ import annotations

import posixpath
import zipfile
from pathlib import Path
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from .result import ExtractionError
from .text import TextOutput, page_numbers

NAMESPACE = "http://www.ofdspec.org/2016"
# Each XML part is read whole; a cap keeps a zip bomb from filling memory.
MAX_PART_BYTES = 50 * 1024 * 1024
DEFAULT_FONT_SIZE = 3.5  # millimetres, about 10 pt


def read_ofd(path: Path, out: TextOutput) -> int:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ExtractionError("OFD 文件已损坏（不是有效的压缩包）。") from exc
    with archive:
        package = _Package(archive)
        entry = package.xml("OFD.xml", "")
        roots = [element.text.strip() for element in _all(entry, "DocRoot") if element.text]
        if not any(roots):
            raise ExtractionError("OFD 文件已损坏（OFD.xml 中没有指明文档位置 DocRoot）。")
        pages: list[tuple[str, str]] = []
        for root in filter(None, roots):
            document_name = package.name_of(root, "")
            document = package.xml(root, "")
            folder = posixpath.dirname(document_name)
            pages.extend((folder, page.get("BaseLoc") or "") for page in _all(document, "Page"))
        missing = []
        for number, (folder, location) in enumerate(pages, start=1):
            if not package.exists(location, folder):
                missing.append(number)
                continue
            if not all(out.add(line) for line in page_lines(package.xml(location, folder))):
                break
        if missing:
            out.warn(f"OFD 文件第 {page_numbers(missing)} 页的内容缺失，已跳过。")
        return len(pages)


class _Package:
    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.members: dict[str, zipfile.ZipInfo] = {}
        self.folded: dict[str, zipfile.ZipInfo] = {}
        for info in archive.infolist():
            key = posixpath.normpath(info.filename.replace("\\", "/").lstrip("/"))
            self.members.setdefault(key, info)
            self.folded.setdefault(key.lower(), info)

    def _find(self, location: str, folder: str) -> zipfile.ZipInfo | None:
        location = location.strip().replace("\\", "/")
        candidates = [location.lstrip("/")]
        if not location.startswith("/"):
            # Relative to the referring file's folder, as the standard says; some producers
            # write paths from the package root instead.
            candidates.insert(0, posixpath.join(folder, location))
        for candidate in candidates:
            key = posixpath.normpath(candidate)
            info = self.members.get(key) or self.folded.get(key.lower())
            if info is not None:
                return info
        return None

    def exists(self, location: str, folder: str) -> bool:
        return bool(location.strip()) and self._find(location, folder) is not None

    def name_of(self, location: str, folder: str) -> str:
        info = self._find(location, folder)
        return info.filename.lstrip("/") if info else location

    def xml(self, location: str, folder: str):
        info = self._find(location, folder)
        if info is None:
            raise ExtractionError(f"OFD 文件已损坏（缺少 {location.strip() or '页面内容'}）。")
        if info.file_size > MAX_PART_BYTES:
            raise ExtractionError(
                f"OFD 文件中的 {info.filename} 解压后过大（疑似压缩炸弹），无法读取。"
            )
        try:
            with self.archive.open(info) as fh:
                data = fh.read(MAX_PART_BYTES)
            return fromstring(data)
        except (ParseError, DefusedXmlException, zipfile.BadZipFile, EOFError, OSError) as exc:
            raise ExtractionError(f"OFD 文件已损坏（{info.filename} 无法解析）。") from exc


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _all(root, name: str) -> list:
    return [element for element in root.iter() if _local(element.tag) == name]


def page_lines(content) -> list[str]:
    """The page's text line by line. Producers often put every word or even every character in
    its own TextObject, so pieces are gathered into lines by their baseline (TextCode Y) and
    ordered by X; without coordinates each TextObject is a line."""
    pieces = []
    for text_object in _all(content, "TextObject"):
        left, top = _boundary_origin(text_object.get("Boundary"))
        size = _number(text_object.get("Size")) or DEFAULT_FONT_SIZE
        codes = [child for child in text_object if _local(child.tag) == "TextCode"]
        for code in codes:
            x, y = _number(code.get("X")), _number(code.get("Y"))
            if x is None or y is None:
                return _object_lines(content)
            pieces.append((top + y, left + x, size, code.text or ""))
    pieces.sort(key=lambda piece: (piece[0], piece[1]))
    lines: list[list[tuple]] = []
    for piece in pieces:
        if lines and abs(piece[0] - lines[-1][0][0]) <= min(piece[2], lines[-1][0][2]) * 0.5:
            lines[-1].append(piece)
        else:
            lines.append([piece])
    return [_join_line(sorted(line, key=lambda piece: piece[1])) for line in lines]


def _join_line(line: list[tuple]) -> str:
    text = ""
    end = None
    for _y, x, size, piece in line:
        # A wide gap (table columns, a name and its title) reads as a space.
        if end is not None and x - end > 1.5 * size:
            text += " "
        text += piece
        end = x + sum(size if ord(char) > 0x2E7F else size * 0.5 for char in piece)
    return text


def _object_lines(content) -> list[str]:
    return [
        "".join(child.text or "" for child in text_object if _local(child.tag) == "TextCode")
        for text_object in _all(content, "TextObject")
    ]


def _boundary_origin(value: str | None) -> tuple[float, float]:
    numbers = [_number(part) for part in (value or "").split()]
    if len(numbers) >= 2 and numbers[0] is not None and numbers[1] is not None:
        return numbers[0], numbers[1]
    return 0.0, 0.0


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
