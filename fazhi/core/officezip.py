"""Checking an Office file's ZIP package (.docx, .xlsx, .pptx, .odt, .ods, .odp) before any parser
opens it.

Office files are ZIP packages, and a small one can unpack to gigabytes: a 1 MB .docx whose
document.xml unpacks to 1 GB took text extraction to 2.1 GB of memory and then failed as
"damaged". The sizes in the package's central directory are read (no member is unpacked) and
checked against limits that a real government workbook or Word report stays far below. Python's
zipfile never unpacks more than a member's declared size (it fails the CRC check instead), so for
openpyxl, python-docx and python-pptx the declared sizes bound the work; for readers outside
Python (LibreOffice) `verify=True` also counts the bytes the members really unpack to.

Pure Python, no Django: text extraction and every table import call it.
"""

from __future__ import annotations

import copy
import io
import os
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

MB = 1024 * 1024
# What the package may unpack to beyond its own size: pictures and media are stored already
# compressed and unpack to about their packed size, so a 300 MB report full of scans passes,
# while the text parts of real documents and workbooks are a few MB to a few tens of MB.
MAX_TOTAL_BYTES = 100 * MB
MAX_MEMBER_BYTES = 100 * MB
# Unpacked / packed size of one member, once it unpacks to more than RATIO_FLOOR_BYTES: XML
# compresses 5–20 times, an empty form far more, a bomb about a thousand times.
MAX_RATIO = 200
RATIO_FLOOR_BYTES = 4 * MB
MAX_MEMBERS = 10_000
CHUNK_BYTES = MB

REFUSED = "，可能是压缩炸弹，已拒绝读取"


class OfficeZipRefused(ValueError):
    """The package is refused before parsing; str() is the message for the user."""


@dataclass(frozen=True)
class OfficeZipLimits:
    max_members: int = MAX_MEMBERS
    max_total_bytes: int = MAX_TOTAL_BYTES  # beyond the package's own size
    max_member_bytes: int = MAX_MEMBER_BYTES
    max_ratio: int = MAX_RATIO
    ratio_floor_bytes: int = RATIO_FLOOR_BYTES


DEFAULT_LIMITS = OfficeZipLimits()


def check_office_zip(source, *, limits: OfficeZipLimits = DEFAULT_LIMITS, verify=False) -> None:
    """Raise OfficeZipRefused when the package at `source` (a path, bytes or a seekable binary
    file) is over the limits. A file that is no readable ZIP passes: telling the user it is
    damaged is the parser's job, with the words each caller already has for it."""
    with _opened(source) as handle:
        packed = handle.seek(0, os.SEEK_END)
        check_member_count(handle, limits=limits)
        handle.seek(0)
        try:
            archive = zipfile.ZipFile(handle)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            return
        with archive:
            infos = archive.infolist()
            check_members(infos, packed_size=packed, limits=limits)
            if verify:
                _check_real_sizes(archive, infos, packed_size=packed, limits=limits)


def check_member_count(handle, *, limits: OfficeZipLimits = DEFAULT_LIMITS) -> None:
    """Read the member count from the end record, before zipfile builds an object per member:
    a 50 MB package can list a million members and take gigabytes just to be opened."""
    try:
        end = zipfile._EndRecData(handle)  # the end-of-central-directory record, ZIP64 included
    except (OSError, ValueError, EOFError):
        return
    if end is None:
        return
    count = end[zipfile._ECD_ENTRIES_TOTAL]
    if count > limits.max_members:
        raise OfficeZipRefused(
            f"文件内含 {count:,} 个成员，超过 {limits.max_members:,} 个的上限{REFUSED}"
        )


def check_members(
    infos: Iterable[zipfile.ZipInfo],
    *,
    packed_size: int,
    limits: OfficeZipLimits = DEFAULT_LIMITS,
) -> None:
    """The limits over the sizes the central directory declares."""
    infos = [info for info in infos if not info.is_dir()]
    if len(infos) > limits.max_members:
        raise OfficeZipRefused(
            f"文件内含 {len(infos):,} 个成员，超过 {limits.max_members:,} 个的上限{REFUSED}"
        )
    sizes = {info.filename: info.file_size for info in infos}
    _check_total(sizes, packed_size, limits)
    for info in infos:
        _check_member(info.filename, info.file_size, info.compress_size, limits)


def _check_total(sizes: dict[str, int], packed_size: int, limits: OfficeZipLimits) -> None:
    total = sum(sizes.values())
    allowed = limits.max_total_bytes + packed_size
    if total > allowed:
        largest = max(sizes, key=sizes.get)
        raise OfficeZipRefused(
            f"文件解压后超过 {_mb(allowed)} MB（成员 {largest} 解压后 "
            f"{format_size(sizes[largest])}）{REFUSED}"
        )


def _check_member(name: str, size: int, packed: int, limits: OfficeZipLimits) -> None:
    if size > limits.max_member_bytes:
        raise OfficeZipRefused(
            f"文件中的成员 {name} 解压后 {format_size(size)}，"
            f"超过单个成员 {_mb(limits.max_member_bytes)} MB 的上限{REFUSED}"
        )
    if size > limits.ratio_floor_bytes and size > limits.max_ratio * max(packed, 1):
        raise OfficeZipRefused(
            f"文件中的成员 {name} 解压后 {format_size(size)}，是压缩后大小的 "
            f"{size // max(packed, 1):,} 倍（上限 {limits.max_ratio} 倍）{REFUSED}"
        )


def _check_real_sizes(archive, infos, *, packed_size: int, limits: OfficeZipLimits) -> None:
    """Unpack every member into nothing, counting: for readers that trust no declared size."""
    sizes: dict[str, int] = {}
    for info in infos:
        if info.is_dir():
            continue
        raw = _declared_unbounded(info)
        produced = 0
        try:
            with archive.open(raw) as member:
                while chunk := member.read(CHUNK_BYTES):
                    produced += len(chunk)
                    sizes[info.filename] = produced
                    _check_member(info.filename, produced, info.compress_size, limits)
                    _check_total(sizes, packed_size, limits)
        except OfficeZipRefused:
            raise
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError):
            return  # damaged or unusual: the reader will say so


def _declared_unbounded(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    # zipfile stops at the declared size; a copy that declares the most there can be lets the
    # count see what a reader that ignores the declaration would get. The CRC check at the end
    # then fails, which is caught.
    raw = copy.copy(info)
    raw.file_size = 2**62
    return raw


def format_size(size: int) -> str:
    if size >= 1024 * MB:
        return f"{size / (1024 * MB):.1f} GB"
    if size >= MB:
        return f"{size / MB:.1f} MB"
    return f"{max(size // 1024, 1)} KB"


def _mb(size: int) -> int:
    return size // MB


class _opened:
    """A seekable binary handle over a path, bytes or an open file, closed only if opened here."""

    def __init__(self, source) -> None:
        self.source = source
        self.owned = isinstance(source, str | os.PathLike)

    def __enter__(self):
        if self.owned:
            self.handle = Path(self.source).open("rb")
        elif isinstance(self.source, bytes | bytearray | memoryview):
            self.handle = io.BytesIO(self.source)
        else:
            self.handle = self.source
        return self.handle

    def __exit__(self, *exc) -> None:
        if self.owned:
            self.handle.close()
        else:
            self.handle.seek(0)
