"""Plain text out of the documents people upload as evidence (PDF, OFD, Word, Excel, PowerPoint,
WPS, text, web pages), for search and for checking a file says what its title claims. No
database: `extract_text(path, filename)` returns an Extracted or raises ExtractionError with a
message to show the user. Given OCR limits, the text of photos and of PDF pages without a text
layer (scans) is recognised by Tesseract (ocr.py), and counted as recognised.

The format is told by content, not trusted from the name; old binary formats go through
LibreOffice when it is installed."""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

from . import libreoffice
from .kinds import BINARY_KINDS, LABELS, ZIP_KINDS, accepts, extension, file_kind
from .libreoffice import libreoffice_available
from .ocr import OcrLimits, ocr_available, recognise_image, recognise_pdf_pages
from .result import Extracted, ExtractionError
from .sniff import content_kind
from .text import TextOutput, normalise_text

__all__ = [
    "MAX_TEXT_CHARS",
    "Extracted",
    "ExtractionError",
    "OcrLimits",
    "extract_text",
    "file_kind",
    "libreoffice_available",
    "ocr_available",
]

MAX_TEXT_CHARS = 2_000_000

# Each format's reader (module, function). A reader's module imports its format's library
# (pypdf, openpyxl, python-docx, ...): imported on first use, so that a web worker, which only
# names file kinds, does not carry them (the task worker extracts the text).
READERS = {
    "pdf": ("pdf", "read_pdf"),
    "ofd": ("ofd", "read_ofd"),
    "docx": ("word", "read_docx"),
    "xlsx": ("sheets", "read_xlsx"),
    "xls": ("sheets", "read_xls"),
    "pptx": ("slides", "read_pptx"),
    "txt": ("plain", "read_txt"),
    "html": ("plain", "read_html"),
}
TEXT_KINDS = {"txt", "html"}
# For an OLE file whose streams were not recognised, what the extension says it holds.
OLE_CONTENTS = {"doc": "doc", "wps": "doc", "xls": "xls", "et": "xls", "ppt": "ppt", "dps": "ppt"}


def extract_text(path: Path, filename: str, *, ocr: OcrLimits | None = None) -> Extracted:
    """The text of the file at `path`, whose user-facing name (for its extension) is `filename`.
    Raises ExtractionError, with a message for the user, for any file that cannot be read.
    With `ocr`, images and scanned PDF pages are recognised within its limits; without, an
    image gives no text."""
    path = Path(path)
    suffix = extension(filename)
    kind = file_kind(filename)
    if kind is None:
        raise ExtractionError(
            f"不支持的文件类型：.{suffix}" if suffix else "文件没有扩展名，无法判断文件类型。"
        )
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ExtractionError("无法打开上传的文件。") from exc
    if size == 0:
        raise ExtractionError("文件为空（0 字节）。")
    out = TextOutput(MAX_TEXT_CHARS)
    reading = kind
    try:
        kind, reading = _real_kind(path, kind, suffix, out)
        page_count = 1 if reading == "image" else _read(path, reading, suffix, out)
        if ocr is not None and ocr.max_pages > 0:
            page_count = _recognise(path, reading, out, ocr) or page_count
    except ExtractionError:
        raise
    except Exception as exc:  # libraries fail in many ways on malformed files
        raise ExtractionError(f"{_short(reading)} 文件已损坏或格式异常，无法读取文字。") from exc
    text = normalise_text(out.text())
    if out.full or len(text) > MAX_TEXT_CHARS:
        text = text[:MAX_TEXT_CHARS]
        out.warn(f"文本过长，已截取前 {MAX_TEXT_CHARS} 个字符")
    recognised = len(out.recognised_pages)
    return Extracted(text, page_count, kind, tuple(out.warnings), recognised_pages=recognised)


def _recognise(path: Path, reading: str, out: TextOutput, limits: OcrLimits) -> int | None:
    """OCR of an image, or of a PDF's pages without a text layer; an image's page count."""
    page_count = None
    if reading == "image":
        page_count = recognise_image(path, out, limits)
    elif reading == "pdf" and out.scanned_pages:
        try:
            recognise_pdf_pages(path, out.scanned_pages, out, limits)
        except ExtractionError as exc:  # the text layer of the other pages still counts
            out.warn(str(exc))
            return None
    else:
        return None
    if not out.recognised_pages:
        out.warn(
            "已进行文字识别（OCR），未识别出文字（可能是照片或图片本身没有文字，或不够清晰）。"
        )
    return page_count


def _real_kind(path: Path, kind: str, suffix: str, out: TextOutput) -> tuple[str, str]:
    """The kind to report and the format to read it as, from the file's bytes."""
    content = content_kind(path)
    if content is not None and accepts(kind, content):
        both_text = kind in TEXT_KINDS and content in TEXT_KINDS
        return kind, kind if both_text else content
    if content in LABELS and not (content == "txt" and kind in BINARY_KINDS):
        out.warn(f"文件扩展名为 .{suffix}，但内容实际是「{LABELS[content]}」，已按此格式读取。")
        return content, content
    if content == "ole" and kind in OLE_CONTENTS:
        return kind, OLE_CONTENTS[kind]
    if kind in TEXT_KINDS and content not in ("zip", "badzip", "ole"):
        return kind, kind  # bad bytes or not, a text file is decoded as text
    raise ExtractionError(_unreadable(content, kind, suffix))


def _unreadable(content: str | None, kind: str, suffix: str) -> str:
    name = suffix.upper()
    if kind in ZIP_KINDS and content in (None, "badzip", "txt"):
        return f"{name} 文件已损坏（不是有效的压缩包）。"
    if kind == "ofd" and content == "zip":
        return "OFD 文件已损坏（缺少 OFD.xml）。"
    if kind in ZIP_KINDS and content == "zip":
        return f"{name} 文件已损坏（压缩包中缺少文档内容）。"
    if content in ("zip", "badzip"):
        return f"文件扩展名为 .{suffix}，但内容是 ZIP 压缩包；请解压后上传其中的文件。"
    if kind == "pdf":
        return "PDF 文件已损坏（缺少 PDF 文件头）。"
    if kind == "image":
        return f"文件扩展名为 .{suffix}，但内容不是可识别的图片。"
    return f"{name} 文件已损坏或不是 {name} 格式，无法识别文件内容。"


def _read(path: Path, reading: str, suffix: str, out: TextOutput) -> int | None:
    if reading == "xls":
        try:
            return _reader("xls")(path, out)
        except ExtractionError:
            raise
        except Exception:
            # xlrd knows only Excel's own dialect; LibreOffice also reads what WPS and others
            # write. Without LibreOffice the original failure stands.
            if not libreoffice_available():
                raise
            out.clear_text()
    elif reading in READERS:
        return _reader(reading)(path, out)
    with libreoffice.converted(path, reading, shown_as=suffix) as modern:
        return _reader(libreoffice.TARGETS[reading])(modern, out)


def _reader(reading: str):
    module, function = READERS[reading]
    return getattr(import_module(f"{__name__}.{module}"), function)


def _short(reading: str) -> str:
    return {"txt": "文本", "html": "网页", "image": "图片"}.get(reading, reading.upper())
