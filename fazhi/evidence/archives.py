"""Unpacking uploaded ZIP archives of evidence (佐证材料压缩包) safely.

Unit liaisons zip their evidence on Chinese Windows machines and upload the archive; every file in
it becomes one evidence file. Such an archive is hostile input twice over: its names are in
whatever code page the zipping tool used, and its contents can be crafted to fill the disk (zip
bombs) or to escape the target folder (``../`` names). ``unpack_zip`` streams each member into
``dest_dir`` and returns what was unpacked and what was skipped, or raises ``ArchiveError`` and
leaves nothing behind. Pure Python, no Django.

Decisions:

- Members are written under generated names (``dest_dir/00001-k3j9x.pdf``), never under their
  archive path: archive names are chosen by the uploader, can be too long for the filesystem (255
  bytes is 85 Chinese characters) and can clash file-against-folder. The decoded path is kept in
  ``ArchiveMember.path``; ``..`` paths are still refused because the caller shows and stores it.
- Folders and operating-system junk (``__MACOSX/``, ``.DS_Store``, ``Thumbs.db``, ``desktop.ini``,
  ``~$`` Office lock files) are dropped silently: they are not the liaison's evidence, and listing
  them as skipped would make every upload from a Mac or from Explorer look partly failed.
- Depth: the uploaded archive is level 1. With ``max_depth=2`` a .zip inside it is unpacked (its
  members are named ``<inner zip path without .zip>/<member>``) and a .zip inside *that* one is
  skipped; ``max_depth=1`` unpacks no nested archive.
- Limits count bytes actually produced, never the sizes that headers claim. Nested .zip files are
  written before they are unpacked and count as well, so the total also bounds the work done. A
  member over ``max_member_bytes`` is skipped; too many files, too many bytes in all or a
  compression ratio beyond ``max_ratio`` refuse the whole archive.
"""

from __future__ import annotations

import bz2
import copy
import lzma
import os
import re
import shutil
import stat
import struct
import tempfile
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

CHUNK_SIZE = 1024**2
# Compressed bytes fed to a bzip2/LZMA decompressor at a time (see _BoundedReader).
RAW_READ_SIZE = 64 * 1024
# The most we let an LZMA decoder allocate for its dictionary (see _lzma_filter).
LZMA_MAX_DICT = 64 * 1024**2
# Small files legitimately compress far beyond any sane ratio (an empty 1 MB form, a blank
# scan), so the ratio only counts once a member has produced this much.
RATIO_GRACE_BYTES = 1024**2

UTF8_FLAG = 0x800
ENCRYPTED_FLAG = 0x1
UNICODE_PATH_EXTRA = 0x7075
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
SUPPORTED_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)
METHOD_NAMES = {1: "Shrink", 6: "Implode", 9: "Deflate64", 93: "Zstandard", 95: "XZ", 98: "PPMd"}
JUNK_NAMES = frozenset({".ds_store", "thumbs.db", "desktop.ini"})
DRIVE = re.compile(r"^[A-Za-z]:")
CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
SAFE_SUFFIX = re.compile(r"\.[a-z0-9]{1,10}")

NOT_A_ZIP = "压缩包已损坏或不是 ZIP 格式，无法解压；请重新压缩后上传（不支持分卷压缩包）"
TOO_MANY_MEMBERS = "压缩包内文件超过 {count} 个，请拆分为多个压缩包分批上传"
TOO_LARGE_IN_ALL = "压缩包解压后超过 {size}，请拆分为多个压缩包分批上传"
MISFLAGGED_NAME = (
    "压缩包中文件名“{name}”标记为 UTF-8 编码，实际却不是，整个压缩包无法读取；"
    "请用其他压缩工具（如 7-Zip、WinRAR 或系统自带的压缩）重新压缩后上传"
)
ZIP_BOMB = "压缩包疑似“解压炸弹”（“{path}”解压后超过压缩前的 {ratio} 倍），已拒绝"
UNSAFE_PATH = "路径不安全（包含“..”），已跳过"
BAD_NAME = "文件名无效，已跳过"
SYMLINK = "符号链接，已跳过"
ENCRYPTED = "文件已加密，无法解压；请去掉密码后重新压缩上传"
UNSUPPORTED_METHOD = "压缩方式（{method}）不受支持，无法解压；请用常规 ZIP 格式重新压缩"
CORRUPT_MEMBER = "文件已损坏（校验失败），无法解压，已跳过"
MEMBER_TOO_LARGE = "文件超过单个文件 {size} 的上限，已跳过"
NESTED_TOO_DEEP = "嵌套压缩包层数过多，已跳过"
NESTED_CORRUPT = "嵌套压缩包已损坏或不是 ZIP 格式，无法解压，已跳过"

