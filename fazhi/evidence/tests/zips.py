"""A byte-level ZIP writer for tests: it writes what zipfile will not (names in GBK with the
UTF-8 flag clear, lying sizes, bad CRCs, flags of encryption and symlinks)."""

import bz2
import io
import struct
import zipfile
import zlib
from dataclasses import dataclass


@dataclass
class Entry:
    """One member as it will be on disk. A str name is written as flagged UTF-8, bytes as is."""

    name: str | bytes
    data: bytes = b"evidence"
    method: int = zipfile.ZIP_DEFLATED
    flags: int = 0
    extra: bytes = b""
    system: int = 0  # 0 = MS-DOS, 3 = Unix
    external_attr: int = 0
    declared_size: int | None = None  # what the headers claim; the real size when None
    crc: int | None = None
    payload: bytes | None = None  # the compressed bytes; computed from data when None


def compress(method, data):
    if method == zipfile.ZIP_DEFLATED:
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        return packer.compress(data) + packer.flush()
    if method == zipfile.ZIP_BZIP2:
        return bz2.compress(data)
    return data


def build_zip(path, *entries):
    local, central = io.BytesIO(), io.BytesIO()
    for entry in entries:
        name, flags = entry.name, entry.flags
        if isinstance(name, str):
            name, flags = name.encode("utf-8"), flags | 0x800
        payload = compress(entry.method, entry.data) if entry.payload is None else entry.payload
        crc = zlib.crc32(entry.data) if entry.crc is None else entry.crc
        size = len(entry.data) if entry.declared_size is None else entry.declared_size
        # Time 00:00, date 1980-01-01 (0x21); the lengths of name and extra field close both.
        common = (flags, entry.method, 0, 0x21, crc, len(payload), size)
        common += (len(name), len(entry.extra))
        offset = local.tell()
        local.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, *common))
        local.write(name + entry.extra + payload)
        made_by = entry.system << 8 | 20
        tail = (0, 0, 0, entry.external_attr, offset)  # comment, disk, internal attributes
        central.write(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", made_by, 20, *common, *tail))
        central.write(name + entry.extra)
    directory = central.getvalue()
    count = len(entries)
    sizes = (len(directory), local.tell(), 0)  # where the directory is; no comment
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, *sizes)
    path.write_bytes(local.getvalue() + directory + end)
    return path
