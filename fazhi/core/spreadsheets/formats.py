"""Tell what a file really is from its bytes: users rename files, and systems export HTML as .xls."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from fazhi.core.officezip import OfficeZipRefused, check_office_zip

from .issues import ImportFailure

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
MAX_FILE_BYTES = 50 * 1024 * 1024

# What each extension promises; WPS tables (.et) are stored like .xls.
EXTENSION_FORMATS = {
    "xlsx": "xlsx",
    "xlsm": "xlsx",
    "xls": "xls",
    "et": "xls",
    "csv": "csv",
    "txt": "csv",
}
FORMAT_NAMES = {"xlsx": ".xlsx 格式", "xls": "旧版 .xls 格式", "csv": "CSV 文本格式"}

SAVE_AS_HINT = "请在 Excel 或 WPS 中打开后另存为 .xlsx 再导入"


def read_bytes(path) -> bytes:
    try:
        size = Path(path).stat().st_size
        if size > MAX_FILE_BYTES:
            raise ImportFailure(
                f"文件过大（{size // (1024 * 1024)} MB），表格文件一般不超过 50 MB，请检查是否选错了文件"
            )
        return Path(path).read_bytes()
    except OSError as exc:
        raise ImportFailure(f"无法打开文件：{exc.strerror or exc}") from exc


def detect_format(data: bytes) -> str:
    """Return "xlsx", "xls" or "csv", or raise ImportFailure with a message a user can act on."""
    if not data.strip():
        raise ImportFailure("文件是空的，没有任何内容，请检查是否选错了文件")
    if data.startswith(ZIP_MAGICS):
        return _zip_format(data)
    if data.startswith(OLE_MAGIC):
        if _is_encrypted_ole(data):
            raise ImportFailure(
                "工作簿设置了打开密码（已加密），无法读取；请在 Excel 中取消密码后保存，再导入"
            )
        return "xls"
    if data.startswith(b"%PDF"):
        raise ImportFailure(
            f"文件是 PDF 文档，不是 Excel 表格；{SAVE_AS_HINT}，或从原始 Excel 文件导入"
        )
    _reject_markup(data)
    if b"\x00" in data[:8192]:
        raise ImportFailure(f"无法识别的文件格式，不是 Excel 表格或 CSV 文本；{SAVE_AS_HINT}")
    return "csv"


def _zip_format(data: bytes) -> str:
    try:
        # Sizes, ratios and member count are checked before openpyxl unpacks anything: a 200 KB
        # workbook can unpack to gigabytes.
        check_office_zip(data)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except OfficeZipRefused as refused:
        raise ImportFailure(str(refused)) from refused
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ImportFailure(f"文件已损坏，无法作为 .xlsx 工作簿打开；{SAVE_AS_HINT}") from exc
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        raise ImportFailure(f"不支持 Excel 二进制工作簿（.xlsb）；{SAVE_AS_HINT}")
    if "word/document.xml" in names:
        raise ImportFailure(
            "文件是 Word 文档，不是 Excel 表格；请把表格复制到 Excel 中保存为 .xlsx 再导入"
        )
    raise ImportFailure(
        f"文件是 ZIP 压缩包，不是 Excel 工作簿；请解压后选择其中的 Excel 文件，或{SAVE_AS_HINT}"
    )


def _is_encrypted_ole(data: bytes) -> bool:
    # Password-protected .xlsx files are OLE containers with these streams.
    return (
        "EncryptedPackage".encode("utf-16-le") in data
        or "EncryptionInfo".encode("utf-16-le") in data
    )


def _reject_markup(data: bytes) -> None:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if not head.startswith(b"<"):
        return
    if b"<workbook" in head or b"urn:schemas-microsoft-com:office:spreadsheet" in head:
        raise ImportFailure(f"文件是 Excel 2003 XML 表格，暂不支持；{SAVE_AS_HINT}")
    raise ImportFailure(
        f"文件内容是网页（HTML/XML），不是真正的 Excel 表格（有些系统导出的 .xls 实为网页）；{SAVE_AS_HINT}"
    )


def extension_of(path, filename: str | None) -> str:
    name = filename or str(path)
    suffix = Path(name).suffix.lower().lstrip(".")
    return suffix


def extension_warning(extension: str, source_format: str) -> str | None:
    promised = EXTENSION_FORMATS.get(extension)
    if promised is None or promised == source_format:
        return None
    return f"文件扩展名为 .{extension}，但内容是{FORMAT_NAMES[source_format]}，已按 .{source_format} 读取"
