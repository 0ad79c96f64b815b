"""Names of the streams in an OLE2 compound file (the container of .doc, .xls, .ppt, .wps, .et and
of password-protected Office files), read by seeking to the few sectors needed rather than
loading the file. Only what telling the formats apart needs; bounded against looping chains."""

from __future__ import annotations

import struct
from typing import BinaryIO

MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_LAST_SECTOR = 0xFFFFFFFA  # numbers from here on mark chain ends and special sectors
_MAX_SECTORS = 4096
_ENTRY_SIZE = 128


def stream_names(fh: BinaryIO) -> set[str]:
    """Raises ValueError (or struct.error) when the container is malformed."""
    fh.seek(0)
    header = fh.read(512)
    if len(header) < 512 or not header.startswith(MAGIC):
        raise ValueError("not an OLE2 file")
    sector_size = 1 << struct.unpack_from("<H", header, 0x1E)[0]
    if sector_size not in (512, 4096):
        raise ValueError("bad sector size")
    (first_directory,) = struct.unpack_from("<I", header, 0x30)
    next_difat, difat_count = struct.unpack_from("<II", header, 0x44)
    fat_sectors = list(struct.unpack_from("<109I", header, 0x4C))

    def sector(number: int) -> bytes:
        fh.seek((number + 1) * sector_size)
        data = fh.read(sector_size)
        if len(data) < sector_size:
            raise ValueError("sector beyond the end of the file")
        return data

    per_sector = sector_size // 4
    for _ in range(min(difat_count, _MAX_SECTORS)):
        if next_difat >= _LAST_SECTOR:
            break
        numbers = struct.unpack(f"<{per_sector}I", sector(next_difat))
        fat_sectors.extend(numbers[:-1])
        next_difat = numbers[-1]
    fat_sectors = [number for number in fat_sectors if number < _LAST_SECTOR]

    def following(number: int) -> int:
        index, slot = divmod(number, per_sector)
        if index >= len(fat_sectors):
            raise ValueError("sector outside the allocation table")
        fh.seek((fat_sectors[index] + 1) * sector_size + slot * 4)
        return struct.unpack("<I", fh.read(4))[0]

    names: set[str] = set()
    seen: set[int] = set()
    current = first_directory
    while current < _LAST_SECTOR and current not in seen and len(seen) < _MAX_SECTORS:
        seen.add(current)
        data = sector(current)
        for offset in range(0, sector_size, _ENTRY_SIZE):
            length, kind = struct.unpack_from("<HB", data, offset + 0x40)
            if kind in (1, 2, 5) and 2 <= length <= 64:
                names.add(data[offset : offset + length - 2].decode("utf-16-le", "replace"))
        current = following(current)
    return names