# What zipfile and the decompressors raise on damaged data. OSError is bz2's "Invalid data
# stream"; these are only ever caught around reads, so a full disk is not mistaken for damage.
READ_ERRORS = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, OSError, ValueError)


@dataclass(frozen=True)
class ArchiveMember:
    path: str  # decoded, normalised POSIX path in the archive: "3.2.37 行政复议/决定书.pdf"
    size: int  # bytes actually written
    temp_path: Path  # where the bytes were streamed to, inside dest_dir


@dataclass(frozen=True)
class SkippedMember:
    path: str
    reason: str


@dataclass
class UnpackResult:
    members: list[ArchiveMember]
    skipped: list[SkippedMember]


class ArchiveError(Exception):
    """The whole archive is refused; str() is a message for the uploader."""


@dataclass(frozen=True)
class ArchiveLimits:
    max_members: int = 5000  # files (not folders) in all archives, nested ones included
    max_total_bytes: int = 4 * 1024**3  # every byte written, nested .zip files included
    max_member_bytes: int = 500 * 1024**2
    max_ratio: int = 200  # output / compressed size of one member, once over RATIO_GRACE_BYTES
    max_depth: int = 2  # the upload is level 1; 2 unpacks one level of .zip inside it


DEFAULT_LIMITS = ArchiveLimits()


def is_zip(path) -> bool:
    """Whether the file starts like a ZIP archive. Looks at content only: .docx, .xlsx and .ofd
    files are ZIP containers too, so callers decide by the name first."""
    with open(path, "rb") as handle:
        return handle.read(4) in ZIP_MAGIC


def unpack_zip(
    source: Path, dest_dir: Path, *, limits: ArchiveLimits = DEFAULT_LIMITS
) -> UnpackResult:
    """Stream every member of ``source`` into ``dest_dir``, in archive order."""
    run = _Run(limits=limits, root=Path(dest_dir))
    try:
        with open(source, "rb") as handle, _open_zip(handle) as archive:
            _unpack(archive, run.root, prefix="", depth=1, run=run)
    except BaseException:
        run.remove_output()
        raise
    return run.result


