"""The rows of one .xlsx sheet as fast as they can be read: the sheet's XML parsed as a stream
(lxml) with its shared strings, about five times faster than openpyxl's read-only mode, which a
100,000-respondent table needs. Values only (text, numbers, booleans); no styles, no dates.
lxml is imported by the readers: the survey pages' web worker needs it only during an import."""

from __future__ import annotations

import io
import posixpath
import zipfile
from collections.abc import Iterator
from functools import cache

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@cache
def _parser():
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


_DIGITS = "0123456789"
_columns: dict[str, int] = {}


def _column(ref: str) -> int:
    """The column number of a cell reference ("AB12" → 28), its letters looked up once."""
    letters = ref.rstrip(_DIGITS)
    number = _columns.get(letters)
    if number is None:
        number = 0
        for letter in letters.upper():
            number = number * 26 + ord(letter) - 64
        if len(_columns) < 20_000:
            _columns[letters] = number
    return number


def _sheet_path(archive: zipfile.ZipFile, name: str) -> str:
    from lxml import etree

    book = etree.fromstring(archive.read("xl/workbook.xml"), _parser())
    rels = etree.fromstring(archive.read("xl/_rels/workbook.xml.rels"), _parser())
    targets = {rel.get("Id"): rel.get("Target") for rel in rels.iter(f"{PACKAGE_REL}Relationship")}
    for sheet in book.iter(f"{MAIN}sheet"):
        if sheet.get("name") == name:
            target = targets[sheet.get(f"{REL}id")]
            return target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
    raise KeyError(name)


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    from lxml import etree

    try:
        data = archive.read("xl/sharedStrings.xml")
    except KeyError:
        return []
    strings = []
    for _, item in etree.iterparse(io.BytesIO(data), tag=f"{MAIN}si", resolve_entities=False):
        strings.append("".join(text.text or "" for text in item.iter(f"{MAIN}t")))
        item.clear()
    return strings


def _value(cell, strings: list[str]):
    kind = cell.get("t")
    if kind == "inlineStr":
        return "".join(text.text or "" for text in cell.iter(f"{MAIN}t"))
    value = cell.findtext(f"{MAIN}v")
    if value is None:
        return None
    if kind == "s":
        return strings[int(value)]
    if kind == "b":
        return value == "1"
    if kind in ("str", "e"):
        return value
    try:
        number = float(value)
    except ValueError:
        return value
    return int(number) if number.is_integer() else number


def sheet_rows(data: bytes, sheet_name: str, first_row: int) -> Iterator[tuple[int, list]]:
    """(row number, values) from `first_row` on; values[0] is column A."""
    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        strings = _shared_strings(archive)
        with archive.open(_sheet_path(archive, sheet_name)) as sheet:
            number = 0
            for _, row in etree.iterparse(sheet, tag=f"{MAIN}row", resolve_entities=False):
                number = int(row.get("r") or number + 1)
                if number >= first_row:
                    values: list = []
                    for position, cell in enumerate(row.iter(f"{MAIN}c"), start=1):
                        ref = cell.get("r")
                        col = _column(ref) if ref else position
                        values.extend([None] * (col - len(values) - 1))
                        values.append(_value(cell, strings))
                    yield number, values
                row.clear()
                while row.getprevious() is not None:
                    del row.getparent()[0]


def sheet_heads(data: bytes, rows: int) -> list[tuple[str, list[list]]]:
    """Each sheet's name and its first `rows` rows (rows[0] is row 1), read as a stream that
    stops there: a header found at once however long the sheet. openpyxl's read-only mode
    scans a whole sheet that names no dimension first (most generated workbooks), most of a
    100,000-row import's time."""
    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        book = etree.fromstring(archive.read("xl/workbook.xml"), _parser())
        names = [sheet.get("name") for sheet in book.iter(f"{MAIN}sheet")]
    heads = []
    for name in names:
        head: list[list] = []
        stream = sheet_rows(data, name, 1)
        for number, values in stream:
            if number > rows:
                break
            head.extend([] for _ in range(number - len(head) - 1))  # rows the sheet leaves out
            head.append(values)
        stream.close()
        heads.append((name, head))
    return heads
