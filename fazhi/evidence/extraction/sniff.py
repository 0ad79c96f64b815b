"""Telling what a file really is from its bytes: users rename files, WPS saves under its own
extensions, and office systems export web pages as .doc or .xls."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path
from typing import BinaryIO

from fazhi.core import officezip

from . import ole
from .result import ExtractionError

ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
TEXT_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
IMAGE_MAGICS = (
    b"\xff\xd8\xff",
    b"\x89PNG\r\n\x1a\n",
    b"GIF87a",
    b"GIF89a",
    b"II*\x00",
    b"MM\x00*",
)
_HEIF_BRANDS = (b"heic", b"heix", b"mif1", b"msf1", b"avif")
_BMP_HEADER_SIZES = (12, 40, 52, 56, 64, 108, 124)
_ODF_MIMETYPES = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
}
_MARKUP_TAGS = (b"<html", b"<!doctype html", b"<body", b"<head", b"<table", b"<meta", b"<?xml")
HEAD_BYTES = 8192
# Python's zipfile stops at each member's declared size, so the declared total bounds what any
# library can unpack from the package.
MAX_UNPACKED_BYTES = 1024 * 1024 * 1024

# Packages parsed by Office readers (OFD has its own limit per part, in ofd.py).
OFFICE_KINDS = {"docx", "xlsx", "pptx", "odt", "ods", "odp"}
ODF_KINDS = {"odt", "ods", "odp"}
OFFICE_LIMITS = officezip.DEFAULT_LIMITS
# Counted before the kind is known, so that opening any ZIP stays cheap.
ANY_ZIP_LIMITS = officezip.OfficeZipLimits(max_members=100_000)

ENCRYPTED_OFFICE = "文件设置了打开密码（已加密），无法读取文字，请取消密码后重新上传。"


def content_kind(path: Path) -> str | None:
    """The kind the bytes say: pdf, docx, xlsx, pptx, ofd, odt, ods, odp, doc, xls, ppt, rtf,
    image, html or txt; "zip" or "ole" for a container holding none of those, "badzip" for a
    damaged ZIP, None for bytes of no known kind."""
    with path.open("rb") as fh:
        head = fh.read(HEAD_BYTES)
        if head.startswith(ZIP_MAGICS):
            return _zip_kind(path)
        if head.startswith(ole.MAGIC):
            return _ole_kind(fh)
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if _is_image(head):
        return "image"
    return _text_kind(head)


def _zip_kind(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            # Before zipfile builds an object for each of possibly millions of members.
            officezip.check_member_count(handle, limits=ANY_ZIP_LIMITS)
            with zipfile.ZipFile(handle) as archive:
                members = archive.infolist()
                mimetype = ""
                if any(member.filename == "mimetype" for member in members):
                    mimetype = archive.open("mimetype").read(100).decode("ascii", "replace").strip()
    except officezip.OfficeZipRefused as refused:
        raise ExtractionError(f"{refused}。") from refused
    except Exception:  # zipfile raises many kinds of errors on damaged archives
        return "badzip"
    kind = _package_kind(members, mimetype)
    if kind in OFFICE_KINDS:
        _check_office_package(path, members, kind)
    elif sum(member.file_size for member in members) > MAX_UNPACKED_BYTES:
        raise ExtractionError(
            f"文件解压后超过 {MAX_UNPACKED_BYTES // (1024 * 1024)} MB（疑似压缩炸弹），已拒绝读取。"
        )
    return kind


def _check_office_package(path: Path, members: list[zipfile.ZipInfo], kind: str) -> None:
    """Office packages are parsed whole or in large parts, so their limits are far below the
    other ZIP kinds': refused here, before any parser unpacks a byte."""
    try:
        officezip.check_members(members, packed_size=path.stat().st_size, limits=OFFICE_LIMITS)
        if kind in ODF_KINDS:  # read by LibreOffice, which trusts no declared size of ours
            officezip.check_office_zip(path, limits=OFFICE_LIMITS, verify=True)
    except officezip.OfficeZipRefused as refused:
        raise ExtractionError(f"{refused}。") from refused


def _package_kind(members: list[zipfile.ZipInfo], mimetype: str) -> str:
    names = {member.filename.lower() for member in members}
    if "ofd.xml" in names:
        return "ofd"
    if mimetype in _ODF_MIMETYPES:
        return _ODF_MIMETYPES[mimetype]
    for folder, kind in (("word/", "docx"), ("xl/", "xlsx"), ("ppt/", "pptx")):
        if any(name.startswith(folder) for name in names):
            return kind
    return "zip"


def _ole_kind(fh: BinaryIO) -> str:
    try:
        names = ole.stream_names(fh)
    except (ValueError, struct.error, OSError):
        return "ole"
    if "EncryptedPackage" in names or "EncryptedSummary" in names:
        raise ExtractionError(ENCRYPTED_OFFICE)
    if "WordDocument" in names:
        return "doc"
    if "Workbook" in names or "Book" in names:
        return "xls"
    if "PowerPoint Document" in names:
        return "ppt"
    return "ole"


def _is_image(head: bytes) -> bool:
    if head.startswith(IMAGE_MAGICS):
        return True
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return True
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return True
    # "BM" alone starts many texts; a real bitmap also names a known DIB header size.
    return (
        head.startswith(b"BM")
        and len(head) >= 18
        and struct.unpack_from("<I", head, 14)[0] in _BMP_HEADER_SIZES
    )


def _text_kind(head: bytes) -> str | None:
    if head.startswith(TEXT_BOMS) or (b"\x00" in head and utf16_order(head)):
        return "txt"
    if b"\x00" in head:
        return None
    controls = sum(1 for byte in head if byte < 0x20 and byte not in b"\t\n\r\x0c\x1b")
    if controls > len(head) // 20:
        return None
    return "html" if looks_like_markup(head) else "txt"


def utf16_order(head: bytes) -> str | None:
    """Returns "utf-16-le" or "utf-16-be" when the NUL bytes sit almost all on one side of the byte
    pairs, as in UTF-16 text saved without a byte order mark; binary data has them on both."""
    even = head[0::2].count(0)
    odd = head[1::2].count(0)
    enough = max(len(head) // 20, 2)  # a tenth of the pairs
    if odd >= enough and even <= odd // 10:
        return "utf-16-le"
    if even >= enough and odd <= even // 10:
        return "utf-16-be"
    return None


def looks_like_markup(head: bytes) -> bool:
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith(b"<") and any(tag in start[:4096] for tag in _MARKUP_TAGS)