class _Skip(Exception):
    """One member cannot be unpacked; the rest of the archive goes on."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class _Run:
    """State shared by the outer archive and the archives nested in it."""

    limits: ArchiveLimits
    root: Path
    result: UnpackResult = field(default_factory=lambda: UnpackResult([], []))
    files_seen: int = 0
    bytes_written: int = 0
    sequence: int = 0
    taken_paths: set[str] = field(default_factory=set)
    created: list[Path] = field(default_factory=list)

    def new_file(self, folder: Path, suffix: str):
        self.sequence += 1
        fd, name = tempfile.mkstemp(suffix=suffix, prefix=f"{self.sequence:05d}-", dir=folder)
        self.created.append(Path(name))
        output = os.fdopen(fd, "wb")
        # Names are generated, so this cannot fail today; it keeps holding if naming changes.
        if not Path(name).resolve().is_relative_to(self.root.resolve()):
            output.close()
            raise RuntimeError(f"{name} is outside {self.root}")
        return Path(name), output

    def new_folder(self, parent: Path) -> Path:
        self.sequence += 1
        folder = Path(tempfile.mkdtemp(prefix=f"{self.sequence:05d}-", dir=parent))
        self.created.append(folder)
        return folder

    def unique_path(self, path: str) -> str:
        """Reserve ``path``, or "name (2).ext" when taken. Compared case-insensitively, since the
        files may end up on Windows again."""
        suffix = PurePosixPath(path).suffix
        base, number, candidate = path[: len(path) - len(suffix)], 1, path
        while candidate.casefold() in self.taken_paths:
            number += 1
            candidate = f"{base} ({number}){suffix}"
        self.taken_paths.add(candidate.casefold())
        return candidate

    def remove_output(self) -> None:
        for path in reversed(self.created):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def _open_zip(handle) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(handle)
    except UnicodeDecodeError as exc:
        # zipfile reads the whole directory at once and gives up on a name flagged UTF-8 that
        # is not (some zipping tools flag GBK names): no member can be read, but the uploader
        # can be told which name and what to do rather than "damaged".
        name = exc.object.decode("gb18030", errors="replace")
        raise ArchiveError(MISFLAGGED_NAME.format(name=name)) from exc
    # ValueError covers other garbled names; NotImplementedError a garbled version.
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise ArchiveError(NOT_A_ZIP) from exc


def _unpack(archive: zipfile.ZipFile, folder: Path, *, prefix: str, depth: int, run: _Run):
    entries = [(info, _decode_name(info)) for info in archive.infolist()]
    run.files_seen += sum(not _is_folder(name) for _, name in entries)
    if run.files_seen > run.limits.max_members:
        raise ArchiveError(TOO_MANY_MEMBERS.format(count=run.limits.max_members))
    for info, name in entries:
        if _is_folder(name) or _is_junk(name):
            continue
        path = prefix + name.replace("\\", "/")  # how a refused path is shown
        try:
            path = prefix + _normalise(name)
            _check_extractable(info)
            _extract(archive, info, path, folder, depth=depth, run=run)
        except _Skip as skip:
            run.result.skipped.append(SkippedMember(path=path, reason=skip.reason))


# Names ---------------------------------------------------------------------------------------


def _decode_name(info: zipfile.ZipInfo) -> str:
    flagged = info.flag_bits & UTF8_FLAG
    # zipfile decoded unflagged names as cp437, which maps every byte: encoding back is lossless.
    raw = info.orig_filename.encode("utf-8" if flagged else "cp437")
    unicode_path = _unicode_path_field(info.extra, raw)
    if unicode_path is not None:
        return unicode_path
    if flagged:
        return info.orig_filename
    # Many tools (macOS Archive Utility among them) write UTF-8 without the flag; Chinese Windows
    # writes the ANSI code page, GBK, of which GB18030 is a superset. GBK that is also valid UTF-8
    # is rare in real names, so UTF-8 goes first.
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("cp437", errors="replace")


def _unicode_path_field(extra: bytes, raw_name: bytes) -> str | None:
    """Info-ZIP's Unicode Path extra field: a UTF-8 copy of the name, trusted only while its CRC
    matches the header name (a tool that renamed the entry without knowing it leaves it stale)."""
    while len(extra) >= 4:
        kind, size = struct.unpack("<HH", extra[:4])
        data, extra = extra[4 : 4 + size], extra[4 + size :]
        if kind != UNICODE_PATH_EXTRA or len(data) < 6 or data[0] != 1:
            continue
        if struct.unpack("<I", data[1:5])[0] != zlib.crc32(raw_name):
            return None
        try:
            return data[5:].decode("utf-8")
        except UnicodeDecodeError:
            return None
    return None


def _is_folder(name: str) -> bool:
    return name.endswith(("/", "\\"))


def _is_junk(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    base = parts[-1]
    return "__MACOSX" in parts or base.casefold() in JUNK_NAMES or base.startswith("~$")


def _normalise(name: str) -> str:
    name = unicodedata.normalize("NFC", name)  # macOS writes decomposed names
    name = CONTROL_CHARS.sub("_", name).replace("\\", "/")
    parts = [part for part in DRIVE.sub("", name).split("/") if part not in ("", ".")]
    if any(_is_parent(part) for part in parts):
        raise _Skip(UNSAFE_PATH)
    if not parts:
        raise _Skip(BAD_NAME)
    return "/".join(parts)


def _is_parent(part: str) -> bool:
    # Windows drops trailing dots and spaces, so "..." and ".. " mean ".." there.
    return part.count(".") >= 2 and not part.replace(".", "").strip(" ")


def _suffix(path: str) -> str:
    """The extension for the temporary file, so that tools which go by extension still work."""
    suffix = PurePosixPath(path).suffix.lower()
    return suffix if SAFE_SUFFIX.fullmatch(suffix) else ""


# Members -------------------------------------------------------------------------------------


def _check_extractable(info: zipfile.ZipInfo) -> None:
    if stat.S_ISLNK(info.external_attr >> 16):
        raise _Skip(SYMLINK)
    if info.flag_bits & ENCRYPTED_FLAG:
        raise _Skip(ENCRYPTED)
    if info.compress_type not in SUPPORTED_METHODS:
        method = METHOD_NAMES.get(info.compress_type, f"编号 {info.compress_type}")
        raise _Skip(UNSUPPORTED_METHOD.format(method=method))


def _extract(archive, info, path: str, folder: Path, *, depth: int, run: _Run) -> None:
    target, size = _write_member(archive, info, path, folder, run)
    if not (path.casefold().endswith(".zip") and is_zip(target)):
        run.result.members.append(ArchiveMember(run.unique_path(path), size, target))
        return
    try:
        _unpack_nested(target, path, folder, depth=depth + 1, run=run)
    finally:
        target.unlink()  # its members are what the caller wants, not the .zip itself


def _unpack_nested(container: Path, path: str, folder: Path, *, depth: int, run: _Run) -> None:
    if depth > run.limits.max_depth:
        raise _Skip(NESTED_TOO_DEEP)
    with open(container, "rb") as handle:
        try:
            archive = _open_zip(handle)
        except ArchiveError:
            raise _Skip(NESTED_CORRUPT) from None
        with archive:
            # "材料.zip" → "材料/…"; a bare ".zip" keeps its name rather than vanish into "/…".
            unique = run.unique_path(path)
            prefix = (unique[: -len(".zip")].rstrip("/") or unique) + "/"
            _unpack(archive, run.new_folder(folder), prefix=prefix, depth=depth, run=run)


def _write_member(archive, info, path: str, folder: Path, run: _Run) -> tuple[Path, int]:
    target, output = run.new_file(folder, _suffix(path))
    written = 0
    try:
        with output, _open_member(archive, info) as source:
            while chunk := _read(source):
                written += len(chunk)
                run.bytes_written += len(chunk)
                _check_growth(info, path, written, run)  # before the chunk reaches the disk
                output.write(chunk)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target, written


def _open_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo):
    try:
        if info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            return archive.open(info)  # zipfile bounds the output of these per read
        return _BoundedReader(archive.open(_raw_view(info)), info)
    except (*READ_ERRORS, NotImplementedError) as exc:  # flag bits zipfile cannot handle
        raise _Skip(CORRUPT_MEMBER) from exc


def _read(source) -> bytes:
    try:
        return source.read(CHUNK_SIZE)
    except READ_ERRORS as exc:  # bad CRC, truncated or garbled data
        raise _Skip(CORRUPT_MEMBER) from exc


def _check_growth(info: zipfile.ZipInfo, path: str, written: int, run: _Run) -> None:
    limits = run.limits
    if written > RATIO_GRACE_BYTES and written > limits.max_ratio * max(info.compress_size, 1):
        raise ArchiveError(ZIP_BOMB.format(path=path, ratio=limits.max_ratio))
    if written > limits.max_member_bytes:
        raise _Skip(MEMBER_TOO_LARGE.format(size=_format_size(limits.max_member_bytes)))
    if run.bytes_written > limits.max_total_bytes:
        raise ArchiveError(TOO_LARGE_IN_ALL.format(size=_format_size(limits.max_total_bytes)))


def _format_size(size: int) -> str:
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.3g} {unit}"
    return f"{size} 字节"


def _raw_view(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    """The member as if it were stored, so that zipfile hands out its compressed bytes (still
    checking the local header); with no CRC to compare, zipfile skips its check."""
    raw = copy.copy(info)
    raw.compress_type = zipfile.ZIP_STORED
    raw.file_size = info.compress_size
    raw.CRC = None
    return raw


class _BoundedReader:
    """Decompresses a bzip2 or LZMA member at most ``size`` bytes per read.

    zipfile calls these decompressors without ``max_length``: 50 bytes of bzip2 expand to 24 MB,
    so one read of a crafted member could exhaust memory before any limit is looked at.
    """

    def __init__(self, raw, info: zipfile.ZipInfo):
        self._raw = raw
        self._info = info
        self._decompressor = None
        self._crc = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self._raw.close()

    def read(self, size: int) -> bytes:
        decompressor = self._decompressor or self._start()
        while not decompressor.eof:
            data = self._raw.read(RAW_READ_SIZE) if decompressor.needs_input else b""
            if decompressor.needs_input and not data:
                break  # LZMA streams may end without an end marker
            chunk = decompressor.decompress(data, size)
            if chunk:
                self._crc = zlib.crc32(chunk, self._crc)
                return chunk
        if self._crc != self._info.CRC:
            raise zipfile.BadZipFile(f"Bad CRC-32 for {self._info.orig_filename!r}")
        return b""

    def _start(self):
        if self._info.compress_type == zipfile.ZIP_BZIP2:
            self._decompressor = bz2.BZ2Decompressor()
        else:
            filters = [_lzma_filter(self._raw, self._info)]
            self._decompressor = lzma.LZMADecompressor(lzma.FORMAT_RAW, filters=filters)
        return self._decompressor


def _lzma_filter(raw, info: zipfile.ZipInfo) -> dict:
    """ZIP's LZMA header: version (2 bytes), size of the properties (2), then the 5-byte LZMA1
    properties: lc/lp/pb packed in one byte and the dictionary size."""
    header = raw.read(4)
    props = raw.read(int.from_bytes(header[2:4], "little"))
    if len(header) != 4 or len(props) != 5:
        raise zipfile.BadZipFile("Bad LZMA header")
    packed, dict_size = props[0], int.from_bytes(props[1:5], "little")
    lc, lp, pb = packed % 9, packed // 9 % 5, packed // 45
    # The decoder allocates the whole dictionary up front and the header may ask for 4 GB. No
    # match reaches further back than the member's size, so a smaller one decodes honest data.
    dict_size = max(min(dict_size, info.file_size, LZMA_MAX_DICT), 4096)
    return {"id": lzma.FILTER_LZMA1, "lc": lc, "lp": lp, "pb": pb, "dict_size": dict_size}
